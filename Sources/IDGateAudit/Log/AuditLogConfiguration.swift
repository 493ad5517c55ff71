import Foundation
import IDGateCore
import IDGateWire

/// How the audit log stores records (docs/AUDIT.md).
public struct AuditLogConfiguration: Sendable {
    /// When a request may be answered.
    public enum Durability: String, Sendable, Codable {
        /// The completion runs after the record's batch is written and fsync'd: no answered request is unaudited.
        case beforeResponse
        /// The completion runs at once; the writer flushes every `asyncFlushInterval`, so a crash loses at most
        /// the records of the last interval plus the batch being written.
        case async
    }

    public var directory: URL
    public var key: AuditKey
    public var durability: Durability
    /// Async mode: how often queued records are written and fsync'd.
    public var asyncFlushInterval: Duration
    /// Start a new segment when the current one reaches this size.
    public var maxSegmentBytes: Int
    /// Start a new segment when the current one is this old (and holds records).
    public var maxSegmentAge: Duration
    /// Delete segments last written more than this many days ago (nil: keep everything).
    public var retentionDays: Int?
    /// Records waiting for the writer beyond which `append` fails at once with `.queueFull`.
    public var maxQueuedRecords: Int
    /// Refuse records (`.diskFull`) while the audit volume has less free space than this, so the log never fills
    /// the disk completely; adjustable at run time with `AuditLog.setMinimumFreeBytes`.
    public var minimumFreeBytes: Int64
    /// The node whose log this is, written into each new segment's header (version 2); nil writes version 1 headers
    /// without one, as before.
    public var nodeID: String?
    /// Keep the subject index (`DIR/subject-index`, docs/AUDIT.md "Subject index") current as records are written;
    /// it is caught up from the segments when the log opens.
    public var subjectIndex: Bool = false
    /// Write a notification event per record with a subject to an NDJSON outbox (nil: no outbox).
    public var outbox: AuditOutboxConfiguration? = nil
    /// Bytes of durable records the subject index's follower may hold in memory while it lags behind the writer;
    /// beyond them it drops what it holds and reads those records back from the segments (memory stays bounded when
    /// the index cannot keep up, e.g. a 100-million-record index at peak load).
    public var followerMemoryBytes: Int = 64 << 20
    /// Told, on the follower's thread, why the subject index was rebuilt from the segments at start (missing,
    /// damaged, another log's, or an error while catching up: `AuditIndexStart`), or that it caught up: so an
    /// operator's log says why a start took minutes. The audit module has no logger of its own.
    public var indexStartListener: (@Sendable (AuditIndexStart) -> Void)? = nil

    public init(
        directory: URL, key: AuditKey, durability: Durability = .beforeResponse,
        asyncFlushInterval: Duration = .milliseconds(10), maxSegmentBytes: Int = 64 << 20,
        maxSegmentAge: Duration = .seconds(3600), retentionDays: Int? = nil, maxQueuedRecords: Int = 65536,
        minimumFreeBytes: Int64 = 64 << 20
    ) {
        self.directory = directory
        self.key = key
        self.durability = durability
        self.asyncFlushInterval = asyncFlushInterval
        self.maxSegmentBytes = maxSegmentBytes
        self.maxSegmentAge = maxSegmentAge
        self.retentionDays = retentionDays
        self.maxQueuedRecords = maxQueuedRecords
        self.minimumFreeBytes = minimumFreeBytes
    }
}

/// How the subject index started: caught up from its stored position, or rebuilt from every segment and why.
public struct AuditIndexStart: Sendable, Equatable {
    /// Nil when the stored index was continued; else why it was built anew.
    public var rebuildReason: String?
    /// The records added from the segments (caught up or rebuilt).
    public var recordsFrom: UInt64
    public var recordsThrough: UInt64
    /// How many records that is (0: the index was already current).
    public var recordCount: UInt64 { recordsThrough >= recordsFrom ? recordsThrough - recordsFrom + 1 : 0 }
}

/// What the log found in its directory when it opened: problems are reported, never repaired in place.
public struct AuditStartupReport: Sendable, Equatable {
    /// Segments present when the log opened.
    public var existingSegments: Int
    /// The segment this run writes to (always a new one).
    public var newSegment: UInt64
    /// Human-readable problems (unreadable tail, damaged header, damage), empty when the directory was clean.
    public var problems: [String]
    /// Damage found in this or an earlier start and not yet acknowledged by an operator (`AuditDamageFile`):
    /// the gateway keeps serving but reports it in `/readyz` and the `idgate_audit_damaged` metric.
    public var damage: [AuditDamage] = []

    public init(existingSegments: Int, newSegment: UInt64, problems: [String], damage: [AuditDamage] = []) {
        self.existingSegments = existingSegments
        self.newSegment = newSegment
        self.problems = problems
        self.damage = damage
    }
}

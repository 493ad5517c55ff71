import Foundation

/// A node's view of how current its registry copy is: what /readyz and /metrics report.
///
/// A value, taken at one instant under the follower's lock (`RegistryFollower.status`), so its fields agree with
/// each other. Lag in seconds is measured against the commit times PostgreSQL recorded, so a node's clock does not
/// enter it except for the time since the follower last heard from the database.
public struct FollowerStatus: Sendable, Equatable {
    /// A local copy exists that came from this registry: the node can answer (perhaps with stale data).
    public var isBootstrapped: Bool
    /// The change-log sequence the local copy holds (nil before the first snapshot).
    public var appliedSequence: UInt64?
    /// The newest sequence the follower has seen in PostgreSQL (nil before the first contact).
    public var latestKnownSequence: UInt64?
    /// How long ago (by PostgreSQL's clock, plus the time since last contact) the oldest batch not yet applied was
    /// committed; zero when caught up.
    public var lagSeconds: Double
    /// How long applying the last batch took (LMDB transaction with its sync).
    public var lastApplyDuration: Duration?
    /// True while a connection to PostgreSQL is open and answering.
    public var isConnected: Bool
    /// Why the last connection attempt or session failed (no credentials in it).
    public var connectionError: String?
    /// Seconds since the follower last heard from PostgreSQL (nil before the first contact).
    public var secondsSinceContact: Double?
    /// Something an operator must look at: the node stopped applying changes.
    public var alarm: FollowerAlarm?
    /// Distinct change-log batches refused since the process started (one refused again at every poll counts once).
    public var refusedBatches: Int
    /// Snapshots taken since the process started.
    public var snapshots: Int

    /// Batches committed in PostgreSQL but not applied here (nil while either end is unknown).
    public var lagBatches: UInt64? {
        guard let appliedSequence, let latestKnownSequence else { return nil }
        return latestKnownSequence > appliedSequence ? latestKnownSequence - appliedSequence : 0
    }

    static let initial = FollowerStatus(
        isBootstrapped: false, appliedSequence: nil, latestKnownSequence: nil, lagSeconds: 0, lastApplyDuration: nil,
        isConnected: false, connectionError: nil, secondsSinceContact: nil, alarm: nil, refusedBatches: 0, snapshots: 0)
}

/// Why a follower stopped applying the change log. It keeps serving what it has and keeps checking: when the
/// cause goes away (an operator repairs the log, the lock is released) it continues by itself.
public enum FollowerAlarm: Sendable, Equatable, CustomStringConvertible {
    /// The log skips or reorders sequence numbers: the next batch the node needs is not where it should be.
    case sequenceGap(expected: UInt64, found: UInt64?)
    /// A batch in the log is malformed or does not apply to the local copy; nothing of it was applied.
    case refusedBatch(sequence: UInt64, reason: String)
    /// The local copy holds batches the registry of record does not (a failover lost them, or the log was cut
    /// back): the copy no longer matches any state of the registry until they are published again.
    case aheadOfRegistry(local: UInt64, head: UInt64)
    /// The database is not an idgate registry of the version this node reads.
    case incompatibleDatabase(String)
    /// The local store failed (disk full, map full, another writer holding the lock).
    case storeFailure(String)

    public var description: String {
        switch self {
        case .sequenceGap(let expected, let found?):
            "change log gap: expected batch \(expected) next, found \(found); not applying past \(expected - 1)"
        case .sequenceGap(let expected, nil):
            "change log gap: the head is past \(expected - 1) but batch \(expected) is missing"
        case .refusedBatch(let sequence, let reason):
            "change log batch \(sequence) refused, nothing applied: \(reason)"
        case .aheadOfRegistry(let local, let head):
            "the local copy is at batch \(local) but the change log ends at \(head): batches were lost upstream"
        case .incompatibleDatabase(let reason):
            "incompatible registry database: \(reason)"
        case .storeFailure(let reason):
            "local registry store failed: \(reason)"
        }
    }
}

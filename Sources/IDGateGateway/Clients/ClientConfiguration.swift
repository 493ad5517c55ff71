import Foundation
import IDGateAudit
import IDGateCore
import IDGateMatching
import IDGateStore
import IDGateWire

/// One client as written in `clients.json` (see docs/CLIENTS.md): the editable, serializable form.
///
/// The gateway never authorizes against this type: `ClientRegistry` validates it into an immutable `Client`.
public struct ClientConfiguration: Codable, Sendable, Equatable {
    public var id: String
    public var kind: ClientKind
    public var enabled: Bool
    public var credentials: ClientCredentials
    /// Allowed operations.
    public var operations: [ClientOperation]
    /// Allowed attributes, by wire name (`idNumber`, `fullName`, ...).
    public var attributes: [String]
    /// Allowed purposes; empty means the client need not declare a purpose.
    public var purposes: [String]
    public var rateLimit: RateLimitConfiguration
    /// Requests per day (Vietnam calendar day, UTC+7); nil means unlimited.
    public var dailyQuota: Int?
    /// What each kind of difference means for this client (`{"diacritics_differ": "mismatch"}`, docs/MATCHING.md,
    /// "Decisions per reason"); nil: the standard decisions.
    public var reasonDecisions: ReasonDecisionPolicy?
    /// The document types the client may check with `/v1/documents/verify` (`driving-licence`, …); absent or
    /// empty: none (docs/CLIENTS.md).
    public var documentTypes: [String]?
    /// This client's guessing limit and alert (docs/CLIENTS.md, "Guessing stopped"); nil: the gateway's defaults,
    /// no rate alert.
    public var guessing: ClientGuessingConfiguration?
    /// The name shown to citizens in their access history (e.g. "Demo Bank"); nil: the id.
    public var name: String?

    public init(
        id: String, kind: ClientKind, enabled: Bool = true, credentials: ClientCredentials = ClientCredentials(),
        operations: [ClientOperation] = ClientOperation.allCases.filter { $0 != .accessHistory }, attributes: [String] = Attribute.allCases.map(\.wireName),
        purposes: [String] = [], rateLimit: RateLimitConfiguration = RateLimitConfiguration(), dailyQuota: Int? = nil,
        reasonDecisions: ReasonDecisionPolicy? = nil, guessing: ClientGuessingConfiguration? = nil, name: String? = nil
    ) {
        self.name = name
        self.id = id
        self.kind = kind
        self.enabled = enabled
        self.credentials = credentials
        self.operations = operations
        self.attributes = attributes
        self.purposes = purposes
        self.rateLimit = rateLimit
        self.dailyQuota = dailyQuota
        self.reasonDecisions = reasonDecisions
        self.guessing = guessing
    }
}

/// How a client proves who it is: verified TLS client certificates and/or API keys (stored as hashes only).
public struct ClientCredentials: Codable, Sendable, Equatable {
    /// Subject DNs of accepted client certificates, RFC 4514 form (`CN=bank-demo,O=Demo Bank,C=VN`).
    public var certificateSubjects: [String]
    /// SHA-256 fingerprints (hex, colons optional) of accepted client certificates (DER).
    public var certificateFingerprints: [String]
    public var apiKeys: [APIKeyRecord]

    public init(certificateSubjects: [String] = [], certificateFingerprints: [String] = [], apiKeys: [APIKeyRecord] = []) {
        self.certificateSubjects = certificateSubjects
        self.certificateFingerprints = certificateFingerprints
        self.apiKeys = apiKeys
    }
}

/// An API key as stored: its id and the SHA-256 of the key string, never the key.
///
/// `expiresAt` lets a rotation keep the old key valid for a grace period next to the new one.
public struct APIKeyRecord: Codable, Sendable, Equatable {
    public var keyId: String
    /// Hex SHA-256 of the UTF-8 key string as sent in `Authorization: Bearer <key>`.
    public var sha256: String
    public var createdAt: Date
    public var expiresAt: Date?

    public init(keyId: String, sha256: String, createdAt: Date, expiresAt: Date? = nil) {
        self.keyId = keyId
        self.sha256 = sha256
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Token-bucket parameters: sustained requests per second and the burst a client may send at once.
public struct RateLimitConfiguration: Codable, Sendable, Equatable {
    public var requestsPerSecond: Double
    public var burst: Int

    public init(requestsPerSecond: Double = 100, burst: Int = 200) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
    }
}

/// A client's guard against answers mined by guessing: its own per-subject limit, and an alert (optionally a
/// suspension) when its share of not_found and mismatch answers rises far above what it normally sees.
public struct ClientGuessingConfiguration: Codable, Sendable, Equatable {
    /// Overrides the gateway's `guessing.maxFailedAnswersPerSubject` for this client (0: no limit).
    public var maxFailedAnswersPerSubject: Int?
    /// The share of answers that may be not_found or mismatch within one rate window (0...1) before the alert
    /// `idgate_client_guessing_alert` is raised; nil: no rate alert. Set it well above the client's normal share.
    public var maxFailureRate: Double?
    /// Answers the window must hold before its rate is judged (a few early misses are no pattern).
    public var minimumAnswers: Int
    /// Length of the rate window, seconds (windows are aligned to the epoch).
    public var rateWindowSeconds: Double
    /// Suspend the client (403 `client_suspended`) when the alert is raised.
    public var suspend: Bool
    /// How long a suspension lasts, seconds (persisted: a restart does not lift it).
    public var suspendSeconds: Double

    public init(
        maxFailedAnswersPerSubject: Int? = nil, maxFailureRate: Double? = nil, minimumAnswers: Int = 100,
        rateWindowSeconds: Double = 3600, suspend: Bool = false, suspendSeconds: Double = 3600
    ) {
        self.maxFailedAnswersPerSubject = maxFailedAnswersPerSubject
        self.maxFailureRate = maxFailureRate
        self.minimumAnswers = minimumAnswers
        self.rateWindowSeconds = rateWindowSeconds
        self.suspend = suspend
        self.suspendSeconds = suspendSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case maxFailedAnswersPerSubject, maxFailureRate, minimumAnswers, rateWindowSeconds, suspend, suspendSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            maxFailedAnswersPerSubject: try c.decodeIfPresent(Int.self, forKey: .maxFailedAnswersPerSubject),
            maxFailureRate: try c.decodeIfPresent(Double.self, forKey: .maxFailureRate),
            minimumAnswers: try c.decodeIfPresent(Int.self, forKey: .minimumAnswers) ?? 100,
            rateWindowSeconds: try c.decodeIfPresent(Double.self, forKey: .rateWindowSeconds) ?? 3600,
            suspend: try c.decodeIfPresent(Bool.self, forKey: .suspend) ?? false,
            suspendSeconds: try c.decodeIfPresent(Double.self, forKey: .suspendSeconds) ?? 3600)
    }
}

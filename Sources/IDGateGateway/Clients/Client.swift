import Foundation
import IDGateAudit
import IDGateCore
import IDGateMatching
import IDGateStore
import IDGateWire

/// A validated, immutable client as the hot path sees it: permissions as bitmaps and sets, plus the shared
/// counters (quota, metrics) that survive a registry reload.
public final class Client: Sendable {
    public let id: String
    public let kind: ClientKind
    public let enabled: Bool
    public let operations: ClientOperationSet
    public let attributes: AttributeSet
    /// Empty: no purpose required.
    public let purposes: Set<String>
    public let rateLimit: RateLimitConfiguration
    public let dailyQuota: Int?
    /// The client's decision per match reason, applied by the engine to each of its answers.
    public let reasonDecisions: ReasonDecisionPolicy
    /// The document types `/v1/documents/verify` may check for this client.
    public let documentTypes: Set<DocumentType>
    /// Shared by all event loops (atomic); carried over to the new snapshot on reload.
    public let quota: DailyQuotaCounter
    /// Shared by all event loops (atomic); carried over to the new snapshot on reload.
    public let metrics: ClientMetrics
    /// This client's guessing limit and rate alert (nil members: the gateway's default / no alert).
    public let guessing: ClientGuessingConfiguration
    /// Its not_found/mismatch rate and suspension, shared by all event loops; carried over on reload.
    public let guessingWatch: ClientGuessingWatch
    /// The name citizens see in their access history (the configured name, else the id).
    public let name: String

    init(
        configuration: ClientConfiguration, quota: DailyQuotaCounter, metrics: ClientMetrics,
        guessingWatch: ClientGuessingWatch
    ) throws {
        var attributes = AttributeSet()
        for name in configuration.attributes {
            guard let attribute = Attribute(wireName: name) else {
                throw ClientRegistryError.invalid("client \(configuration.id): unknown attribute \(name)")
            }
            attributes.insert(AttributeSet(attribute))
        }
        for purpose in configuration.purposes where Purpose.validationError(purpose) != nil {
            throw ClientRegistryError.invalid("client \(configuration.id): invalid purpose \(purpose)")
        }
        guard configuration.rateLimit.requestsPerSecond > 0, configuration.rateLimit.burst >= 1 else {
            throw ClientRegistryError.invalid("client \(configuration.id): rate limit must be positive")
        }
        if let guessing = configuration.guessing {
            let rateValid = guessing.maxFailureRate.map { (0...1).contains($0) } ?? true
            guard (guessing.maxFailedAnswersPerSubject ?? 0) >= 0, rateValid, guessing.minimumAnswers >= 1,
                guessing.rateWindowSeconds > 0, guessing.suspendSeconds > 0
            else {
                throw ClientRegistryError.invalid(
                    "client \(configuration.id): guessing needs maxFailedAnswersPerSubject >= 0, maxFailureRate in 0...1, minimumAnswers >= 1, positive rateWindowSeconds and suspendSeconds")
            }
        }
        if let quota = configuration.dailyQuota, quota < 0 {
            throw ClientRegistryError.invalid("client \(configuration.id): negative daily quota")
        }
        self.id = configuration.id
        self.kind = configuration.kind
        self.enabled = configuration.enabled
        self.operations = ClientOperationSet(configuration.operations)
        self.attributes = attributes
        self.purposes = Set(configuration.purposes)
        self.rateLimit = configuration.rateLimit
        self.dailyQuota = configuration.dailyQuota
        self.reasonDecisions = configuration.reasonDecisions ?? .standard
        self.documentTypes = try Self.documentTypes(configuration)
        self.quota = quota
        self.metrics = metrics
        self.guessing = configuration.guessing ?? ClientGuessingConfiguration()
        self.guessingWatch = guessingWatch
        self.name = configuration.name ?? configuration.id
    }
}

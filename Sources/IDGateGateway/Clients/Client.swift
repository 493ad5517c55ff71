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
    /// Shared by all event loops (atomic); carried over to the new snapshot on reload.
    public let quota: DailyQuotaCounter
    /// Shared by all event loops (atomic); carried over to the new snapshot on reload.
    public let metrics: ClientMetrics
    /// The name citizens see in their access history (the configured name, else the id).
    public let name: String

    init(configuration: ClientConfiguration, quota: DailyQuotaCounter, metrics: ClientMetrics) throws {
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
        self.quota = quota
        self.metrics = metrics
        self.name = configuration.name ?? configuration.id
    }
}

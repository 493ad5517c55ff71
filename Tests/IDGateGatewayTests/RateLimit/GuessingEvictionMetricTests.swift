import Foundation
import IDGateCore
import Logging
import Prometheus
import Testing
@testable import IDGateGateway

/// `idgate_guessing_evicted_pairs_total` is a counter: it only grows, by the pairs evicted since the last flush.
@Suite struct GuessingEvictionMetricTests {
    static let configuration = Data("""
        {"registry": {"path": "/nonexistent"}, "clients": {"file": "/nonexistent"},
         "audit": {"directory": "/nonexistent", "keyFile": "/nonexistent"}, "signing": {"keyFile": "/nonexistent"},
         "state": {}, "guessing": {"maxTrackedPairs": 64}}
        """.utf8)

    static func scrape(_ registry: PrometheusCollectorRegistry) -> String {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func evictionsAreCountedOnceEach() throws {
        var logger = Logger(label: "idgate.tests")
        logger.logLevel = .critical
        let registry = PrometheusCollectorRegistry()
        let counters = PersistentCounters(
            configuration: try JSONDecoder().decode(GatewayConfiguration.self, from: Self.configuration),
            clients: try ClientRegistry(file: ClientRegistryFile(clients: [])), metrics: registry, logger: logger)
        let now = Date()
        // 64 pairs at most: one per shard, so every new pair of shard 0 evicts the one before.
        func failure(_ index: UInt64) {
            counters.limiter.recordFailure(
                SubjectAttemptLimiter.Pair(subject: SHA256Key(words: (index << 6, index, 0, 0)), clientID: "bank-a"), now: now)
        }
        for index: UInt64 in 1...4 { failure(index) }
        counters.flush(now: now)
        #expect(Self.scrape(registry).contains("# TYPE idgate_guessing_evicted_pairs_total counter"))
        #expect(Self.scrape(registry).contains("idgate_guessing_evicted_pairs_total 3\n"), "\(Self.scrape(registry))")
        counters.flush(now: now)
        #expect(Self.scrape(registry).contains("idgate_guessing_evicted_pairs_total 3\n"), "a flush without evictions adds nothing")
        for index: UInt64 in 5...6 { failure(index) }
        counters.flush(now: now)
        #expect(Self.scrape(registry).contains("idgate_guessing_evicted_pairs_total 5\n"), "\(Self.scrape(registry))")
    }
}

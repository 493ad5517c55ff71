import Foundation
import IDGateAudit
import IDGateGateway
import Prometheus
import Testing

@Suite struct ClientMetricsTests {
    static func exposition(_ registry: PrometheusCollectorRegistry) -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test func countsInTheMetricsRegistryWithoutPersonalData() throws {
        let prometheus = PrometheusCollectorRegistry()
        let registry = try ClientRegistry(
            file: ClientRegistryFile(clients: [ClientConfiguration(id: "bank-a", kind: .bank)]), metricsRegistry: prometheus)
        let metrics = try #require(registry.client(id: "bank-a")).metrics
        metrics.record(decision: .match, latencyMicros: 1500)
        metrics.record(decision: .mismatch, latencyMicros: 500)
        metrics.record(decision: .none, errorCode: "forbidden", latencyMicros: 100)
        let text = Self.exposition(prometheus)
        #expect(text.contains(#"idgate_client_requests_total{client="bank-a",kind="bank"} 3"#))
        #expect(text.contains(#"idgate_client_decisions_total{client="bank-a",decision="match"} 1"#))
        #expect(text.contains(#"idgate_client_decisions_total{client="bank-a",decision="mismatch"} 1"#))
        #expect(text.contains(#"idgate_client_decisions_total{client="bank-a",decision="partial"} 0"#))
        #expect(text.contains(#"idgate_client_errors_total{client="bank-a",code="forbidden"} 1"#))
        #expect(text.contains(#"idgate_client_request_duration_seconds_count{client="bank-a"} 3"#))
        #expect(text.contains(#"idgate_client_request_duration_seconds_sum{client="bank-a"} 0.0021"#))
        #expect(!text.contains(#"decision="none""#))
    }
}

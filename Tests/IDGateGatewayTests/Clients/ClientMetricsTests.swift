import Foundation
import Testing
@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

@Suite struct ClientMetricsTests {
    @Test func countsAndRendersWithoutPersonalData() throws {
        let registry = try ClientRegistry(file: ClientRegistryFile(clients: [ClientConfiguration(id: "bank-a", kind: .bank)]))
        let metrics = try #require(registry.client(id: "bank-a")).metrics
        metrics.record(decision: .match, latencyMicros: 1500)
        metrics.record(decision: .mismatch, latencyMicros: 500)
        metrics.record(decision: .none, errorCode: "forbidden", latencyMicros: 100)
        let snapshot = metrics.snapshot
        #expect(snapshot.requests == 3)
        #expect(snapshot.decisions == [.match: 1, .mismatch: 1])
        #expect(snapshot.errors == ["forbidden": 1])
        #expect(abs(snapshot.latencySeconds - 0.0021) < 1e-9)
        var text = ""
        registry.renderMetrics(into: &text)
        #expect(text.contains(#"idgate_client_requests_total{client="bank-a",kind="bank"} 3"#))
        #expect(text.contains(#"idgate_client_decisions_total{client="bank-a",decision="match"} 1"#))
        #expect(text.contains(#"idgate_client_errors_total{client="bank-a",code="forbidden"} 1"#))
        #expect(text.contains(#"idgate_client_request_duration_seconds_count{client="bank-a"} 3"#))
    }
}

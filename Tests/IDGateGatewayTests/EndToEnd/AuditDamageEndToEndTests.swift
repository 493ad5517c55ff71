import Foundation
@testable import IDGateAudit
import IDGateCore
import Testing

/// A gateway that finds damage in its audit log keeps serving but says so: `/readyz` and a metric.
@Suite struct AuditDamageEndToEndTests {
    @Test func damagedAuditLogIsReportedByReadinessAndMetrics() async throws {
        let directory = try ScratchDirectory("idgate-damage-e2e")
        try AuditFixture.makeLog(in: directory.url, count: 20, maxSegmentBytes: 1 << 20)
        let segment = try #require(try AuditDirectory.segmentURLs(in: directory.url).last)
        let frame = try AuditSegmentScan(url: segment).frames[7]
        var data = try Data(contentsOf: segment)
        data.replaceSubrange(frame.offset..<frame.offset + 4, with: [0xFF, 0xFF, 0xFF, 0x00])
        try data.write(to: segment)

        let harness = try await GatewayHarness.start { $0.audit.directory = directory.url.path }
        defer {
            Task {
                await harness.stop()
                directory.remove()
            }
        }
        let responses = try await harness.send([.init(method: "GET", path: "/readyz"), .init(method: "GET", path: "/metrics")])
        #expect(responses[0].status == 200)
        #expect(responses[0].json["status"] as? String == "ready")
        #expect(responses[0].json["audit"] as? String == "damaged")
        #expect(responses[1].body.split(separator: "\n").contains("idgate_audit_damaged 1.0"), "\(responses[1].body)")
    }

    @Test func cleanAuditLogIsNotReportedDamaged() async throws {
        let harness = try await GatewayHarness.start()
        defer { Task { await harness.stop() } }
        let responses = try await harness.send([.init(method: "GET", path: "/readyz"), .init(method: "GET", path: "/metrics")])
        #expect(responses[0].json["audit"] == nil)
        #expect(responses[1].body.split(separator: "\n").contains("idgate_audit_damaged 0.0"), "\(responses[1].body)")
    }
}

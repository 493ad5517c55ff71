import Foundation
import Testing

@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

@Suite struct AuditTimeTests {
    @Test func formatsUTCWithMicroseconds() {
        // 2026-11-23T03:49:40.123456Z
        let date = Date(timeIntervalSince1970: 1_795_405_780.123456)
        #expect(AuditTime.format(date) == "2026-11-23T03:49:40.123456Z")
        #expect(AuditTime.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(AuditTime.format(Date(timeIntervalSince1970: 951_782_399.5)) == "2000-02-28T23:59:59.500000Z")
        #expect(AuditTime.format(Date(timeIntervalSince1970: 951_868_800)) == "2000-03-01T00:00:00.000000Z")
        #expect(AuditTime.format(Date(timeIntervalSince1970: -0.25)) == "1969-12-31T23:59:59.750000Z")
    }

    @Test func agreesWithFoundationAndParsesBack() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var seconds = 946_684_800.0  // 2000-01-01
        while seconds < 4_102_444_800 {  // 2100-01-01
            let date = Date(timeIntervalSince1970: seconds)
            let text = AuditTime.format(date)
            #expect(text.hasPrefix(String(formatter.string(from: date).dropLast())))
            let parsed = try #require(AuditTime.parse(text))
            #expect(abs(parsed.timeIntervalSince1970 - seconds) < 0.001)
            seconds += 7_654_321.5
        }
    }
}

import Foundation
import IDGateStore

/// One audit record as read back from a segment: what investigators query and `audit verify` checks.
public struct AuditEntry: Sendable, Equatable {
    /// Position in the whole log, from 1, without gaps.
    public var sequence: UInt64
    public var time: Date
    public var clientID: String
    public var purpose: String?
    public var operation: ClientOperation?
    public var transactionID: String
    /// HMAC-SHA256 of the subject's ID number with the audit key's subject key, or nil when there was no subject.
    public var subjectHash: [UInt8]?
    public var attributes: AttributeSet
    public var decision: AuditDecision?
    public var status: UInt16
    public var latencyMicros: UInt32

    /// A JSON object for `audit query` output (sorted keys, no personal data).
    public var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "sequence": sequence,
            "time": AuditTime.format(time),
            "client": clientID,
            "operation": operation?.rawValue ?? "unknown",
            "transactionId": transactionID,
            "attributes": attributes.attributes.map(\.wireName),
            "decision": decision?.name ?? "unknown",
            "status": status,
            "latencyMicros": latencyMicros,
        ]
        if let purpose { object["purpose"] = purpose }
        if let subjectHash { object["subjectHash"] = subjectHash.map { String(format: "%02x", $0) }.joined() }
        return object
    }
}

/// Audit timestamps as RFC 3339 UTC with microseconds, and back.
public enum AuditTime {
    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Accepts RFC 3339 with or without fractional seconds, or a plain date (`2026-11-23`, Vietnam midnight).
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = TimeZone(secondsFromGMT: Int(VietnamCalendarDay.utcOffsetSeconds))
        return formatter.date(from: text)
    }
}

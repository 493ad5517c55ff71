import Foundation
import IDGateCore
import IDGateStore
import IDGateWire

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

    public init(
        sequence: UInt64, time: Date, clientID: String, purpose: String?, operation: ClientOperation?,
        transactionID: String, subjectHash: [UInt8]?, attributes: AttributeSet, decision: AuditDecision?, status: UInt16,
        latencyMicros: UInt32
    ) {
        self.sequence = sequence
        self.time = time
        self.clientID = clientID
        self.purpose = purpose
        self.operation = operation
        self.transactionID = transactionID
        self.subjectHash = subjectHash
        self.attributes = attributes
        self.decision = decision
        self.status = status
        self.latencyMicros = latencyMicros
    }

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
        if let subjectHash { object["subjectHash"] = Hex.encode(subjectHash) }
        return object
    }
}

/// Audit timestamps as RFC 3339 UTC with microseconds, and back.
public enum AuditTime {
    /// `2026-11-23T03:49:40.123456Z`. Written by hand: a Foundation date formatter costs tens of microseconds to
    /// create, and the chip challenge route formats one time per request.
    public static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1e6).rounded(.down))
        let (seconds, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let (wholeSeconds, fractionMicros) = fraction < 0 ? (seconds - 1, fraction + 1_000_000) : (seconds, fraction)
        let (days, secondOfDay) = wholeSeconds.quotientAndRemainder(dividingBy: 86_400)
        let (day, second) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        let civil = PartialDate(daysSinceEpoch: Int(day))
        var text: [UInt8] = []
        text.reserveCapacity(27)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(civil.year), 4)
        text.append(UInt8(ascii: "-"))
        digits(Int(civil.month), 2)
        text.append(UInt8(ascii: "-"))
        digits(Int(civil.day), 2)
        text.append(UInt8(ascii: "T"))
        digits(Int(second / 3600), 2)
        text.append(UInt8(ascii: ":"))
        digits(Int(second / 60 % 60), 2)
        text.append(UInt8(ascii: ":"))
        digits(Int(second % 60), 2)
        text.append(UInt8(ascii: "."))
        digits(Int(fractionMicros), 6)
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
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

import Foundation
import IDGateCore

/// Where a page of a fleet-wide access history ended: the last entry's time, node and sequence (the history's
/// order, newest first, is by time, then node id, then sequence).
public struct AuditHistoryPosition: Sendable, Equatable {
    public var timeMicros: Int64
    public var node: String
    public var sequence: UInt64

    public init(timeMicros: Int64, node: String, sequence: UInt64) {
        self.timeMicros = timeMicros
        self.node = node
        self.sequence = sequence
    }
}

/// Cursors of the access history when it is read from the fleet's PostgreSQL copy (docs/FLEET.md, "Audit
/// shipping"): records of several nodes, so a sequence alone no longer says where a page ended.
///
/// Opaque and bound to the subject like the single node's cursors (`AuditHistory`), with the same cursor key, so
/// every node of a fleet (which shares one audit key) accepts the cursors of the others:
/// `base64url(0x46 ‖ i64 timeMicros ‖ u64 sequence ‖ u8 nodeLength ‖ node ‖ HMAC(cursor key, subject hash ‖ those bytes)[0..<16])`.
public struct AuditFleetCursor: Sendable {
    private static let marker: UInt8 = 0x46
    private let key: AuditKey
    private let cursorKey: KeyedSHA256

    public init(key: AuditKey) {
        self.key = key
        cursorKey = KeyedSHA256(key: key.subjectHash("idgate-history-cursor-v1"))
    }

    /// The keyed hash the records of `idNumber` carry.
    public func subjectHash(_ idNumber: String) -> [UInt8] { key.subjectHash(idNumber) }

    public func encode(_ position: AuditHistoryPosition, subjectHash: [UInt8]) -> String {
        var bytes: [UInt8] = [Self.marker]
        withUnsafeBytes(of: position.timeMicros.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: position.sequence.bigEndian) { bytes.append(contentsOf: $0) }
        let node = Array(position.node.utf8.prefix(255))
        bytes.append(UInt8(node.count))
        bytes.append(contentsOf: node)
        bytes.append(contentsOf: mac(bytes, subjectHash: subjectHash))
        return Base64.encodeURL(bytes)
    }

    /// The position, or nil when the cursor was not issued for this subject by this key (or is not a fleet cursor).
    public func decode(_ text: String, subjectHash: [UInt8]) -> AuditHistoryPosition? {
        guard text.utf8.count <= 400, let bytes = Base64.decodeURL(text), bytes.count >= 18 + 16, bytes[0] == Self.marker
        else { return nil }
        let nodeLength = Int(bytes[17])
        guard bytes.count == 18 + nodeLength + 16 else { return nil }
        let body = Array(bytes[0..<18 + nodeLength])
        let expected = mac(body, subjectHash: subjectHash)
        guard expected.constantTimeEquals(bytes[(18 + nodeLength)...]) else { return nil }
        let (time, sequence) = body.withUnsafeBytes {
            (Int64(bigEndian: $0.loadUnaligned(fromByteOffset: 1, as: Int64.self)),
             UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 9, as: UInt64.self)))
        }
        return AuditHistoryPosition(
            timeMicros: time, node: String(decoding: body[18...], as: UTF8.self), sequence: sequence)
    }

    private func mac(_ bytes: [UInt8], subjectHash: [UInt8]) -> [UInt8] {
        Array(cursorKey.authenticationCode(subjectHash + bytes).prefix(16))
    }
}

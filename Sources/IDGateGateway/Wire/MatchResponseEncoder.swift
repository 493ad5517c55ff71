import Crypto
import IDGateMatching
import IDGateStore

/// Writes the `/v1/identity/match` response JSON straight into a byte sink: `fields` in submitted order, `ref`
/// echoed, and only verdicts — never a stored value. Inlinable so callers in other modules get it specialized for
/// their concrete sink (`[UInt8]`, `ByteBuffer`) instead of writing through protocol witnesses.
public enum MatchResponseEncoder {
    @inlinable
    public static func encode<S: ByteSink>(
        _ result: MatchResult, for request: MatchRequest, transactionID: TransactionID, digest: SHA256Digest,
        into sink: inout S
    ) {
        sink.write("{\"transactionId\":\"")
        transactionID.write(into: &sink)
        sink.write(byte: UInt8(ascii: "\""))
        writeRef(of: request, into: &sink)
        sink.write(byte: UInt8(ascii: ","))
        writeVerdict(result, into: &sink)
        sink.write(",\"requestDigest\":\"")
        writeHex(digest, into: &sink)
        sink.write("\"}")
    }

    /// Writes the verdict members `"decision":…,"fields":{…},"status":{…}` (no braces): the body of a match
    /// answer, and the `registry` object of a chip answer.
    public static func writeVerdict<S: ByteSink>(_ result: MatchResult, into sink: inout S) {
        sink.write("\"decision\":\"")
        sink.write(result.decision.wireName)
        sink.write(byte: UInt8(ascii: "\""))
        if result.decision != .notFound {
            sink.write(",\"fields\":{")
            var first = true
            for attribute in result.fields {
                if !first { sink.write(byte: UInt8(ascii: ",")) }
                first = false
                writeField(attribute, result[attribute], into: &sink)
            }
            sink.write("},\"status\":{")
            if let record = result.recordStatus {
                sink.write("\"record\":\"")
                sink.write(record == .active ? "active" : "deceased")
                sink.write(byte: UInt8(ascii: "\""))
            }
            if let card = result.cardStatus {
                sink.write(result.recordStatus == nil ? "\"card\":\"" : ",\"card\":\"")
                sink.write(staticName(of: card))
                sink.write(byte: UInt8(ascii: "\""))
            }
            sink.write(byte: UInt8(ascii: "}"))
        }
    }

    /// Writes `,"ref":"..."` when the request carried a ref.
    @inlinable
    static func writeRef<S: ByteSink>(of request: MatchRequest, into sink: inout S) {
        guard request.contains(.ref) else { return }
        sink.write(",\"ref\":")
        request.withText(.ref) { sink.write(jsonString: $0) }
    }

    @inlinable
    static func writeField<S: ByteSink>(_ attribute: Attribute, _ field: FieldResult, into sink: inout S) {
        sink.write(byte: UInt8(ascii: "\""))
        sink.write(RequestField(attribute).staticWireName)
        sink.write("\":{\"result\":\"")
        sink.write(field.outcome.wireName)
        sink.write("\",\"score\":")
        sink.write(decimal: Int(field.score))
        sink.write(",\"reasons\":[")
        var first = true
        for reason in field.reasons {
            sink.write(first ? "\"" : ",\"")
            first = false
            sink.write(reason.staticWireName)
            sink.write(byte: UInt8(ascii: "\""))
        }
        sink.write("]}")
    }

    @inlinable
    static func staticName(of card: CardStatus) -> StaticString {
        switch card {
        case .valid: "valid"
        case .expired: "expired"
        case .revoked: "revoked"
        case .lost: "lost"
        }
    }

    @inlinable
    static func writeHex<S: ByteSink>(_ digest: SHA256Digest, into sink: inout S) {
        let hex: StaticString = "0123456789abcdef"
        var text: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &text) { buffer in
            digest.withUnsafeBytes { bytes in
                for (index, byte) in bytes.enumerated() {
                    buffer[2 * index] = hex.utf8Start[Int(byte >> 4)]
                    buffer[2 * index + 1] = hex.utf8Start[Int(byte & 0xF)]
                }
            }
            sink.write(bytes: UnsafeRawBufferPointer(buffer))
        }
    }
}

import IDGateCore
import IDGateMatching
import IDGateStore

/// Writes `/v1/documents/verify` and `/v1/organizations/match` answers (docs/API.md), shaped like identity-match
/// answers: `transactionId`, `ref` echoed, `decision`, `fields` (submitted order, verdicts only), `status`,
/// `requestDigest`. A `not_found` answer has neither `fields` nor `status`.
public enum KindResponseEncoder {
    public static func encode<S: ByteSink>(
        _ result: DocumentVerifyResult, ref: String?, transactionID: TransactionID, digest: SHA256Key, into sink: inout S
    ) {
        writeHead(ref: ref, transactionID: transactionID, decision: result.decision, into: &sink)
        if result.decision != .notFound {
            writeFields(zip(result.fields.map(\.wireName), result.results), into: &sink)
            sink.write(",\"status\":{\"document\":")
            sink.write(jsonString: result.documentStatus?.name ?? "valid")
            sink.write(byte: UInt8(ascii: "}"))
        }
        writeTail(digest: digest, into: &sink)
    }

    public static func encode<S: ByteSink>(
        _ result: OrganizationMatchResult, ref: String?, transactionID: TransactionID, digest: SHA256Key,
        into sink: inout S
    ) {
        writeHead(ref: ref, transactionID: transactionID, decision: result.decision, into: &sink)
        if result.decision != .notFound {
            writeFields(zip(result.fields.map(\.wireName), result.results), into: &sink)
            sink.write(",\"status\":{\"organization\":")
            sink.write(jsonString: result.organizationStatus?.name ?? "active")
            sink.write(byte: UInt8(ascii: "}"))
        }
        writeTail(digest: digest, into: &sink)
    }

    private static func writeHead<S: ByteSink>(
        ref: String?, transactionID: TransactionID, decision: MatchDecision, into sink: inout S
    ) {
        sink.write("{\"transactionId\":\"")
        transactionID.write(into: &sink)
        sink.write(byte: UInt8(ascii: "\""))
        if let ref {
            sink.write(",\"ref\":")
            sink.write(jsonString: ref)
        }
        sink.write(",\"decision\":\"")
        sink.write(decision.wireName)
        sink.write(byte: UInt8(ascii: "\""))
    }

    private static func writeFields<S: ByteSink, Fields: Sequence<(String, FieldResult)>>(_ fields: Fields, into sink: inout S) {
        sink.write(",\"fields\":{")
        var first = true
        for (name, field) in fields {
            if !first { sink.write(byte: UInt8(ascii: ",")) }
            first = false
            sink.write(jsonString: name)
            sink.write(":{\"result\":\"")
            sink.write(field.outcome.wireName)
            sink.write("\",\"score\":")
            sink.write(decimal: Int(field.score))
            sink.write(",\"reasons\":[")
            var firstReason = true
            for reason in field.reasons {
                if !firstReason { sink.write(byte: UInt8(ascii: ",")) }
                firstReason = false
                sink.write(byte: UInt8(ascii: "\""))
                sink.write(reason.staticWireName)
                sink.write(byte: UInt8(ascii: "\""))
            }
            sink.write("]}")
        }
        sink.write(byte: UInt8(ascii: "}"))
    }

    private static func writeTail<S: ByteSink>(digest: SHA256Key, into sink: inout S) {
        sink.write(",\"requestDigest\":\"")
        var hex = digest.hex
        hex.withUTF8 { sink.write(bytes: UnsafeRawBufferPointer($0)) }
        sink.write("\"}")
    }
}

import IDGateCore
import IDGateMatching
import IDGateStore

/// Writes `/v1/documents/verify` and `/v1/organizations/match` answers (docs/API.md), shaped like identity-match
/// answers: `transactionId`, `ref` echoed, `decision`, `fields` (submitted order, verdicts only), `status`,
/// `requestDigest`. A `not_found` answer has neither `fields` nor `status`.
///
/// As `MatchResponseEncoder`: the answer is composed in raw memory sized beforehand (`RawJSONWriter`) and handed to
/// the sink with one write, so the sink's type costs one call, not one per fragment (through a generic sink from
/// another module every fragment was a witness call and the field list a runtime-instantiated `Zip2Sequence`).
public enum KindResponseEncoder {
    @inlinable
    public static func encode<S: ByteSink>(
        _ result: DocumentVerifyResult, ref: String?, transactionID: TransactionID, digest: SHA256Key, into sink: inout S
    ) {
        sink.write(maximumCount: maximumLength(result, ref: ref)) { memory in
            encodeRaw(result, ref: ref, transactionID: transactionID, digest: digest, into: memory)
        }
    }

    @inlinable
    public static func encode<S: ByteSink>(
        _ result: OrganizationMatchResult, ref: String?, transactionID: TransactionID, digest: SHA256Key,
        into sink: inout S
    ) {
        sink.write(maximumCount: maximumLength(result, ref: ref)) { memory in
            encodeRaw(result, ref: ref, transactionID: transactionID, digest: digest, into: memory)
        }
    }

    @usableFromInline
    static func encodeRaw(
        _ result: DocumentVerifyResult, ref: String?, transactionID: TransactionID, digest: SHA256Key,
        into memory: UnsafeMutableRawPointer
    ) -> Int {
        encodeRaw(
            decision: result.decision, fields: result.fields, results: result.results, name: \.wireName,
            status: ",\"status\":{\"document\":", statusName: result.documentStatus?.name ?? "valid", ref: ref,
            transactionID: transactionID, digest: digest, into: memory)
    }

    @usableFromInline
    static func encodeRaw(
        _ result: OrganizationMatchResult, ref: String?, transactionID: TransactionID, digest: SHA256Key,
        into memory: UnsafeMutableRawPointer
    ) -> Int {
        encodeRaw(
            decision: result.decision, fields: result.fields, results: result.results, name: \.wireName,
            status: ",\"status\":{\"organization\":", statusName: result.organizationStatus?.name ?? "active",
            ref: ref, transactionID: transactionID, digest: digest, into: memory)
    }

    private static func encodeRaw<Field>(
        decision: MatchDecision, fields: [Field], results: [FieldResult], name: (Field) -> String,
        status: StaticString, statusName: String, ref: String?, transactionID: TransactionID, digest: SHA256Key,
        into memory: UnsafeMutableRawPointer
    ) -> Int {
        var out = RawJSONWriter(memory)
        writeHead(ref: ref, transactionID: transactionID, decision: decision, to: &out)
        if decision != .notFound {
            writeFields(fields, results, name: name, to: &out)
            out.write(status)
            out.write(jsonString: statusName)
            out.write(byte: UInt8(ascii: "}"))
        }
        writeTail(digest: digest, to: &out)
        return out.count
    }

    /// An upper bound of the encoded answer's length: the fixed members, the escaped `ref`, per field its escaped
    /// name and at most 64 bytes besides its reasons (each at most 32), the status.
    @usableFromInline
    static func maximumLength(_ result: DocumentVerifyResult, ref: String?) -> Int {
        fixedLength(ref: ref) + fieldsLength(result.fields, result.results, name: \.wireName)
    }

    @usableFromInline
    static func maximumLength(_ result: OrganizationMatchResult, ref: String?) -> Int {
        fixedLength(ref: ref) + fieldsLength(result.fields, result.results, name: \.wireName)
    }

    private static func fixedLength(ref: String?) -> Int {
        // braces, transaction ID, decision, status (names under 32 bytes), digest; `ref` escaped at most 6x.
        320 + (ref.map { 6 * $0.utf8.count + 16 } ?? 0)
    }

    private static func fieldsLength<Field>(_ fields: [Field], _ results: [FieldResult], name: (Field) -> String) -> Int {
        var length = 16
        for field in fields { length += 6 * name(field).utf8.count + 64 }
        for result in results { for _ in result.reasons { length += 32 } }
        return length
    }

    private static func writeHead(
        ref: String?, transactionID: TransactionID, decision: MatchDecision, to out: inout RawJSONWriter
    ) {
        out.write("{\"transactionId\":\"")
        transactionID.write(to: &out)
        out.write(byte: UInt8(ascii: "\""))
        if let ref {
            out.write(",\"ref\":")
            out.write(jsonString: ref)
        }
        out.write(",\"decision\":\"")
        out.write(decision.wireName)
        out.write(byte: UInt8(ascii: "\""))
    }

    private static func writeFields<Field>(
        _ fields: [Field], _ results: [FieldResult], name: (Field) -> String, to out: inout RawJSONWriter
    ) {
        out.write(",\"fields\":{")
        for index in 0..<min(fields.count, results.count) {
            if index > 0 { out.write(byte: UInt8(ascii: ",")) }
            let field = results[index]
            out.write(jsonString: name(fields[index]))
            out.write(":{\"result\":\"")
            out.write(field.outcome.wireName)
            out.write("\",\"score\":")
            out.write(score: field.score)
            out.write(",\"reasons\":[")
            for (position, reason) in field.reasons.enumerated() {
                if position > 0 { out.write(byte: UInt8(ascii: ",")) }
                out.write(byte: UInt8(ascii: "\""))
                out.write(reason.staticWireName)
                out.write(byte: UInt8(ascii: "\""))
            }
            out.write("]}")
        }
        out.write(byte: UInt8(ascii: "}"))
    }

    private static func writeTail(digest: SHA256Key, to out: inout RawJSONWriter) {
        out.write(",\"requestDigest\":\"")
        withUnsafeBytes(of: digest.words) { out.write(hex: $0) }
        out.write("\"}")
    }
}

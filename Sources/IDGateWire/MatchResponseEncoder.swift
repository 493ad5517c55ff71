import IDGateCore
import IDGateMatching
import IDGateStore

/// Writes the `/v1/identity/match` response JSON straight into a byte sink: `fields` in submitted order, `ref`
/// echoed, and only verdicts — never a stored value.
///
/// The answer is composed in raw memory first (`RawJSONWriter`: static fragments copied with one `memcpy` each, no
/// per-byte checks), on the stack when its upper bound fits 1 KiB, then handed to the sink with one write, so any
/// sink costs one append per answer.
public enum MatchResponseEncoder {
    @inlinable
    public static func encode<S: ByteSink>(
        _ result: MatchResult, for request: MatchRequest, transactionID: TransactionID, digest: SHA256Key,
        into sink: inout S
    ) {
        let bound = maximumLength(of: result, for: request)
        sink.write(maximumCount: bound) { memory in
            encodeRaw(result, for: request, transactionID: transactionID, digest: digest, into: memory)
        }
    }

    /// The same answer with `requestDigest` computed here, over `request.withCanonicalForm` on the stack: the
    /// gateway's path.
    @inlinable
    public static func encode<S: ByteSink>(
        _ result: MatchResult, for request: MatchRequest, transactionID: TransactionID, into sink: inout S
    ) {
        let bound = maximumLength(of: result, for: request)
        sink.write(maximumCount: bound) { memory in
            encodeRaw(result, for: request, transactionID: transactionID, digest: nil, into: memory)
        }
    }

    /// An upper bound of the encoded answer's length.
    @usableFromInline
    static func maximumLength(of result: MatchResult, for request: MatchRequest) -> Int {
        var bound = 256  // braces, transaction ID, decision, status, digest
        if request.contains(.ref) { bound += request.withText(.ref) { RawJSONWriter.maximumStringLength($0) } + 8 }
        bound += verdictFieldsBound(result)
        return bound
    }

    /// Per field at most 72 bytes besides its reasons, each reason at most 32 (`,"administrative_unit_renamed"` is
    /// 30).
    static func verdictFieldsBound(_ result: MatchResult) -> Int {
        72 * result.fields.count + 32 * result.totalReasonCount
    }

    /// Writes the whole answer at `memory` (at least `maximumLength` bytes) and returns its length.
    @usableFromInline
    static func encodeRaw(
        _ result: MatchResult, for request: MatchRequest, transactionID: TransactionID, digest: SHA256Key?,
        into memory: UnsafeMutableRawPointer
    ) -> Int {
        var out = RawJSONWriter(memory)
        out.write("{\"transactionId\":\"")
        transactionID.write(to: &out)
        out.write(byte: UInt8(ascii: "\""))
        if request.contains(.ref) {
            out.write(",\"ref\":")
            request.withText(.ref) { out.write(jsonString: $0) }
        }
        out.write(byte: UInt8(ascii: ","))
        writeVerdict(result, to: &out)
        out.write(",\"requestDigest\":\"")
        if let digest {
            withUnsafeBytes(of: digest.words) { out.write(hex: $0) }
        } else {
            writeRequestDigest(of: request, to: &out)
        }
        out.write("\"}")
        return out.count
    }

    /// SHA-256 of the request's canonical form (`MatchRequest.requestDigest()`) in lowercase hex.
    static func writeRequestDigest(of request: MatchRequest, to out: inout RawJSONWriter) {
        let digest = request.withCanonicalForm { SHA256Key.hashing($0) }
        withUnsafeBytes(of: digest.words) { out.write(hex: $0) }
    }

    /// Writes the verdict members `"decision":…,"fields":{…},"status":{…}` (no braces): the body of a match
    /// answer, and the `registry` object of a chip answer.
    public static func writeVerdict<S: ByteSink>(_ result: MatchResult, into sink: inout S) {
        sink.write(maximumCount: 128 + verdictFieldsBound(result)) { memory in
            var out = RawJSONWriter(memory)
            writeVerdict(result, to: &out)
            return out.count
        }
    }

    static func writeVerdict(_ result: MatchResult, to out: inout RawJSONWriter) {
        switch result.decision {
        case .match: out.write("\"decision\":\"match\"")
        case .partial: out.write("\"decision\":\"partial\"")
        case .mismatch: out.write("\"decision\":\"mismatch\"")
        case .notFound:
            out.write("\"decision\":\"not_found\"")
            return
        }
        out.write(",\"fields\":{")
        var first = true
        for attribute in result.fields {
            if !first { out.write(byte: UInt8(ascii: ",")) }
            first = false
            writeField(attribute, result[attribute], to: &out)
        }
        switch (result.recordStatus, result.cardStatus) {
        case (.active?, nil): out.write("},\"status\":{\"record\":\"active\"}")
        case (.deceased?, nil): out.write("},\"status\":{\"record\":\"deceased\"}")
        case (nil, nil): out.write("},\"status\":{}")
        case (let record, let card?):
            switch record {
            case .active?: out.write("},\"status\":{\"record\":\"active\",\"card\":\"")
            case .deceased?: out.write("},\"status\":{\"record\":\"deceased\",\"card\":\"")
            case nil: out.write("},\"status\":{\"card\":\"")
            }
            switch card {
            case .valid: out.write("valid\"}")
            case .expired: out.write("expired\"}")
            case .revoked: out.write("revoked\"}")
            case .lost: out.write("lost\"}")
            }
        }
    }

    /// Writes `,"ref":"..."` when the request carried a ref.
    @inlinable
    static func writeRef<S: ByteSink>(of request: MatchRequest, into sink: inout S) {
        guard request.contains(.ref) else { return }
        sink.write(",\"ref\":")
        request.withText(.ref) { sink.write(jsonString: $0) }
    }

    static func writeField(_ attribute: Attribute, _ field: FieldResult, to out: inout RawJSONWriter) {
        switch attribute {
        case .idNumber: out.write("\"idNumber\":{\"result\":\"")
        case .fullName: out.write("\"fullName\":{\"result\":\"")
        case .dateOfBirth: out.write("\"dateOfBirth\":{\"result\":\"")
        case .sex: out.write("\"sex\":{\"result\":\"")
        case .placeOfOrigin: out.write("\"placeOfOrigin\":{\"result\":\"")
        case .placeOfResidence: out.write("\"placeOfResidence\":{\"result\":\"")
        case .phoneNumber: out.write("\"phoneNumber\":{\"result\":\"")
        case .cardIssueDate: out.write("\"cardIssueDate\":{\"result\":\"")
        case .residenceCardNumber: out.write("\"residenceCardNumber\":{\"result\":\"")
        }
        switch field.outcome {
        case .match: out.write("match\",\"score\":")
        case .partial: out.write("partial\",\"score\":")
        case .mismatch: out.write("mismatch\",\"score\":")
        }
        out.write(score: field.score)
        if field.reasons.isEmpty {
            out.write(",\"reasons\":[]}")
            return
        }
        out.write(",\"reasons\":[")
        var first = true
        for reason in field.reasons {
            if !first { out.write(byte: UInt8(ascii: ",")) }
            first = false
            switch reason {
            case .caseDiffers: out.write("\"case_differs\"")
            case .toneMarkPlacement: out.write("\"tone_mark_placement\"")
            case .noDiacritics: out.write("\"no_diacritics\"")
            case .diacriticsDiffer: out.write("\"diacritics_differ\"")
            case .invisibleCharacters: out.write("\"invisible_characters\"")
            case .tokenOrderDiffers: out.write("\"token_order_differs\"")
            case .typo: out.write("\"typo\"")
            case .missingToken: out.write("\"missing_token\"")
            case .monthOnly: out.write("\"month_only\"")
            case .yearOnly: out.write("\"year_only\"")
            case .dayMonthSwapped: out.write("\"day_month_swapped\"")
            case .administrativeUnitRenamed: out.write("\"administrative_unit_renamed\"")
            case .provinceOnly: out.write("\"province_only\"")
            case .lessSpecific: out.write("\"less_specific\"")
            case .legacyPrefix: out.write("\"legacy_prefix\"")
            case .differentValue: out.write("\"different_value\"")
            case .transliterated: out.write("\"transliterated\"")
            case .nameOrderSwapped: out.write("\"name_order_swapped\"")
            case .punctuationDiffers: out.write("\"punctuation_differs\"")
            }
        }
        out.write("]}")
    }
}

/// Writes JSON into raw memory the caller sized beforehand (no capacity checks): static fragments are one `memcpy`
/// of a constant length each.
@usableFromInline
struct RawJSONWriter: ByteSink {
    let base: UnsafeMutableRawPointer
    private(set) var count = 0

    init(_ base: UnsafeMutableRawPointer) { self.base = base }

    /// Counts `n` bytes the caller stored at `base + count` itself.
    @inline(__always)
    mutating func skip(_ n: Int) { count += n }

    @inline(__always)
    mutating func write(_ string: StaticString) {
        (base + count).copyMemory(from: string.utf8Start, byteCount: string.utf8CodeUnitCount)
        count += string.utf8CodeUnitCount
    }

    @inline(__always) @usableFromInline
    mutating func write(byte: UInt8) {
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always) @usableFromInline
    mutating func write(bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// 0...255 in decimal.
    @inline(__always)
    mutating func write(score: UInt8) {
        if score >= 100 {
            write(byte: 0x30 + score / 100)
            write(byte: 0x30 + score / 10 % 10)
        } else if score >= 10 {
            write(byte: 0x30 + score / 10)
        }
        write(byte: 0x30 + score % 10)
    }

    /// Lowercase hex of `bytes`, eight bytes at a time: each nibble spread to a byte, then mapped to its digit
    /// without a table ('0' + n, plus 39 more for a-f).
    mutating func write(hex bytes: UnsafeRawBufferPointer) {
        var target = base + count
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            // Output order: first byte's high nibble first. Build two words of 8 nibbles each.
            for half in 0..<2 {
                let part = UInt32(truncatingIfNeeded: word >> (half == 0 ? 32 : 0))
                var spread = UInt64(part)
                spread = (spread | spread << 16) & 0x0000_FFFF_0000_FFFF
                spread = (spread | spread << 8) & 0x00FF_00FF_00FF_00FF
                spread = (spread | spread << 4) & 0x0F0F_0F0F_0F0F_0F0F
                // spread holds the nibbles most significant first from the top byte: reverse to memory order.
                let nibbles = spread.byteSwapped
                let letters = ((nibbles &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
                let text = nibbles &+ 0x3030_3030_3030_3030 &+ letters &* 39
                target.storeBytes(of: text.littleEndian, as: UInt64.self)
                target += 8
            }
            offset += 8
        }
        let digits: StaticString = "0123456789abcdef"
        let table = digits.utf8Start
        while offset < bytes.count {
            let byte = bytes[offset]
            target.storeBytes(of: table[Int(byte >> 4)], as: UInt8.self)
            (target + 1).storeBytes(of: table[Int(byte & 0xF)], as: UInt8.self)
            target += 2
            offset += 1
        }
        count += 2 * bytes.count
    }

    /// The most bytes `write(jsonString:)` writes for `bytes`.
    static func maximumStringLength(_ bytes: UnsafeRawBufferPointer) -> Int { 2 + 6 * bytes.count }
}

import Foundation
import IDGateChip
import IDGateCore

/// A validated `POST /v1/chip/verify` body, read with the wire's strict `JSONValue` parser (duplicate keys and
/// malformed JSON refused with the byte offset) and validated like the match route (unknown fields rejected, the
/// field named).
public struct ChipVerifyRequest: Sendable, Equatable {
    public struct ActiveAuth: Sendable, Equatable {
        public var challengeId: String
        public var signature: [UInt8]
    }

    public var sod: [UInt8]
    public var dataGroups: [Int: [UInt8]]
    public var activeAuth: ActiveAuth?
    public var purpose: String?
    public var ref: String?

    /// Whether active authentication applies: the SOD lists DG15 (the chip's AA public key).
    public func sodCoversDG15(_ verification: ChipVerificationResult) -> Bool {
        verification.sodDataGroupHashes[15] != nil
    }

    /// The request, or the error naming the field. A well-formed body is read in one pass straight from its bytes
    /// (`readWellFormed`: base64 decoded from the input, no document tree, no strings for the kilobytes of SOD and
    /// data groups); any other body goes through `parseChecked`, whose order of checks decides which error is
    /// reported.
    public static func parse(_ body: UnsafeRawBufferPointer, maxBytes: Int) -> Result<ChipVerifyRequest, WireError> {
        guard body.count <= maxBytes else {
            return .failure(WireError(.bodyTooLarge, message: "chip verification bodies are limited to \(maxBytes) bytes"))
        }
        if let request = readWellFormed(body) { return .success(request) }
        return parseChecked(body)
    }

    /// Reads the body through the document tree and checks it in a fixed order (syntax, shape, unknown fields
    /// sorted, then field by field): the reference `readWellFormed` must agree with on every body it accepts.
    public static func parseChecked(_ body: UnsafeRawBufferPointer) -> Result<ChipVerifyRequest, WireError> {
        let parsed = JSONValue.parse(body)
        guard case .success(let document) = parsed else {
            if case .failure(let error) = parsed { return .failure(error) }
            return .failure(WireError(.invalidJSON, message: "the body is not valid JSON"))
        }
        guard case .object(let members) = document else {
            return .failure(WireError(.invalidJSON, message: "the body must be a JSON object"))
        }
        let fields = Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0.value) })
        let known: Set<String> = ["sod", "dataGroups", "activeAuth", "purpose", "ref"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            return .failure(WireError(.unknownField, message: "unknown field \(unknown)", field: unknown))
        }
        guard let sodText = fields["sod"] else {
            return .failure(WireError(.missingField, message: "sod is required", field: "sod"))
        }
        guard let sod = base64(sodText) else {
            return .failure(WireError(.invalidField, message: "sod must be base64", field: "sod"))
        }
        guard let groupsObject = fields["dataGroups"] else {
            return .failure(WireError(.missingField, message: "dataGroups is required", field: "dataGroups"))
        }
        guard case .object(let groupMembers) = groupsObject, !groupMembers.isEmpty else {
            return .failure(WireError(
                .invalidField, message: "dataGroups must be an object of data-group number to base64", field: "dataGroups"))
        }
        var dataGroups: [Int: [UInt8]] = [:]
        let groups = Dictionary(uniqueKeysWithValues: groupMembers.map { ($0.key, $0.value) })
        for key in groups.keys.sorted() {
            guard let number = Int(key), (1...16).contains(number), String(number) == key else {
                return .failure(WireError(
                    .invalidField, message: "data group numbers are 1 to 16", field: "dataGroups.\(key)"))
            }
            guard let bytes = base64(groups[key]!), !bytes.isEmpty else {
                return .failure(WireError(.invalidField, message: "must be non-empty base64", field: "dataGroups.\(key)"))
            }
            dataGroups[number] = bytes
        }
        var request = ChipVerifyRequest(sod: sod, dataGroups: dataGroups)
        if let aa = fields["activeAuth"] {
            guard case .object(let aaMembers) = aa else {
                return .failure(WireError(.invalidField, message: "activeAuth must be an object", field: "activeAuth"))
            }
            let aa = Dictionary(uniqueKeysWithValues: aaMembers.map { ($0.key, $0.value) })
            if let unknown = aa.keys.sorted().first(where: { $0 != "challengeId" && $0 != "signature" }) {
                return .failure(WireError(
                    .unknownField, message: "unknown field activeAuth.\(unknown)", field: "activeAuth.\(unknown)"))
            }
            guard case .string(let id) = aa["challengeId"], !id.isEmpty else {
                return .failure(WireError(
                    .missingField, message: "activeAuth.challengeId is required", field: "activeAuth.challengeId"))
            }
            guard let signature = aa["signature"].flatMap(base64), !signature.isEmpty else {
                return .failure(WireError(
                    .invalidField, message: "activeAuth.signature must be base64", field: "activeAuth.signature"))
            }
            request.activeAuth = ActiveAuth(challengeId: id, signature: signature)
        }
        for name in ["purpose", "ref"] {
            guard let value = fields[name] else { continue }
            guard case .string(let text) = value, text.utf8.count <= 128 else {
                return .failure(WireError(.invalidField, message: "\(name) must be a string of at most 128 bytes", field: name))
            }
            guard !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
                return .failure(WireError(.invalidField, message: "\(name) contains a control character", field: name))
            }
            if name == "purpose" { request.purpose = text } else { request.ref = text }
        }
        return .success(request)
    }

    /// The request when the body is exactly what `parseChecked` accepts, read in one pass without a document tree;
    /// nil for anything else (malformed JSON, a duplicate or unknown key, a wrong type, bad base64, a limit
    /// exceeded): `parseChecked` then finds the error to report. So it never needs an error path of its own, and it
    /// accepts only bodies the checked parser accepts with the same result (`ChipVerifyParseTests`, FuzzWire).
    public static func readWellFormed(_ body: UnsafeRawBufferPointer) -> ChipVerifyRequest? {
        var cursor = JSONCursor(body)
        var scratch: [UInt8] = []
        var sod: [UInt8]?
        var dataGroups: [Int: [UInt8]]?
        var activeAuth: ActiveAuth?
        var sawActiveAuth = false
        var purpose: String?
        var ref: String?
        do throws(JSONCursor.SyntaxError) {
            let complete = try readMembers(&cursor, scratch: &scratch) { key, cursor, scratch throws(JSONCursor.SyntaxError) in
                switch Member(key) {
                case .sod:
                    guard sod == nil else { return false }
                    sod = try readBase64(&cursor, scratch: &scratch)
                    return sod != nil
                case .dataGroups:
                    guard dataGroups == nil else { return false }
                    dataGroups = try readDataGroups(&cursor, scratch: &scratch)
                    return dataGroups != nil
                case .activeAuth:
                    guard !sawActiveAuth else { return false }
                    sawActiveAuth = true
                    activeAuth = try readActiveAuth(&cursor, scratch: &scratch)
                    return activeAuth != nil
                case .purpose:
                    guard purpose == nil else { return false }
                    purpose = try readString(&cursor, scratch: &scratch, Self.shortPrintable)
                    return purpose != nil
                case .ref:
                    guard ref == nil else { return false }
                    ref = try readString(&cursor, scratch: &scratch, Self.shortPrintable)
                    return ref != nil
                case .unknown:
                    return false
                }
            }
            cursor.skipWhitespace()
            guard complete, cursor.isAtEnd else { return nil }
        } catch {
            return nil
        }
        guard let sod, let dataGroups else { return nil }
        var request = ChipVerifyRequest(sod: sod, dataGroups: dataGroups)
        request.activeAuth = activeAuth
        request.purpose = purpose
        request.ref = ref
        return request
    }

    private enum Member {
        case sod, dataGroups, activeAuth, purpose, ref, unknown

        init(_ name: UnsafeRawBufferPointer) {
            switch name.count {
            case 3 where name.elementsEqual("sod".utf8): self = .sod
            case 3 where name.elementsEqual("ref".utf8): self = .ref
            case 7 where name.elementsEqual("purpose".utf8): self = .purpose
            case 10 where name.elementsEqual("dataGroups".utf8): self = .dataGroups
            case 10 where name.elementsEqual("activeAuth".utf8): self = .activeAuth
            default: self = .unknown
            }
        }
    }

    /// Reads an object (the cursor on its `{`) of at least one member whose keys have no escapes, handing each key
    /// to `member`, which reads the value; false (stop) for an empty object, a key with escapes, or a member that
    /// gave up.
    private static func readMembers(
        _ cursor: inout JSONCursor, scratch: inout [UInt8],
        _ member: (UnsafeRawBufferPointer, inout JSONCursor, inout [UInt8]) throws(JSONCursor.SyntaxError) -> Bool
    ) throws(JSONCursor.SyntaxError) -> Bool {
        try cursor.consume(UInt8(ascii: "{"), "")
        while true {
            guard try cursor.peek() == UInt8(ascii: "\"") else { return false }
            let key = try cursor.scanString(scratch: &scratch)
            guard !key.inScratch else { return false }
            try cursor.consume(UInt8(ascii: ":"), "")
            guard try member(cursor.slice(key), &cursor, &scratch) else { return false }
            if try cursor.peek() == UInt8(ascii: ",") {
                cursor.index += 1
                continue
            }
            try cursor.consume(UInt8(ascii: "}"), "")
            return true
        }
    }

    /// A string value's decoded bytes lent to `body` (`JSONCursor.readString`); nil when the value is not a string.
    private static func readString<R>(
        _ cursor: inout JSONCursor, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> R?
    ) throws(JSONCursor.SyntaxError) -> R? {
        guard try cursor.peek() == UInt8(ascii: "\"") else { return nil }
        return try cursor.readString(scratch: &scratch, body)
    }

    /// A string value's bytes decoded from base64 (nil: not a string, or not strict base64).
    private static func readBase64(_ cursor: inout JSONCursor, scratch: inout [UInt8]) throws(JSONCursor.SyntaxError)
        -> [UInt8]?
    {
        try readString(&cursor, scratch: &scratch) { Base64.decode($0) }
    }

    /// `{"1": "<base64>", ...}`: numbers 1 to 16 written plainly, each once, non-empty base64 values, at least one.
    private static func readDataGroups(_ cursor: inout JSONCursor, scratch: inout [UInt8])
        throws(JSONCursor.SyntaxError) -> [Int: [UInt8]]?
    {
        var groups: [Int: [UInt8]] = [:]
        let complete = try readMembers(&cursor, scratch: &scratch) { key, cursor, scratch throws(JSONCursor.SyntaxError) in
            guard let number = dataGroupNumber(key), groups[number] == nil,
                let bytes = try readBase64(&cursor, scratch: &scratch), !bytes.isEmpty
            else { return false }
            groups[number] = bytes
            return true
        }
        return complete ? groups : nil
    }

    /// "1" to "16" (no sign, no leading zero).
    private static func dataGroupNumber(_ text: UnsafeRawBufferPointer) -> Int? {
        guard let first = text.first, first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9") else { return nil }
        switch text.count {
        case 1: return Int(first - UInt8(ascii: "0"))
        case 2 where first == UInt8(ascii: "1") && text[1] >= UInt8(ascii: "0") && text[1] <= UInt8(ascii: "6"):
            return 10 + Int(text[1] - UInt8(ascii: "0"))
        default: return nil
        }
    }

    /// `{"challengeId": "<non-empty>", "signature": "<non-empty base64>"}`, both, each once, nothing else.
    private static func readActiveAuth(_ cursor: inout JSONCursor, scratch: inout [UInt8])
        throws(JSONCursor.SyntaxError) -> ActiveAuth?
    {
        var challengeId: String?
        var signature: [UInt8]?
        let complete = try readMembers(&cursor, scratch: &scratch) { key, cursor, scratch throws(JSONCursor.SyntaxError) in
            if key.elementsEqual("challengeId".utf8) {
                guard challengeId == nil else { return false }
                challengeId = try readString(&cursor, scratch: &scratch) { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) }
                return challengeId != nil
            }
            if key.elementsEqual("signature".utf8) {
                guard signature == nil else { return false }
                signature = try readBase64(&cursor, scratch: &scratch).flatMap { $0.isEmpty ? nil : $0 }
                return signature != nil
            }
            return false
        }
        guard complete, let challengeId, let signature else { return nil }
        return ActiveAuth(challengeId: challengeId, signature: signature)
    }

    /// `purpose` and `ref`: at most 128 bytes, no control character.
    private static func shortPrintable(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count <= 128, !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    private init(sod: [UInt8], dataGroups: [Int: [UInt8]]) {
        self.sod = sod
        self.dataGroups = dataGroups
    }

    private static func base64(_ value: JSONValue) -> [UInt8]? {
        guard case .string(let text) = value else { return nil }
        return Base64.decode(text)
    }
}

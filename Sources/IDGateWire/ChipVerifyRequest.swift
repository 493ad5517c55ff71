import Foundation
import IDGateChip
import IDGateCore

/// A validated `POST /v1/chip/verify` body, read with the wire's strict `JSONValue` parser (duplicate keys and
/// malformed JSON refused with the byte offset) and validated like the match route (unknown fields rejected, the
/// field named).
public struct ChipVerifyRequest: Sendable {
    public struct ActiveAuth: Sendable {
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

    public static func parse(_ body: UnsafeRawBufferPointer, maxBytes: Int) -> Result<ChipVerifyRequest, WireError> {
        guard body.count <= maxBytes else {
            return .failure(WireError(.bodyTooLarge, message: "chip verification bodies are limited to \(maxBytes) bytes"))
        }
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

    private init(sod: [UInt8], dataGroups: [Int: [UInt8]]) {
        self.sod = sod
        self.dataGroups = dataGroups
    }

    private static func base64(_ value: JSONValue) -> [UInt8]? {
        guard case .string(let text) = value else { return nil }
        return Base64.decode(text)
    }
}

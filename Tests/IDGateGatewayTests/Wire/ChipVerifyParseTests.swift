import IDGateWire
import Testing

/// The chip verify body's one-pass reader (`readWellFormed`) against the checked parser it stands in for: it accepts
/// the bodies clients send, with the same request, and hands every other body to the checked parser, so errors
/// (which field, which code, which offset) do not change.
@Suite struct ChipVerifyParseTests {
    static let sod = "MIIBCgKCAQEAs/9+"
    static let group1 = "YV9fX19f"
    static let group13 = "bRM/Pz8/"

    func fast(_ body: String) -> ChipVerifyRequest? {
        Array(body.utf8).withUnsafeBytes { ChipVerifyRequest.readWellFormed($0) }
    }

    func checked(_ body: String) -> Result<ChipVerifyRequest, WireError> {
        Array(body.utf8).withUnsafeBytes { ChipVerifyRequest.parseChecked($0) }
    }

    func parsed(_ body: String) -> Result<ChipVerifyRequest, WireError> {
        Array(body.utf8).withUnsafeBytes { ChipVerifyRequest.parse($0, maxBytes: 1 << 20) }
    }

    static let wellFormed: [String] = [
        #"{"sod":"\#(sod)","dataGroups":{"1":"\#(group1)","13":"\#(group13)"}}"#,
        #"{"dataGroups":{"13":"\#(group13)","1":"\#(group1)","16":"AA=="},"sod":"\#(sod)","purpose":"kyc","ref":"a b"}"#,
        #" { "sod" : "\#(sod)" , "dataGroups" : { "15" : "AAE=" } , "activeAuth" : { "signature" : "AAECAw==" , "challengeId" : "0a1b" } } "#,
        // Escapes inside values: "\/" is how some encoders write '/'; a purpose with a non-ASCII letter.
        #"{"sod":"MIIBCgKCAQEAs\/9+","dataGroups":{"2":"bRM\/Pz8\/"},"purpose":"m\u1EE5c \u0111\u00EDch"}"#,
        #"{"sod":"","dataGroups":{"1":"AA=="}}"#,
    ]

    @Test(arguments: wellFormed)
    func wellFormedBodiesAreReadInOnePassAsTheCheckedParserReadsThem(_ body: String) throws {
        let request = try #require(fast(body))
        guard case .success(let reference) = checked(body) else {
            Issue.record("the checked parser refused \(body)")
            return
        }
        #expect(request == reference)
        guard case .success(let viaParse) = parsed(body) else { Issue.record("parse refused \(body)"); return }
        #expect(viaParse == reference)
    }

    @Test func valuesAreDecoded() throws {
        let request = try #require(fast(Self.wellFormed[2]))
        #expect(request.sod == [0x30, 0x82, 0x01, 0x0A, 0x02, 0x82, 0x01, 0x01, 0x00, 0xB3, 0xFF, 0x7E])
        #expect(request.dataGroups == [15: [0x00, 0x01]])
        #expect(request.activeAuth?.challengeId == "0a1b")
        #expect(request.activeAuth?.signature == [0, 1, 2, 3])
        let escaped = try #require(fast(Self.wellFormed[3]))
        #expect(escaped.sod == request.sod)
        #expect(escaped.purpose == "mục đích")
    }

    /// Bodies the one-pass reader leaves to the checked parser, with the error that parser reports.
    static let refused: [(body: String, code: WireError.Code, field: String?)] = [
        ("", .invalidJSON, nil),
        ("[]", .invalidJSON, nil),
        (#"{}"#, .missingField, "sod"),
        (#"{"sod":"\#(sod)"}"#, .missingField, "dataGroups"),
        (#"{"sod":"\#(sod)","dataGroups":{}}"#, .invalidField, "dataGroups"),
        (#"{"sod":"\#(sod)","dataGroups":{"1":"\#(group1)"},"extra":1}"#, .unknownField, "extra"),
        (#"{"zz":1,"sod":"x","aa":2,"dataGroups":{"1":"\#(group1)"}}"#, .unknownField, "aa"),
        (#"{"sod":"\#(sod)","sod":"\#(sod)","dataGroups":{"1":"\#(group1)"}}"#, .invalidJSON, nil),
        (#"{"sod":"not base64!","dataGroups":{"1":"\#(group1)"}}"#, .invalidField, "sod"),
        (#"{"sod":12,"dataGroups":{"1":"\#(group1)"}}"#, .invalidField, "sod"),
        (#"{"sod":"\#(sod)","dataGroups":{"01":"\#(group1)"}}"#, .invalidField, "dataGroups.01"),
        (#"{"sod":"\#(sod)","dataGroups":{"17":"\#(group1)"}}"#, .invalidField, "dataGroups.17"),
        (#"{"sod":"\#(sod)","dataGroups":{"2":"\#(group1)","1":""}}"#, .invalidField, "dataGroups.1"),
        (#"{"sod":"\#(sod)","dataGroups":{"1":"\#(group1)","1":"\#(group1)"}}"#, .invalidJSON, nil),
        (#"{"sod":"\#(sod)","dataGroups":{"1":"\#(group1)"},"activeAuth":{}}"#, .missingField, "activeAuth.challengeId"),
        (#"{"sod":"\#(sod)","dataGroups":{"1":"\#(group1)"},"activeAuth":{"challengeId":"","signature":"AA=="}}"#, .missingField, "activeAuth.challengeId"),
        (#"{"sod":"\#(sod)","dataGroups":{"1":"\#(group1)"},"activeAuth":{"challengeId":"a"}}"#, .invalidField, "activeAuth.signature"),
        (#"{"sod":"\#(sod)","dataGroups":{"1":"\#(group1)"},"activeAuth":{"challengeId":"a","signature":"AA==","x":1}}"#, .unknownField, "activeAuth.x"),
        (#"{"sod":"\#(sod)","dataGroups":{"1":"\#(group1)"},"activeAuth":[]}"#, .invalidField, "activeAuth"),
        (#"{"sod":"\#(sod)","dataGroups":{"1":"\#(group1)"},"purpose":"a\tb"}"#, .invalidField, "purpose"),
        (#"{"sod":"\#(sod)","dataGroups":{"1":"\#(group1)"},"ref":"\#(String(repeating: "r", count: 129))"}"#, .invalidField, "ref"),
        (#"{"sod":"\#(sod)","dataGroups":{"1":"\#(group1)"},"ref":7}"#, .invalidField, "ref"),
        (#"{"sod":"\#(sod)","dataGroups":{"1":"\#(group1)"}} x"#, .invalidJSON, nil),
        (#"{"sod":"\#(sod)","dataGroups":{"1":"\#(group1)"}"#, .invalidJSON, nil),
    ]

    @Test func malformedBodiesGetTheCheckedParsersError() {
        for (body, code, field) in Self.refused {
            #expect(fast(body) == nil, "read in one pass: \(body)")
            guard case .failure(let error) = parsed(body) else {
                Issue.record("accepted \(body)")
                continue
            }
            #expect(error.code == code, "\(body)")
            #expect(error.field == field, "\(body)")
            guard case .failure(let reference) = checked(body) else { continue }
            #expect(error == reference, "\(body)")
        }
    }

    /// A key written with an escape is still the key: left to the checked parser, which accepts it.
    @Test func escapedKeysAreLeftToTheCheckedParser() {
        let body = #"{"so\u0064":"\#(Self.sod)","dataGroups":{"1":"\#(Self.group1)"}}"#
        #expect(fast(body) == nil)
        guard case .success(let request) = parsed(body) else { Issue.record("refused an escaped key"); return }
        #expect(request.dataGroups[1] == [0x61, 0x5F, 0x5F, 0x5F, 0x5F, 0x5F])
    }
}

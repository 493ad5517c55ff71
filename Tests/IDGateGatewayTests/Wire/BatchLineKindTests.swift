import Foundation
import IDGateWire
import Testing

/// A batch line's `"kind"`: found anywhere among the top-level members, blanked so the kind's strict parser reads
/// the rest at the same byte offsets, refused by name when it is not one of the kinds.
@Suite struct BatchLineKindTests {
    func read(_ line: String) -> (kind: BatchLineKind?, body: String, ref: String?, error: (String, String?)?) {
        var blanked: [UInt8] = []
        let bytes = Array(line.utf8)
        let result = bytes.withUnsafeBytes { BatchLineKind.read($0, blanked: &blanked) }
        switch result {
        case .success(let reading):
            return (reading.kind, reading.isBlanked ? String(decoding: blanked, as: UTF8.self) : line, reading.ref, nil)
        case .failure(let refused):
            return (nil, line, refused.ref, (refused.error.code.rawValue, refused.error.field))
        }
    }

    @Test func linesWithoutAKindAreIdentityLinesReadAsTheyAre() {
        let line = #"{"idNumber":"001085012345","fullName":"A","ref":"r"}"#
        let reading = read(line)
        #expect(reading.kind == .identity)
        #expect(reading.body == line)
        // "kind" inside a value is not a member.
        #expect(read(#"{"idNumber":"001085012345","fullName":"\"kind\"","ref":"r"}"#).kind == .identity)
        // Malformed JSON is left to the identity parser (which names the byte offset).
        #expect(read(#"{"kind":"document","#).kind == .identity)
    }

    @Test func theKindMemberIsBlankedWherePlacedAndTheRestStaysValidJSON() throws {
        for (line, kind) in [
            (#"{"kind":"document","documentType":"driving-licence","ref":"a"}"#, BatchLineKind.document),
            (#"{"documentType":"driving-licence", "kind" : "document" ,"ref":"a"}"#, .document),
            (#"{"organizationId":"0101234567","ref":"a","kind":"organization"}"#, .organization),
            (#"{ "kind":"identity" }"#, .identity),
            (#"{"idNumber":"001085012345","kind":"identity","ref":"a"}"#, .identity),
        ] {
            let reading = read(line)
            #expect(reading.kind == kind, "\(line)")
            #expect(reading.body.utf8.count == line.utf8.count)
            #expect(!reading.body.contains("kind"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(reading.body.utf8)) as? [String: String], "\(reading.body)")
            #expect(object["kind"] == nil)
            if line.contains(#""ref":"a""#) { #expect(object["ref"] == "a" && reading.ref == "a") }
        }
    }

    @Test func aKindThatIsNotOneOfTheKindsIsRefusedNamingKind() {
        for line in [
            #"{"kind":"passport","ref":"p"}"#, #"{"kind":3,"ref":"p"}"#, #"{"kind":null,"ref":"p"}"#,
            #"{"kind":"document","kind":"document","ref":"p"}"#, #"{"kind":"Document","ref":"p"}"#,
        ] {
            let reading = read(line)
            #expect(reading.kind == nil, "\(line)")
            #expect(reading.error?.0 == "invalid_field")
            #expect(reading.error?.1 == "kind")
            #expect(reading.ref == "p")
        }
    }
}

import IDGateGateway
import IDGateCore
import IDGateDemo
import IDGateAudit
import IDGateWire
import Testing

@Suite struct JSONValueTests {
    func parse(_ text: String) -> Result<JSONValue, WireError> {
        Array(text.utf8).withUnsafeBytes { JSONValue.parse($0) }
    }

    @Test func parsesNestedDocumentsKeepingOrderAndNumberText() throws {
        let value = try parse(#" {"sod":"AAE=","dataGroups":{"1":"Ag==","13":"Aw=="},"n":[1,-2.5e10,true,false,null],"s":"\u0111"} "#).get()
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["sod", "dataGroups", "n", "s"])
        #expect(value["sod"] == .string("AAE="))
        #expect(value["dataGroups"]?["13"] == .string("Aw=="))
        #expect(value["n"] == .array([.number("1"), .number("-2.5e10"), .bool(true), .bool(false), .null]))
        #expect(value["s"] == .string("đ"))
        #expect(value["missing"] == nil)
    }

    @Test func rejectsDuplicatesTrailingDataAndBadSyntax() {
        for text in [#"{"a":1,"a":2}"#, "[1] 2", "{", "[1,]", "01", "\"\\ud800\"", ""] {
            guard case .failure(let error) = parse(text) else {
                Issue.record("accepted \(text.debugDescription)")
                continue
            }
            #expect(error.code == .invalidJSON)
        }
        guard case .failure(let duplicate) = parse(#"{"a":1,"a":2}"#) else { return }
        #expect(duplicate.message.contains("byte 7"))
    }
}

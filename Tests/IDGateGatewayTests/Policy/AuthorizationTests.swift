import Foundation
import IDGateStore
import Testing
@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

@Suite struct AuthorizationTests {
    /// A telco that may match (not batch, not chip) names, birth dates and phones for SIM registration.
    static func telco() throws -> Client {
        let registry = try ClientRegistry(file: ClientRegistryFile(clients: [ClientConfiguration(
            id: "telco", kind: .telco, operations: [.match],
            attributes: ["idNumber", "fullName", "dateOfBirth", "phoneNumber"], purposes: ["sim-registration"])]))
        return try #require(registry.client(id: "telco"))
    }

    @Test func allowedRequestPasses() throws {
        let error = try Self.telco().authorize(
            operation: .match, attributes: AttributeSet([.idNumber, .fullName, .phoneNumber]), purpose: "sim-registration")
        #expect(error == nil)
    }

    @Test func disallowedOperationIs403NamingIt() throws {
        let error = try Self.telco().authorize(operation: .chipVerify, attributes: AttributeSet([.idNumber]), purpose: "sim-registration")
        #expect(error?.status == 403)
        #expect(error?.code == "forbidden")
        #expect(error?.field == "chipVerify")
    }

    @Test func disallowedAttributeIs403NamingIt() throws {
        let error = try Self.telco().authorize(
            operation: .match, attributes: AttributeSet([.idNumber, .fullName, .placeOfResidence]), purpose: "sim-registration")
        #expect(error?.status == 403)
        #expect(error?.field == "placeOfResidence")
        #expect(error?.message.contains("placeOfResidence") == true)
    }

    @Test func disallowedPurposeIs403() throws {
        let error = try Self.telco().authorize(operation: .match, attributes: AttributeSet([.idNumber]), purpose: "marketing")
        #expect(error?.status == 403)
        #expect(error?.field == "purpose")
    }

    @Test func missingRequiredPurposeIs422() throws {
        let error = try Self.telco().authorize(operation: .match, attributes: AttributeSet([.idNumber]), purpose: nil)
        #expect(error?.status == 422)
        #expect(error?.code == "missing_field")
        #expect(error?.field == "purpose")
    }

    @Test(arguments: [
        "sim-registration\r\nX-Injected: 1", "sim\nregistration", "tab\there", String(repeating: "p", count: 65), "",
        " padded", "mục-đích", "nul\u{0}byte",
    ])
    func malformedPurposeIs422(purpose: String) throws {
        let error = try Self.telco().authorize(operation: .match, attributes: AttributeSet([.idNumber]), purpose: purpose)
        #expect(error?.status == 422)
        #expect(error?.code == "invalid_field")
        #expect(error?.field == "purpose")
    }

    @Test func purposeNotRequiredWhenPolicyListsNone() throws {
        let registry = try ClientRegistry(file: ClientRegistryFile(clients: [ClientConfiguration(id: "open", kind: .tester)]))
        let client = try #require(registry.client(id: "open"))
        #expect(client.authorize(operation: .batch, attributes: .all, purpose: nil) == nil)
        #expect(client.authorize(operation: .batch, attributes: .all, purpose: "anything-printable") == nil)
        #expect(client.authorize(operation: .batch, attributes: .all, purpose: "bad\r\n")?.status == 422)
    }
}

import Foundation
import Testing
@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

/// `idgate clients …` end to end: the printed key works, the file never holds it.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: IDGateCLI.url.path), "needs the idgate executable (swift build)"))
struct ClientsCommandTests {
    static func printedKey(_ output: String) throws -> String {
        let range = try #require(output.range(of: #"idg_[0-9a-f]{8}_[A-Za-z0-9_-]{43}"#, options: .regularExpression))
        return String(output[range])
    }

    @Test func addRotateDisableLifecycle() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let file = directory.appending("clients.json").path

        let added = try IDGateCLI.run([
            "clients", "add", "--file", file, "--id", "telco-x", "--kind", "telco", "--api-key",
            "--operations", "match", "--attributes", "idNumber", "fullName", "phoneNumber", "--purposes", "sim-registration",
            "--rate", "50", "--burst", "10", "--daily-quota", "1000",
        ])
        #expect(added.status == 0, "\(added.output)")
        let firstKey = try Self.printedKey(added.output)
        #expect(!(try String(contentsOfFile: file, encoding: .utf8)).contains(firstKey))

        let registry = try ClientRegistry(fileURL: URL(fileURLWithPath: file))
        let client = try registry.authenticate(apiKey: Array(firstKey.utf8)).get()
        #expect(client.authorize(operation: .match, attributes: .init([.idNumber, .placeOfOrigin]), purpose: "sim-registration")?.field == "placeOfOrigin")
        #expect(client.rateLimit == RateLimitConfiguration(requestsPerSecond: 50, burst: 10))
        #expect(client.dailyQuota == 1000)

        let rotated = try IDGateCLI.run(["clients", "rotate-key", "--file", file, "--id", "telco-x", "--grace", "0"])
        #expect(rotated.status == 0, "\(rotated.output)")
        let secondKey = try Self.printedKey(rotated.output)
        try registry.reload()
        #expect(registry.authenticate(apiKey: Array(firstKey.utf8)).failureValue?.status == 401)
        #expect(try registry.authenticate(apiKey: Array(secondKey.utf8)).get().id == "telco-x")

        let listed = try IDGateCLI.run(["clients", "list", "--file", file])
        #expect(listed.output.contains("telco-x\ttelco\tenabled"))
        #expect(!listed.output.contains(secondKey))

        #expect(try IDGateCLI.run(["clients", "disable", "--file", file, "--id", "telco-x"]).status == 0)
        try registry.reload()
        #expect(registry.authenticate(apiKey: Array(secondKey.utf8)).failureValue?.concealedReason == "client is disabled")
    }

    @Test func refusesBadInput() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let file = directory.appending("clients.json").path
        let noCredential = try IDGateCLI.run(["clients", "add", "--file", file, "--id", "x", "--kind", "bank"])
        #expect(noCredential.status != 0)
        let badAttribute = try IDGateCLI.run([
            "clients", "add", "--file", file, "--id", "x", "--kind", "bank", "--api-key", "--attributes", "homeAddress",
        ])
        #expect(badAttribute.status != 0)
        #expect(!FileManager.default.fileExists(atPath: file))
        let unknown = try IDGateCLI.run(["clients", "rotate-key", "--file", file, "--id", "nobody"])
        #expect(unknown.status != 0)
    }
}

import Foundation
import IDGateAudit
import IDGateDemo
import IDGateTestSupport
import Testing
@testable import IDGateGateway

/// The crash matrix, `idgate serve` row: SIGKILL of a gateway answering a steady load loses no answered request's
/// audit record (durability `beforeResponse`: an answer leaves only after its record's `fdatasync`), the log still
/// verifies, and the restarted gateway serves again (issue 17). The kill lands after a number of answers, not after
/// a time: whatever was in flight at that moment may be lost, never something a client saw.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: IDGateCLI.url.path), "needs the idgate executable (swift build)"))
struct KilledServerTests {
    static let answersBeforeKill = 400

    @Test func everyAnswerSeenBeforeTheKillHasItsAuditRecord() async throws {
        let scratch = try ScratchDirectory("idgate-killed-server")
        defer { scratch.remove() }
        let demo = try await SharedDemo.shared.directory()
        let layout = DemoLayout(root: demo)
        var configuration = try GatewayConfiguration.load(path: layout.configuration.path, environment: [:])
        configuration.server.listeners = [.h2c(host: "127.0.0.1", port: 0)]
        configuration.server.threads = 2
        configuration.audit.directory = scratch.appending("audit").path
        configuration.audit.durability = .beforeResponse
        configuration.state.directory = scratch.appending("state").path
        let configFile = scratch.appending("config.json")
        try JSONEncoder().encode(configuration).write(to: configFile)

        let credentials = try JSONSerialization.jsonObject(with: Data(contentsOf: layout.credentials)) as! [String: Any]
        let apiKey = try #require((credentials["clients"] as! [[String: Any]]).first { $0["id"] as? String == "demo-tester" }?["apiKey"] as? String)
        let bodies = try String(contentsOf: layout.sample, encoding: .utf8).split(separator: "\n").prefix(200).compactMap { line -> String? in
            guard var record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let idNumber = record["idNumber"], let fullName = record["fullName"] else { return nil }
            record = ["idNumber": idNumber, "fullName": fullName, "purpose": "account-opening"]
            return String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self)
        }
        try #require(bodies.count >= 100)

        let server = try ServeProcess(configuration: configFile, log: scratch.appending("serve-1.log"))
        defer { if server.process.isRunning { server.kill9() } }
        try await server.waitUntilListening()

        let load = Process()
        load.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("steady_load.py").path
        load.arguments = ["python3", script]
        let input = Pipe(), output = Pipe()
        load.standardInput = input
        load.standardOutput = output
        load.standardError = FileHandle.nullDevice
        try load.run()
        defer { if load.isRunning { load.terminate() } }
        let spec: [String: Any] = ["port": server.port, "apiKey": apiKey, "bodies": bodies, "connections": 4, "streams": 16]
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: spec))
        try input.fileHandleForWriting.close()

        // Read answers until enough have arrived, kill the server mid-load, then read what else had already been
        // answered until the load script sees every connection fail and ends.
        var answered: [String] = []
        var pending = ""
        var killed = false
        while true {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            pending += String(decoding: chunk, as: UTF8.self)
            var lines = pending.split(separator: "\n", omittingEmptySubsequences: false)
            pending = String(lines.removeLast())
            answered += lines.map(String.init)
            if !killed && answered.count >= Self.answersBeforeKill {
                server.kill9()
                killed = true
            }
        }
        load.waitUntilExit()
        #expect(killed, "the load ended after \(answered.count) answers, before the kill: \(server.log)")
        #expect(server.process.terminationReason == .uncaughtSignal)

        // What a restarted gateway does first: open the log (a torn tail is cut), then everything verifies.
        let key = try AuditKey.load(from: URL(fileURLWithPath: configuration.audit.keyFile))
        let audit = URL(fileURLWithPath: configuration.audit.directory)
        try AuditLog(configuration: AuditLogConfiguration(directory: audit, key: key, minimumFreeBytes: 0)).close()
        let report = try AuditVerifier.verify(directory: audit, key: key)
        #expect(report.isIntact, "\(report.failures)")
        let recorded = Set(try AuditQuery().run(directory: audit, key: nil).map(\.transactionID))
        let lost = answered.filter { !recorded.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) of \(answered.count) answered requests have no audit record: \(lost.prefix(5))")
        #expect(recorded.count >= answered.count)

        // The restarted gateway serves on the same audit log.
        let restarted = try ServeProcess(configuration: configFile, log: scratch.appending("serve-2.log"))
        defer { if restarted.process.isRunning { restarted.kill9() } }
        try await restarted.waitUntilListening()
        let probe = try await Subprocess.run([
            "curl", "-s", "--http2-prior-knowledge", "-H", "authorization: Bearer \(apiKey)", "-H",
            "content-type: application/json", "--data", bodies[0], "-o", "/dev/null", "-w", "%{http_code}",
            "http://127.0.0.1:\(restarted.port)/v1/identity/match",
        ])
        #expect(probe.text == "200")
        restarted.kill9()
    }
}

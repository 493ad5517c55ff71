import Foundation
import IDGateAudit
import IDGateDemo
import IDGateTestSupport
import Testing
@testable import IDGateGateway

/// The guessing counts survive kill -9 of a real `idgate serve` process: once the flush that follows the fifth
/// failed answer is in the journal (waited for by reading the journal, not by a clock), a SIGKILL and a restart
/// keep the subject refused. What a crash can lose is only what was not flushed yet (docs/CLIENTS.md).
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: IDGateCLI.url.path), "needs the idgate executable (swift build)"))
struct GuessingCrashTests {
    func match(port: Int, apiKey: String, body: [String: Any]) async throws -> (status: Int, code: String?) {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let result = try await Subprocess.run([
            "curl", "-s", "--http2-prior-knowledge", "-H", "authorization: Bearer \(apiKey)", "-H",
            "content-type: application/json", "--data", json, "-w", "\n%{http_code}",
            "http://127.0.0.1:\(port)/v1/identity/match",
        ])
        let lines = result.text.split(separator: "\n")
        let status = Int(lines.last ?? "") ?? 0
        let answer = (try? JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8))) as? [String: Any]
        return (status, (answer?["error"] as? [String: Any])?["code"] as? String)
    }

    @Test func refusalHoldsAfterKill9OnceTheFifthFailureIsFlushed() async throws {
        let scratch = try ScratchDirectory("idgate-guess-crash")
        defer { scratch.remove() }
        let demo = try await SharedDemo.shared.directory()
        var configuration = try GatewayConfiguration.load(path: DemoLayout(root: demo).configuration.path, environment: [:])
        configuration.server.listeners = [.h2c(host: "127.0.0.1", port: 0)]
        configuration.server.threads = 1
        configuration.audit.directory = scratch.appending("audit").path
        configuration.state.directory = scratch.appending("state").path
        let configFile = scratch.appending("config.json")
        try JSONEncoder().encode(configuration).write(to: configFile)

        let credentials = try JSONSerialization.jsonObject(with: Data(contentsOf: DemoLayout(root: demo).credentials)) as! [String: Any]
        let apiKey = try #require((credentials["clients"] as! [[String: Any]]).first { $0["id"] as? String == "demo-agency" }?["apiKey"] as? String)
        let text = try String(contentsOf: DemoLayout(root: demo).sample, encoding: .utf8)
        let record = try #require(text.split(separator: "\n").lazy.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.first { ($0["dateOfBirth"] as? String)?.count == 10 && ($0["recordStatus"] as? String) == "active" })
        func guess(_ attempt: Int) -> [String: Any] {
            ["idNumber": record["idNumber"]!, "dateOfBirth": "19\(10 + attempt)-02-03", "purpose": "account-opening"]
        }

        let first = try ServeProcess(configuration: configFile, log: scratch.appending("serve-1.log"))
        defer { if first.process.isRunning { first.kill9() } }
        try await first.waitUntilListening()
        for attempt in 0..<5 {
            #expect(try await match(port: first.port, apiKey: apiKey, body: guess(attempt)).status == 200)
        }
        // Wait for the effect: the journal holds the pair's fifth failure (the flush runs every second).
        let journal = scratch.appending("state").appendingPathComponent(CounterJournal.fileName)
        var flushed = false
        for _ in 0..<600 where !flushed {
            let entries = CounterJournal.read(Array((try? Data(contentsOf: journal)) ?? Data())).entries
            flushed = entries.contains { if case .attempts(let pair, let attempts) = $0 { pair.clientID == "demo-agency" && attempts.failures == 5 } else { false } }
            if !flushed { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        #expect(flushed)
        first.kill9()
        #expect(first.process.terminationReason == .uncaughtSignal)

        let second = try ServeProcess(configuration: configFile, log: scratch.appending("serve-2.log"))
        defer { if second.process.isRunning { second.kill9() } }
        try await second.waitUntilListening()
        let refused = try await match(port: second.port, apiKey: apiKey, body: guess(5))
        #expect(refused.status == 429)
        #expect(refused.code == "subject_attempts_exceeded")
        second.kill9()
    }
}

import Foundation
import IDGateTestSupport

/// Runs a command-line tool (curl, nghttp, h2load, openssl, python3) and captures its output: tests talk to the
/// server with real HTTP/2 clients.
struct ExternalProcess {
    typealias Result = Subprocess.Result

    /// Runs `arguments[0]` (looked up in PATH) to completion, off the cooperative thread pool.
    static func run(_ arguments: [String], stdin: Data? = nil) async throws -> Result {
        try await Subprocess.run(arguments, stdin: stdin)
    }

    /// Runs an abuse scenario of `attacks/attacks.py` against `port` and returns its JSON report.
    static func attack(_ scenario: String, port: Int) async throws -> [String: Any] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("attacks/attacks.py").path
        let result = try await run(["python3", script, scenario, "127.0.0.1", String(port)])
        guard result.status == 0,
              let json = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] else {
            throw AttackScriptError(output: result.text + result.stderr)
        }
        return json
    }
}

struct AttackScriptError: Error, CustomStringConvertible {
    let output: String
    var description: String { "attack script failed: \(output)" }
}

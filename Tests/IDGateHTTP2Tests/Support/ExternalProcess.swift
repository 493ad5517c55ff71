import Foundation

/// Runs a command-line tool (curl, nghttp, h2load, openssl, python3) and captures its output: tests talk to the
/// server with real HTTP/2 clients.
struct ExternalProcess {
    struct Result {
        let status: Int32
        let stdout: Data
        let stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `arguments[0]` (looked up in PATH) to completion, off the cooperative thread pool.
    static func run(_ arguments: [String], stdin: Data? = nil) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    continuation.resume(returning: try runBlocking(arguments, stdin: stdin))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    private static func runBlocking(_ arguments: [String], stdin: Data?) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        // Read both pipes concurrently so a chatty tool cannot block on a full pipe.
        nonisolated(unsafe) var errorData = Data()
        let errorReader = Thread { errorData = errors.fileHandleForReading.readDataToEndOfFile() }
        errorReader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while errorReader.isExecuting || !errorReader.isFinished { usleep(1_000) }
        return Result(status: process.terminationStatus, stdout: outputData, stderr: String(decoding: errorData, as: UTF8.self))
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

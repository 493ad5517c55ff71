import Foundation
import IDGateDemo
import IDGateTestSupport

/// A running `idgate serve` child with its h2c port (read from its log).
final class ServeProcess {
    let process = Process()
    let log: URL
    private(set) var port = 0

    init(configuration: URL, log: URL) throws {
        self.log = log
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = IDGateCLI.url
        process.arguments = ["serve", "--config", configuration.path]
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// Waits until the log names the h2c listener (or the process ends, or 60 s pass: a failure, not a race).
    func waitUntilListening() async throws {
        for _ in 0..<600 {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"127\.0\.0\.1:[0-9]+ tls=false"#, options: .regularExpression) {
                let found = text[range].dropFirst("127.0.0.1:".count).prefix { $0.isNumber }
                port = Int(found)!
                return
            }
            guard process.isRunning else { throw HarnessError("idgate serve ended: \(text)") }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw HarnessError("idgate serve did not listen")
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

import Foundation
import Synchronization

/// Runs a command-line tool to completion off the cooperative pool, capturing its output.
public enum Subprocess {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: Data
        public let stderr: String
        public var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `arguments[0]` (looked up in PATH); both pipes are drained concurrently so a chatty tool cannot block.
    public static func run(_ arguments: [String], stdin: Data? = nil) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    process.arguments = arguments
                    let output = Pipe()
                    let errors = Pipe()
                    let input = Pipe()
                    process.standardOutput = output
                    process.standardError = errors
                    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
                    try process.run()
                    if let stdin {
                        input.fileHandleForWriting.write(stdin)
                        try input.fileHandleForWriting.close()
                    }
                    // The stderr reader hands its bytes over under a lock: polling `Thread.isFinished` orders
                    // nothing (ThreadSanitizer reported the read racing the reader's write).
                    let errorData = Handoff()
                    let errorReader = Thread {
                        let data = errors.fileHandleForReading.readDataToEndOfFile()
                        errorData.bytes.withLock { $0 = data }
                    }
                    errorReader.start()
                    let outputData = output.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    var stderr = errorData.bytes.withLock { $0 }
                    while stderr == nil {
                        usleep(1_000)
                        stderr = errorData.bytes.withLock { $0 }
                    }
                    continuation.resume(returning: Result(
                        status: process.terminationStatus, stdout: outputData,
                        stderr: String(decoding: stderr ?? Data(), as: UTF8.self)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

/// What a reader thread read, for the thread that waits for it.
private final class Handoff: Sendable {
    let bytes = Mutex<Data?>(nil)
}

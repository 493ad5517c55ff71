import Foundation

/// A server process the tests start on 127.0.0.1 (nghttpd, or the Python misbehaving server) and stop by its pid.
final class ExternalServer: @unchecked Sendable {
    // @unchecked Sendable: `process` is only started in `init` and terminated in `stop`, both from the test.
    let process: Process
    let port: Int

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    deinit { stop() }

    /// SIGKILL, then a bounded wait for the exit. (A child spawned from a dispatch worker thread inherits its blocked
    /// signal mask, so SIGTERM from `terminate()` would be ignored and `waitUntilExit` would hang.)
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<300 where process.isRunning { usleep(10_000) }
    }

    /// The Python server in `mode` (see `misbehavingServerScript`); it prints its port first.
    static func python(mode: String, apiKey: String = "test-key") throws -> ExternalServer {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-load-test-server.py")
        if !FileManager.default.fileExists(atPath: script.path) || (try? String(contentsOf: script, encoding: .utf8)) != misbehavingServerScript {
            try misbehavingServerScript.write(to: script, atomically: true, encoding: .utf8)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, mode, apiKey]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line += byte
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw TestSetupError("python server did not report a port")
        }
        return ExternalServer(process: process, port: port)
    }

    /// nghttpd serving `docroot` on a free loopback port, h2c unless a key and certificate are given.
    static func nghttpd(docroot: String, tls: (key: String, certificate: String)? = nil, echoUpload: Bool = false) throws -> ExternalServer {
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nghttpd")
        var arguments = ["--address=127.0.0.1", "-d", docroot] + (echoUpload ? ["--echo-upload"] : [])
        if let tls { arguments += [String(port), tls.key, tls.certificate] } else { arguments += ["--no-tls", String(port)] }
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = ExternalServer(process: process, port: port)
        for _ in 0..<200 where !canConnect(port: port) { usleep(10_000) }
        guard canConnect(port: port) else { throw TestSetupError("nghttpd did not start") }
        return server
    }

    /// A port nothing listens on (bound once, then released).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw TestSetupError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A temporary directory removed when the value is dropped.
final class TemporaryDirectory: @unchecked Sendable {
    // @unchecked Sendable: immutable after init.
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-load-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relative: String, _ data: Data) throws -> String {
        let file = (path as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: file))
        return file
    }
}

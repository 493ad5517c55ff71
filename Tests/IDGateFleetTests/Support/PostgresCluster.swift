import Foundation
import IDGateFleet
import Testing

/// A private PostgreSQL cluster for one test, started through scripts/postgres.sh on a free loopback port in a
/// temporary directory, and destroyed afterwards.
struct PostgresCluster {
    let directory: String
    let port: Int
    let source: PostgresSource

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/postgres.sh").path

    /// Runs `body` with a fresh cluster, destroying it however `body` ends.
    static func with<Result>(_ body: (PostgresCluster) async throws -> Result) async throws -> Result {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-fleet-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let port = try freeLoopbackPort()
        let directory = root + "/pg"
        let cluster: PostgresCluster
        do {
            let output = try await run("start", "--dir", directory, "--port", String(port))
            var environment: [String: String] = [:]
            for line in output.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { environment[parts[0]] = parts[1] }
            }
            cluster = PostgresCluster(directory: directory, port: port, source: try PostgresSource.fromEnvironment(environment))
        } catch {
            _ = try? await run("destroy", "--dir", directory)
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
        do {
            let result = try await body(cluster)
            _ = try? await run("destroy", "--dir", directory)
            try? FileManager.default.removeItem(atPath: root)
            return result
        } catch {
            _ = try? await run("destroy", "--dir", directory)
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
    }

    /// A directory for a node's registry beside the cluster.
    func nodeDirectory(_ name: String) -> String {
        URL(fileURLWithPath: directory).deletingLastPathComponent().appendingPathComponent(name).path
    }

    func stop() async throws { _ = try await Self.run("stop", "--dir", directory) }
    func start() async throws { _ = try await Self.run("start", "--dir", directory, "--port", String(port)) }

    /// Runs SQL as the cluster's superuser through psql (over the cluster's private socket), for what the tests
    /// do behind the registry's back: corrupting the change log, dropping the schema.
    func psql(_ sql: String) async throws -> String {
        let asOwner = getuid() == 0 ? ["runuser", "-u", "postgres", "--"] : []
        let result = try await ToolRun.run(asOwner + [
            "psql", "-h", directory, "-p", String(port), "-U", "idgate", "-d",
            "idgate", "-v", "ON_ERROR_STOP=1", "-Atq", "-c", sql,
        ])
        guard result.status == 0 else { throw ClusterError(message: "psql failed: \(result.errors)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func run(_ arguments: String...) async throws -> String {
        let result = try await ToolRun.run(["bash", script] + arguments)
        guard result.status == 0 else {
            throw ClusterError(message: "postgres.sh \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.errors)")
        }
        return result.output
    }

    /// A port the kernel just handed out on 127.0.0.1 (closed again for PostgreSQL to take).
    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError(message: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ClusterError(message: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct ClusterError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Waits (polling, bounded) until `condition` holds; fails the test with `what` when it does not in time.
func waitUntil(
    _ what: String, timeout: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out after \(timeout) waiting for: \(what)", sourceLocation: sourceLocation)
    throw ClusterError(message: "timed out waiting for: \(what)")
}

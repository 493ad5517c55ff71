import Foundation
import IDGateAudit
import IDGateDemo
@testable import IDGateGateway
import IDGateStore
import Logging
import Testing

/// Personal data, keys, credentials and the audit trail are owner-only whatever the umask, and the gateway refuses
/// to trust keys, a clients file or an audit directory others could rewrite.
@Suite(.serialized) struct FileModeTests {
    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) & 0o777
    }

    /// Runs `body` with the process umask at 0 (the most permissive), restoring it after.
    static func underUmaskZero<T>(_ body: () throws -> T) rethrows -> T {
        let previous = umask(0)
        defer { umask(previous) }
        return try body()
    }

    @Test func registryFilesAndDirectoriesAreOwnerOnlyUnderUmaskZero() throws {
        let scratch = try ScratchDirectory("idgate-modes")
        defer { scratch.remove() }
        let registry = scratch.appending("deep/registry").path
        try Self.underUmaskZero {
            _ = try RegistryImporter(directory: registry).importRecords(ResidentGenerator(seed: 7).prefix(50))
        }
        #expect(try Self.mode(scratch.appending("deep").path) == 0o700)
        #expect(try Self.mode(registry) == 0o700)
        #expect(try Self.mode(registry + "/.lock") == 0o600)
        let generations = try FileManager.default.contentsOfDirectory(atPath: registry).filter { $0.hasPrefix("gen-") }
        try #require(generations.count == 1)
        let generation = registry + "/" + generations[0]
        #expect(try Self.mode(generation) == 0o700)
        for file in try FileManager.default.contentsOfDirectory(atPath: generation) {
            #expect(try Self.mode(generation + "/" + file) == 0o600, "\(file)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: generation).contains("data.mdb"))
    }

    @Test func auditClientsAndConfigurationFilesAreOwnerOnlyUnderUmaskZero() throws {
        let scratch = try ScratchDirectory("idgate-modes")
        defer { scratch.remove() }
        let auditDirectory = scratch.appending("var/audit")
        let clients = scratch.appending("clients.json")
        let layout = DemoLayout(root: scratch.url)
        try Self.underUmaskZero {
            let log = try AuditLog(configuration: AuditFixture.configuration(auditDirectory))
            try AuditFixture.append(log, AuditFixture.record(1)).get()
            log.close()
            try ClientRegistryFile(clients: []).save(to: clients)
            try GatewayDemo.writeConfiguration(layout: layout, h2cPort: 8080, tlsPort: 8443)
        }
        #expect(try Self.mode(scratch.appending("var").path) == 0o700)
        #expect(try Self.mode(auditDirectory.path) == 0o700)
        let segments = try AuditDirectory.segmentURLs(in: auditDirectory)
        try #require(!segments.isEmpty)
        for segment in segments { #expect(try Self.mode(segment.path) == 0o600) }
        #expect(try Self.mode(clients.path) == 0o600)
        #expect(try Self.mode(layout.configuration.path) == 0o600)
        // Saving again replaces the file and keeps the mode.
        try Self.underUmaskZero { try ClientRegistryFile(clients: []).save(to: clients) }
        #expect(try Self.mode(clients.path) == 0o600)
    }

    @Test func serveRefusesAWorldWritableClientsFile() async throws {
        let demo = try await SharedDemo.shared.directory()
        let scratch = try ScratchDirectory("idgate-modes")
        defer { scratch.remove() }
        var configuration = try GatewayConfiguration.load(path: DemoLayout(root: demo).configuration.path, environment: [:])
        configuration.audit.directory = scratch.appending("audit").path
        let clients = scratch.appending("clients.json")
        try FileManager.default.copyItem(atPath: configuration.clients.file, toPath: clients.path)
        configuration.clients.file = clients.path
        #expect(chmod(clients.path, 0o600) == 0)
        try GatewayServices.refuseFilesWritableByOthers(configuration)

        #expect(chmod(clients.path, 0o666) == 0)
        let error = #expect(throws: ConfigurationError.self) {
            _ = try Gateway(configuration: configuration, logger: Logger(label: "test"))
        }
        #expect(error?.description.contains(clients.path) == true, "\(String(describing: error))")
        #expect(error?.description.contains("world-writable") == true)
        #expect(!FileManager.default.fileExists(atPath: configuration.audit.directory), "refused before opening anything")
    }

    @Test func serveRefusesGroupWritableKeysAndAuditDirectory() async throws {
        let demo = try await SharedDemo.shared.directory()
        let scratch = try ScratchDirectory("idgate-modes")
        defer { scratch.remove() }
        var configuration = try GatewayConfiguration.load(path: DemoLayout(root: demo).configuration.path, environment: [:])
        let audit = scratch.appending("audit")
        try FileManager.default.createDirectory(at: audit, withIntermediateDirectories: false)
        #expect(chmod(audit.path, 0o770) == 0)
        configuration.audit.directory = audit.path
        let key = scratch.appending("signing.key")
        try FileManager.default.copyItem(atPath: configuration.signing.keyFile, toPath: key.path)
        #expect(chmod(key.path, 0o620) == 0)
        configuration.signing.keyFile = key.path
        configuration.signing.enabled = true
        let error = #expect(throws: ConfigurationError.self) { try GatewayServices.refuseFilesWritableByOthers(configuration) }
        #expect(error?.description.contains(audit.path + " is group-writable") == true, "\(String(describing: error))")
        #expect(error?.description.contains(key.path + " is group-writable") == true, "\(String(describing: error))")
    }
}

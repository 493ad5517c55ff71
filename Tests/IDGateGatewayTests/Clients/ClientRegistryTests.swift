import Foundation
import IDGateMatching
import IDGateStore
import Prometheus
import Testing
@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

@Suite struct ClientRegistryTests {
    /// A registry with one API-key client and one certificate client; returns the key.
    static func makeRegistry(now: Date = Date()) throws -> (ClientRegistry, ClientRegistryFile, String) {
        var file = ClientRegistryFile()
        let key = try file.add(ClientConfiguration(id: "bank-a", kind: .bank), withAPIKey: true, now: now)!
        _ = try file.add(ClientConfiguration(
            id: "telco-b", kind: .telco,
            credentials: ClientCredentials(
                certificateSubjects: ["CN=telco-b, O=Telco B, C=VN"],
                certificateFingerprints: [String(repeating: "ab:", count: 31) + "ab"])),
            withAPIKey: false)
        return (try ClientRegistry(file: file), file, key)
    }

    @Test func apiKeyAuthenticatesItsClient() throws {
        let (registry, _, key) = try Self.makeRegistry()
        let client = try registry.authenticate(apiKey: Array(key.utf8)).get()
        #expect(client.id == "bank-a")
        #expect(client.kind == .bank)
    }

    @Test func unknownAPIKeyIs401() throws {
        let (registry, _, key) = try Self.makeRegistry()
        var wrong = Array(key.utf8)
        wrong[wrong.count - 1] ^= 1
        let result = registry.authenticate(apiKey: wrong)
        #expect(result.failureValue?.status == 401)
        #expect(result.failureValue?.code == "unauthenticated")
    }

    @Test func missingCredentialsIs401() throws {
        let (registry, _, _) = try Self.makeRegistry()
        #expect(registry.authenticate(apiKey: nil).failureValue?.status == 401)
    }

    @Test func certificateByFingerprintAndBySubject() throws {
        let (registry, _, _) = try Self.makeRegistry()
        let fingerprint = [UInt8](repeating: 0xAB, count: 32)
        #expect(try registry.authenticate(apiKey: nil, peerFingerprint: fingerprint).get().id == "telco-b")
        #expect(try registry.authenticate(apiKey: nil, peerSubject: "CN=telco-b,O=Telco B,C=VN").get().id == "telco-b")
    }

    @Test func unregisteredCertificateIs401() throws {
        let (registry, _, _) = try Self.makeRegistry()
        let result = registry.authenticate(
            apiKey: nil, peerFingerprint: [UInt8](repeating: 0xCD, count: 32), peerSubject: "CN=intruder")
        #expect(result.failureValue?.status == 401)
        #expect(result.failureValue?.message.contains("not registered") == true)
    }

    @Test func wrongAPIKeyIsNotRescuedByAValidCertificate() throws {
        let (registry, _, _) = try Self.makeRegistry()
        let result = registry.authenticate(apiKey: Array("idg_bogus".utf8), peerFingerprint: [UInt8](repeating: 0xAB, count: 32))
        #expect(result.failureValue?.status == 401)
    }

    @Test func disabledClientIs401() throws {
        let (registry, original, key) = try Self.makeRegistry()
        var file = original
        try file.setEnabled(false, clientID: "bank-a")
        try registry.replace(with: file)
        let result = registry.authenticate(apiKey: Array(key.utf8))
        #expect(result.failureValue?.status == 401)
        #expect(result.failureValue?.concealedReason == "client is disabled")
        #expect(result.failureValue?.refusedClientID == "bank-a")
        // The caller learns nothing more than for a key that does not exist.
        #expect(result.failureValue?.message == registry.authenticate(apiKey: Array("idg_nosuchkey".utf8)).failureValue?.message)
        #expect(result.failureValue?.code == "unauthenticated")
    }

    @Test func rotationKeepsOldKeyDuringGraceThenRefusesIt() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var (_, file, oldKey) = try Self.makeRegistry(now: start)
        let newKey = try file.rotateKey(clientID: "bank-a", grace: 3600, now: start)
        let registry = try ClientRegistry(file: file)
        #expect(file.clients[0].credentials.apiKeys.count == 2)
        #expect(try registry.authenticate(apiKey: Array(oldKey.utf8), now: start.addingTimeInterval(1800)).get().id == "bank-a")
        #expect(try registry.authenticate(apiKey: Array(newKey.utf8), now: start.addingTimeInterval(1800)).get().id == "bank-a")
        let late = start.addingTimeInterval(3601)
        #expect(registry.authenticate(apiKey: Array(oldKey.utf8), now: late).failureValue?.message.contains("expired") == true)
        #expect(try registry.authenticate(apiKey: Array(newKey.utf8), now: late).get().id == "bank-a")
        // A later rotation drops the expired key from the file.
        _ = try file.rotateKey(clientID: "bank-a", grace: 60, now: late)
        #expect(file.clients[0].credentials.apiKeys.count == 2)
    }

    @Test func rotationWithoutGraceRevokesAtOnce() throws {
        var (_, file, oldKey) = try Self.makeRegistry()
        let newKey = try file.rotateKey(clientID: "bank-a", grace: 0)
        let registry = try ClientRegistry(file: file)
        #expect(registry.authenticate(apiKey: Array(oldKey.utf8)).failureValue?.status == 401)
        #expect(try registry.authenticate(apiKey: Array(newKey.utf8)).get().id == "bank-a")
    }

    @Test func reloadSwapsSnapshotAndKeepsCounters() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let url = directory.appending("clients.json")
        var (_, file, key) = try Self.makeRegistry()
        try file.save(to: url)
        let prometheus = PrometheusCollectorRegistry()
        let registry = try ClientRegistry(fileURL: url, metricsRegistry: prometheus)
        let before = try registry.authenticate(apiKey: Array(key.utf8)).get()
        #expect(before.quota.consume(limit: 10, now: Date()))
        before.metrics.record(decision: .match, latencyMicros: 5)

        file.clients[0].attributes = ["idNumber", "fullName"]
        try file.save(to: url)
        try registry.reload()
        let after = try registry.authenticate(apiKey: Array(key.utf8)).get()
        #expect(after.attributes == AttributeSet([.idNumber, .fullName]))
        #expect(after !== before)
        #expect(after.quota.used() == 1)
        #expect(after.metrics === before.metrics)
        #expect(ClientMetricsTests.exposition(prometheus).contains("idgate_client_requests_total{client=\"\(after.id)\""))
        #expect(ClientMetricsTests.exposition(prometheus).contains(",kind=\"\(after.kind.rawValue)\"} 1"))
    }

    @Test func invalidReloadKeepsPreviousSnapshot() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let url = directory.appending("clients.json")
        var (_, file, key) = try Self.makeRegistry()
        try file.save(to: url)
        let registry = try ClientRegistry(fileURL: url)
        file.clients[1].credentials.apiKeys = file.clients[0].credentials.apiKeys
        try file.save(to: url)
        #expect(throws: ClientRegistryError.self) { try registry.reload() }
        try Data("{ not json".utf8).write(to: url)
        #expect(throws: (any Error).self) { try registry.reload() }
        #expect(try registry.authenticate(apiKey: Array(key.utf8)).get().id == "bank-a")
    }

    @Test func badConfigurationsAreRefused() throws {
        let bad: [ClientConfiguration] = [
            ClientConfiguration(id: "has space", kind: .bank),
            ClientConfiguration(id: "x", kind: .bank, attributes: ["homeAddress"]),
            ClientConfiguration(id: "y", kind: .bank, purposes: ["line\nbreak"]),
            ClientConfiguration(id: "z", kind: .bank, rateLimit: RateLimitConfiguration(requestsPerSecond: 0, burst: 1)),
        ]
        for configuration in bad {
            #expect(throws: ClientRegistryError.self) { try ClientRegistry(file: ClientRegistryFile(clients: [configuration])) }
        }
        var file = ClientRegistryFile(clients: [ClientConfiguration(id: "dup", kind: .bank)])
        #expect(throws: ClientRegistryError.self) { _ = try file.add(ClientConfiguration(id: "dup", kind: .telco), withAPIKey: false) }
    }

    @Test func fileStoresOnlyKeyHashes() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let url = directory.appending("clients.json")
        let (_, file, key) = try Self.makeRegistry()
        try file.save(to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(!text.contains(key))
        #expect(text.contains(SHA256Key.hashing(Array(key.utf8)).hex))
        #expect(try ClientRegistryFile.load(from: url) == file)
    }

    @Test func demoClientsCoverEveryKindAndAuthenticate() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let tls = directory.appending("tls")
        try FileManager.default.createDirectory(at: tls, withIntermediateDirectories: true)
        var derByClient: [String: [UInt8]] = [:]
        for id in DemoClients.certificateClientIDs {
            let der = (0..<300).map { _ in UInt8.random(in: 0...255) }
            derByClient[id] = der
            let pem = "-----BEGIN CERTIFICATE-----\n\(Data(der).base64EncodedString(options: .lineLength64Characters))\n-----END CERTIFICATE-----\n"
            try pem.write(to: tls.appendingPathComponent("\(id).pem"), atomically: true, encoding: .utf8)
        }
        let credentials = try DemoClients.write(layout: DemoLayout(root: directory.url))
        #expect(Set(credentials.map(\.kind)) == Set(ClientKind.allCases))
        #expect(credentials.contains { $0.apiKey == nil && $0.certificate != nil })
        #expect(credentials.contains { $0.apiKey != nil && $0.certificate == nil })
        let registry = try ClientRegistry(fileURL: DemoLayout(root: directory.url).clients)
        for credential in credentials {
            if let key = credential.apiKey {
                #expect(try registry.authenticate(apiKey: Array(key.utf8)).get().id == credential.id)
            }
            if credential.certificate != nil {
                let digest = derByClient[credential.id]!.withUnsafeBytes { SHA256Key.hashing($0) }
                let bytes = withUnsafeBytes(of: digest.words) { Array($0) }
                #expect(try registry.authenticate(apiKey: nil, peerFingerprint: bytes).get().id == credential.id)
            }
        }
        let telco = try #require(registry.client(id: "demo-telco"))
        #expect(!telco.attributes.contains(.placeOfResidence))
        let written = try Data(contentsOf: directory.appending("credentials.json"))
        let object = try JSONSerialization.jsonObject(with: written) as? [String: Any]
        #expect((object?["clients"] as? [[String: Any]])?.count == DemoClients.definitions.count)
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// A client's decisions per match reason come from `clients.json` (`reasonDecisions`).
@Suite struct ClientReasonDecisionsTests {
    static func file(_ decisions: String) -> Data {
        Data("""
            {"version": 1, "clients": [{"id": "bank-strict", "kind": "bank", "enabled": true,
              "credentials": {"certificateSubjects": [], "certificateFingerprints": [], "apiKeys": []},
              "operations": ["match"], "attributes": ["idNumber", "fullName"], "purposes": [],
              "rateLimit": {"requestsPerSecond": 10, "burst": 10}\(decisions)}]}
            """.utf8)
    }

    @Test func aBankTreatsAnotherDiacriticsSpellingAsMismatch() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let file = try decoder.decode(
            ClientRegistryFile.self, from: Self.file(#", "reasonDecisions": {"diacritics_differ": "mismatch"}"#))
        let client = try #require(try ClientRegistry(file: file).client(id: "bank-strict"))
        #expect(client.reasonDecisions[.diacriticsDiffer] == .mismatch)
        #expect(client.reasonDecisions[.dayMonthSwapped] == ReasonDecisionPolicy.standard[.dayMonthSwapped])
    }

    @Test func withoutReasonDecisionsTheStandardOnesApply() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let file = try decoder.decode(ClientRegistryFile.self, from: Self.file(""))
        let client = try #require(try ClientRegistry(file: file).client(id: "bank-strict"))
        #expect(client.reasonDecisions == .standard)
    }

    @Test func anUnknownReasonIsRefused() {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(throws: (any Error).self) {
            try decoder.decode(ClientRegistryFile.self, from: Self.file(#", "reasonDecisions": {"diacritic": "mismatch"}"#))
        }
    }
}

import Foundation
import IDGateChip
import IDGateTestSupport
import IDGateGateway
import IDGateCore
import IDGateDemo
import IDGateAudit
import IDGateWire
import IDGateStore
import Logging
import NIOCore

/// A demo folder built once per test process (registry, PKI, cards, TLS, clients): building it costs seconds.
actor SharedDemo {
    static let shared = SharedDemo()
    private var built: Task<URL, any Error>?

    /// Residents in the test registry (small: the tests need real records, not volume).
    static let residents = 3_000

    func directory() async throws -> URL {
        if let built { return try await built.value }
        let task = Task<URL, any Error> {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-e2e-\(UUID().uuidString)")
            try RegistryDemo.buildRegistry(directory: directory.path, residents: Self.residents, seed: 42)
            try GatewayDemo.build(directory: directory, cardCount: 60, h2cPort: 0, tlsPort: 0)
            return directory
        }
        built = task
        return try await task.value
    }
}

/// A real gateway on loopback ports chosen by the kernel, serving the shared demo registry with its own audit
/// directory; requests go through real HTTP/2 clients (httpx, curl).
final class GatewayHarness: @unchecked Sendable {
    let demo: URL
    let gateway: Gateway
    let h2cPort: Int
    let tlsPort: Int
    let auditDirectory: URL
    let configuration: GatewayConfiguration
    /// The operations listener's port, when the configuration has one.
    var operationsPort: Int?

    /// - Parameter adjust: changes to the demo configuration for this test (limits, durability, ...).
    static func start(_ adjust: (inout GatewayConfiguration) -> Void = { _ in }) async throws -> GatewayHarness {
        let demo = try await SharedDemo.shared.directory()
        var configuration = try GatewayConfiguration.load(path: DemoLayout(root: demo).configuration.path, environment: [:])
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-audit-\(UUID().uuidString)")
        configuration.audit.directory = audit.path
        configuration.server.threads = 2
        // Counters persist in a state directory of their own per gateway (tests run in parallel on one demo folder).
        configuration.state.directory = audit.path + "-state"
        adjust(&configuration)
        let gateway = try Gateway(configuration: configuration, logger: Logger(label: "test"))
        let addresses = try await gateway.start()
        let harness = GatewayHarness(
            demo: demo, gateway: gateway, h2cPort: addresses[0].port!, tlsPort: addresses[1].port!,
            auditDirectory: audit, configuration: configuration)
        if configuration.operations != nil { harness.operationsPort = addresses.last?.port }
        return harness
    }

    private init(demo: URL, gateway: Gateway, h2cPort: Int, tlsPort: Int, auditDirectory: URL, configuration: GatewayConfiguration) {
        self.demo = demo
        self.gateway = gateway
        self.h2cPort = h2cPort
        self.tlsPort = tlsPort
        self.auditDirectory = auditDirectory
        self.configuration = configuration
    }

    /// Drains and stops the gateway; `keepAudit` leaves the audit directory for the test to inspect.
    func stop(keepAudit: Bool = false) async {
        await gateway.shutdown()
        if !keepAudit {
            try? FileManager.default.removeItem(at: auditDirectory)
            try? FileManager.default.removeItem(atPath: auditDirectory.path + "-state")
        }
    }

    // MARK: Demo data

    struct Credential: Decodable {
        var id: String
        var kind: String
        var apiKey: String?
        var certificate: String?
        var privateKey: String?
    }

    func credential(_ id: String) throws -> Credential {
        struct File: Decodable { var clients: [Credential] }
        let data = try Data(contentsOf: DemoLayout(root: demo).credentials)
        guard let found = try JSONDecoder().decode(File.self, from: data).clients.first(where: { $0.id == id }) else {
            throw HarnessError("no demo client \(id)")
        }
        return found
    }

    func apiKey(_ id: String) throws -> String {
        guard let key = try credential(id).apiKey else { throw HarnessError("\(id) has no API key") }
        return key
    }

    /// Registry records from the demo sample (owning copies, straight from the store).
    func sampleRecords() throws -> [[String: Any]] {
        let text = try String(contentsOf: DemoLayout(root: demo).sample, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    // MARK: Talking HTTP/2

    struct Response {
        var status: Int
        var httpVersion: String
        var headers: [String: String]
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var errorField: String? { (json["error"] as? [String: Any])?["field"] as? String }
    }

    struct Request {
        var method = "POST"
        var path: String
        var headers: [String: String] = [:]
        /// Fields sent in addition to `headers`, in order, so a name can repeat.
        var repeatedHeaders: [(String, String)] = []
        var body: String? = nil
        var bodyFile: String? = nil
    }

    /// Sends `requests` over one HTTP/2 connection with httpx (h2c, or TLS with an optional client certificate),
    /// one after another or (`concurrent`) all at once as concurrent streams.
    func send(
        _ requests: [Request], tls: Bool = false, clientCertificate: String? = nil, concurrent: Bool = false
    ) async throws -> [Response] {
        var spec: [String: Any] = [
            "base": tls ? "https://127.0.0.1:\(tlsPort)" : "http://127.0.0.1:\(h2cPort)",
            "concurrent": concurrent,
            "requests": requests.map { request -> [String: Any] in
                var entry: [String: Any] = ["method": request.method, "path": request.path, "headers": request.headers]
                if !request.repeatedHeaders.isEmpty {
                    // A list of pairs (httpx sends each one): the only way to give a header twice.
                    entry["headers"] = request.headers.map { [$0.key, $0.value] } + request.repeatedHeaders.map { [$0.0, $0.1] }
                }
                if let body = request.body { entry["body"] = body }
                if let file = request.bodyFile { entry["bodyFile"] = file }
                return entry
            },
        ]
        if tls {
            spec["ca"] = DemoLayout(root: demo).tlsCA.path
            if let id = clientCertificate {
                let credential = try credential(id)
                spec["cert"] = credential.certificate
                spec["key"] = credential.privateKey
            }
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("h2client.py").path
        let result = try await Subprocess.run(["python3", script], stdin: try JSONSerialization.data(withJSONObject: spec))
        guard result.status == 0, let list = try? JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]] else {
            throw HarnessError("h2client.py failed: \(result.text) \(result.stderr)")
        }
        return try list.map { entry in
            if let error = entry["error"] as? String { throw HarnessError("transport: \(error)") }
            return Response(
                status: entry["status"] as! Int, httpVersion: entry["httpVersion"] as! String,
                headers: entry["headers"] as! [String: String], body: entry["body"] as! String)
        }
    }

    func send(_ request: Request, tls: Bool = false, clientCertificate: String? = nil) async throws -> Response {
        try await send([request], tls: tls, clientCertificate: clientCertificate)[0]
    }

    /// `POST /v1/identity/match` with a JSON object body and an API key.
    func match(_ body: [String: Any], apiKey: String) async throws -> Response {
        try await send(matchRequest(body, apiKey: apiKey))
    }

    func matchRequest(_ body: [String: Any], apiKey: String) -> Request {
        let data = try! JSONSerialization.data(withJSONObject: body)
        return Request(
            path: "/v1/identity/match",
            headers: ["authorization": "Bearer \(apiKey)", "content-type": "application/json"],
            body: String(decoding: data, as: UTF8.self))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}


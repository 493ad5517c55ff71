import Foundation
import IDGateDemo
import IDGateFleet
import IDGateGateway
import Logging
import ServiceLifecycle
import Testing

extension FleetTests {
    /// Guessing counts and daily quotas shared by two real gateways (HTTP/2 on loopback, each with its own state
    /// directory and sync) through one real PostgreSQL (docs/CLIENTS.md, "In a fleet"). Every wait is for an outcome:
    /// a completed sync round, a row in PostgreSQL, a metric.
    @Suite struct SharedCounterTests {
        @Test func failuresOnTwoNodesAddUpAndBothRefuseOnceTheFleetReachedTheLimit() async throws {
            let demo = try await ShippingDemo.shared.directory()
            try await PostgresCluster.with { cluster in
                let a = try await CounterNode.start(demo: demo, cluster: cluster, name: "a")
                let b = try await CounterNode.start(demo: demo, cluster: cluster, name: "b")
                let (idNumber, _) = try ShippingDemo.resident(demo, 10)
                let agency = try ShippingDemo.apiKey(demo, "demo-agency")
                // Limit 5 (the default): 4 failed answers on node A, then node B.
                for attempt in 0..<4 { #expect(try await a.guess(idNumber, attempt, apiKey: agency) == 200) }
                try await a.synced()
                #expect(try await cluster.psql(
                    "SELECT failures FROM idgate_guessing_counters WHERE client_id = 'demo-agency'") == "4")
                try await b.synced()
                // B holds the fleet's 4: its first failure is the fifth, its next request is refused.
                #expect(try await b.guess(idNumber, 4, apiKey: agency) == 200)
                let refusedOnB = try await b.post(
                    "/v1/identity/match", ["idNumber": idNumber, "fullName": "Tran Thi Sai", "purpose": "kyc-refresh"],
                    apiKey: agency)
                #expect(refusedOnB.status == 429 && refusedOnB.errorCode == "subject_attempts_exceeded", "\(refusedOnB.body)")
                // Node A refuses too once B's failure reached PostgreSQL and A read it back.
                try await b.synced()
                try await a.synced()
                #expect(try await a.guess(idNumber, 5, apiKey: agency) == 429)
                #expect(try await cluster.psql(
                    "SELECT failures FROM idgate_guessing_counters WHERE client_id = 'demo-agency'") == "5")
                // The row names no ID number: the subject is its 32-byte keyed hash.
                #expect(try await cluster.psql(
                    "SELECT length(subject_hash) FROM idgate_guessing_counters WHERE client_id = 'demo-agency'") == "32")

                // Concurrent failures about one subject on both nodes (a client that is counted, never refused):
                // every one reaches the shared count, none is lost between the nodes' upserts.
                let tester = try ShippingDemo.apiKey(demo, "demo-tester")
                let (other, _) = try ShippingDemo.resident(demo, 11)
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for attempt in 0..<24 {
                        let node = attempt % 2 == 0 ? a : b
                        group.addTask { try await node.guess(other, attempt, apiKey: tester) }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses == Array(repeating: 200, count: 24))
                try await a.synced()
                try await b.synced()
                #expect(try await cluster.psql(
                    "SELECT failures FROM idgate_guessing_counters WHERE client_id = 'demo-tester'") == "24")
                let metrics = try await a.get("/metrics").body.split(separator: "\n")
                #expect(metrics.contains("idgate_guessing_sync_connected 1.0"), "\(metrics)")
                #expect(metrics.contains("idgate_guessing_sync_failures_total 0"))
                // A node that joins (or comes back with an empty state directory) reads the open rows at its first
                // round: it refuses the exhausted pair without having answered about it.
                let c = try await CounterNode.start(demo: demo, cluster: cluster, name: "c")
                try await c.synced()
                #expect(try await c.guess(idNumber, 6, apiKey: agency) == 429)
                await a.stop()
                await b.stop()
                await c.stop()
            }
        }

        @Test func withPostgresDownANodeCountsAloneAndItsFailuresArriveOnceItIsBack() async throws {
            let demo = try await ShippingDemo.shared.directory()
            try await PostgresCluster.with { cluster in
                let a = try await CounterNode.start(demo: demo, cluster: cluster, name: "a")
                let b = try await CounterNode.start(demo: demo, cluster: cluster, name: "b")
                try await a.synced()
                try await b.synced()
                let (idNumber, _) = try ShippingDemo.resident(demo, 12)
                let agency = try ShippingDemo.apiKey(demo, "demo-agency")
                try await cluster.stop()
                // The node keeps answering and its own limit still holds.
                for attempt in 0..<5 { #expect(try await a.guess(idNumber, attempt, apiKey: agency) == 200) }
                #expect(try await a.guess(idNumber, 5, apiKey: agency) == 429)
                // /metrics says the sync fails, and how old the fleet's counts held here are.
                try await waitUntil("node A reports failed sync rounds") {
                    let lines = try await a.get("/metrics").body.split(separator: "\n")
                    return lines.contains("idgate_guessing_sync_connected 0.0")
                        && (CounterNode.value(lines, "idgate_guessing_sync_failures_total") ?? 0) >= 1
                }
                let age = CounterNode.value(try await a.get("/metrics").body.split(separator: "\n"), "idgate_guessing_sync_age_seconds")
                #expect((age ?? 0) > 0)
                // B has not seen them: it still answers about that subject.
                #expect(try await b.guess(idNumber, 6, apiKey: agency) == 200)

                try await cluster.start()
                try await a.synced()
                try await b.synced()
                // A's five failures and B's one, all there: B now refuses as well.
                #expect(try await cluster.psql(
                    "SELECT failures FROM idgate_guessing_counters WHERE client_id = 'demo-agency'") == "6")
                #expect(try await b.guess(idNumber, 7, apiKey: agency) == 429)
                await a.stop()
                await b.stop()
            }
        }

        @Test func aGracefulShutdownSharesTheLastFailuresBeforeTheSyncStops() async throws {
            let demo = try await ShippingDemo.shared.directory()
            try await PostgresCluster.with { cluster in
                // Rounds effectively off after the first: only the shutdown makes the sync send again.
                let (gateway, sync) = try CounterNode.make(demo: demo, cluster: cluster, name: "g", interval: .seconds(600))
                let (ports, port) = AsyncStream.makeStream(of: Int.self)
                let service = GatewayService(gateway: gateway, logger: FleetFixtures.quietLogger) { addresses in
                    port.yield(Int(addresses[0].split(separator: ":").last!)!)
                }
                // As `idgate serve --follow` runs them: the gateway last, so it shuts down first.
                let services: [any Service] = [sync, service]
                let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                    services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                    logger: FleetFixtures.quietLogger))
                let running = Task { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                let h2c = try #require(await iterator.next())
                try await waitUntil("the first round") { sync.status.completedRounds >= 1 }
                let (idNumber, _) = try ShippingDemo.resident(demo, 14)
                let agency = try ShippingDemo.apiKey(demo, "demo-agency")
                for attempt in 0..<3 {
                    let response = try await ShippingNode.post(
                        port: h2c, "/v1/identity/match",
                        ["idNumber": idNumber, "fullName": "Phan Van Doan \(attempt)", "purpose": "kyc-refresh"], apiKey: agency)
                    #expect(response.status == 200)
                }
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_guessing_counters") == "0")
                await group.triggerGracefulShutdown()
                try await running.value
                #expect(try await cluster.psql(
                    "SELECT failures FROM idgate_guessing_counters WHERE client_id = 'demo-agency'") == "3")
                #expect(try await cluster.psql(
                    "SELECT used FROM idgate_quota_counters WHERE client_id = 'demo-agency'") == "3")
            }
        }

        @Test func aDailyQuotaHoldsAcrossNodes() async throws {
            let demo = try await ShippingDemo.shared.directory()
            try await PostgresCluster.with { cluster in
                // demo-airline with a quota of 6 requests a day.
                let clients = try CounterNode.clientsFile(demo: demo, cluster: cluster, quotas: ["demo-airline": 6])
                let a = try await CounterNode.start(demo: demo, cluster: cluster, name: "a", clients: clients)
                let b = try await CounterNode.start(demo: demo, cluster: cluster, name: "b", clients: clients)
                let airline = try ShippingDemo.apiKey(demo, "demo-airline")
                let (idNumber, fullName) = try ShippingDemo.resident(demo, 13)
                let request: [String: Any] = ["idNumber": idNumber, "fullName": fullName, "purpose": "boarding-check"]
                for node in [a, b, a, b, a] {
                    let response = try await node.post("/v1/identity/match", request, apiKey: airline)
                    #expect(response.status == 200, "\(response.body)")
                }
                try await a.synced()
                try await b.synced()
                #expect(try await cluster.psql("SELECT sum(used) FROM idgate_quota_counters WHERE client_id = 'demo-airline'") == "5")
                try await a.synced()
                // One request left in the fleet: B serves it, then both refuse.
                #expect(try await b.post("/v1/identity/match", request, apiKey: airline).status == 200)
                let refusedOnB = try await b.post("/v1/identity/match", request, apiKey: airline)
                #expect(refusedOnB.status == 429 && refusedOnB.errorCode == "rate_limited", "\(refusedOnB.body)")
                try await b.synced()
                try await a.synced()
                let refusedOnA = try await a.post("/v1/identity/match", request, apiKey: airline)
                #expect(refusedOnA.status == 429 && refusedOnA.errorCode == "rate_limited", "\(refusedOnA.body)")
                #expect(try await cluster.psql("SELECT sum(used) FROM idgate_quota_counters WHERE client_id = 'demo-airline'") == "6")
                await a.stop()
                await b.stop()
            }
        }
    }
}

/// One gateway whose guessing counts and quotas are shared through PostgreSQL, as `idgate serve --follow` wires it
/// (every 100 ms here).
struct CounterNode: Sendable {
    let gateway: Gateway
    let sync: SharedCounterSync
    let port: Int
    let task: Task<Void, Never>

    static func start(demo: URL, cluster: PostgresCluster, name: String, clients: String? = nil) async throws -> CounterNode {
        let (gateway, sync) = try make(demo: demo, cluster: cluster, name: name, clients: clients)
        let task = Task { do { try await sync.run() } catch {} }
        let addresses = try await gateway.start()
        return CounterNode(gateway: gateway, sync: sync, port: addresses[0].port!, task: task)
    }

    /// A gateway on the demo folder with its own audit and state directories, bound to a fresh sync (not running).
    static func make(
        demo: URL, cluster: PostgresCluster, name: String, clients: String? = nil, interval: Duration = .milliseconds(100)
    ) throws -> (Gateway, SharedCounterSync) {
        var configuration = try GatewayConfiguration.load(path: DemoLayout(root: demo).configuration.path, environment: [:])
        let directory = cluster.nodeDirectory("counters-\(name)")
        configuration.audit.directory = directory + "/audit"
        configuration.audit.nodeId = "node-\(name)"
        configuration.state.directory = directory + "/state"
        configuration.state.flushIntervalSeconds = 0.1
        configuration.server.threads = 1
        if let clients { configuration.clients.file = clients }
        var options = SharedCounterSyncOptions()
        options.interval = interval
        options.maximumBackoff = .milliseconds(400)
        let sync = SharedCounterSync(source: cluster.source, options: options, logger: FleetFixtures.quietLogger)
        return (try Gateway(configuration: configuration, logger: FleetFixtures.quietLogger, sharedCounters: sync), sync)
    }

    /// A copy of the demo's clients file with other daily quotas, owner-only (the gateway refuses others).
    static func clientsFile(demo: URL, cluster: PostgresCluster, quotas: [String: Int]) throws -> String {
        let source = demo.appendingPathComponent("clients.json")
        var file = try JSONSerialization.jsonObject(with: Data(contentsOf: source)) as! [String: Any]
        file["clients"] = (file["clients"] as! [[String: Any]]).map { client in
            var client = client
            if let quota = quotas[client["id"] as! String] { client["dailyQuota"] = quota }
            return client
        }
        let path = cluster.nodeDirectory("clients") + "/clients.json"
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        try JSONSerialization.data(withJSONObject: file).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return path
    }

    /// Waits until a sync round that began after this call completed.
    func synced() async throws {
        let done = await sync.whenSynced(timeout: .seconds(60))
        #expect(done, "no sync round completed: \(sync.status)")
        if !done { throw ClusterError(message: "not synced") }
    }

    /// A match with a wrong name (a failed answer, counted) about `idNumber`; the status.
    func guess(_ idNumber: String, _ attempt: Int, apiKey: String) async throws -> Int {
        let response = try await post(
            "/v1/identity/match",
            ["idNumber": idNumber, "fullName": "Phan Van Doan \(attempt)", "purpose": "kyc-refresh"], apiKey: apiKey)
        if response.status == 200 { #expect(response.json["decision"] as? String != "match", "\(response.body)") }
        return response.status
    }

    func post(_ path: String, _ body: [String: Any], apiKey: String) async throws -> ShippingNode.Response {
        try await ShippingNode.post(port: port, path, body, apiKey: apiKey)
    }

    func get(_ path: String) async throws -> ShippingNode.Response {
        try await ShippingNode.get(port: port, path)
    }

    /// The value of the sample named exactly `name` in a /metrics exposition.
    static func value(_ lines: [Substring], _ name: String) -> Double? {
        lines.first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
    }

    func stop() async {
        await gateway.shutdown()
        task.cancel()
        await task.value
    }
}

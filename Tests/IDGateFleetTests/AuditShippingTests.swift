import Foundation
import IDGateAudit
import IDGateDemo
import IDGateFleet
import IDGateGateway
import Logging
import ServiceLifecycle
import Testing

extension FleetTests {
    /// Two real gateways (HTTP/2 on loopback, each with its own audit log and node id) ship their audit records to a
    /// real PostgreSQL; the access history of either node reads both nodes' records from there.
    @Suite struct AuditShippingTests {
        @Test func twoNodesShipTheirRecordsAndTheHistoryReadsBothFromPostgres() async throws {
            let demo = try await ShippingDemo.shared.directory()
            try await PostgresCluster.with { cluster in
                let a = try await ShippingNode.start(demo: demo, cluster: cluster, nodeID: "node-a")
                let b = try await ShippingNode.start(demo: demo, cluster: cluster, nodeID: "node-b")
                let (idNumber, fullName) = try ShippingDemo.resident(demo, 0)
                let agency = try ShippingDemo.apiKey(demo, "demo-agency")
                var transactions: [String] = []
                for (node, purpose) in [(a, "kyc-refresh"), (a, "account-opening"), (b, "loan-application")] {
                    let response = try await node.post(
                        "/v1/identity/match", ["idNumber": idNumber, "fullName": fullName, "purpose": purpose], apiKey: agency)
                    #expect(response.status == 200, "\(response.body)")
                    transactions.append(try #require(response.json["transactionId"] as? String))
                }
                try await a.waitUntilShipped()
                try await b.waitUntilShipped()
                let headA = a.gateway.auditHead!.sequence, headB = b.gateway.auditHead!.sequence
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_audit_records WHERE node_id = 'node-a'") == "\(headA)")
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_audit_records WHERE node_id = 'node-b'") == "\(headB)")
                // The row holds what the history needs, and the frame verifies against the node's chain below.
                #expect(try await cluster.psql(
                    "SELECT client_id || ',' || client_kind || ',' || operation || ',' || purpose || ',' || decision FROM idgate_audit_records WHERE node_id = 'node-b' AND purpose = 'loan-application'")
                    == "demo-agency,agency,match,loan-application,match")
                // Lag in /metrics, zero once shipped.
                let metrics = try await a.get("/metrics")
                let lines = metrics.body.split(separator: "\n")
                #expect(lines.contains("idgate_audit_ship_lag_records 0.0"), "\(metrics.body)")
                #expect(lines.contains("idgate_audit_ship_lag_seconds 0.0"))
                #expect(lines.contains("idgate_audit_ship_shipped_sequence \(headA).0"))
                #expect(lines.contains("idgate_audit_ship_connected 1.0"))

                // Node B's history holds node A's records too, newest first, two per page; node A accepts B's cursor.
                let portal = try ShippingDemo.apiKey(demo, "demo-portal")
                let first = try await b.post("/v1/subjects/access-history", ["idNumber": idNumber, "limit": 2], apiKey: portal)
                #expect(first.status == 200, "\(first.body)")
                let page1 = first.json["entries"] as? [[String: Any]] ?? []
                #expect(page1.map { $0["transactionId"] as? String } == [transactions[2], transactions[1]])
                #expect(Set(page1.first?.keys.map { $0 } ?? []) == ["at", "client", "clientName", "clientKind", "operation", "purpose", "attributes", "decision", "transactionId"])
                #expect(page1.first?["purpose"] as? String == "loan-application")
                #expect(page1.first?["clientKind"] as? String == "agency")
                #expect(!first.body.contains(idNumber) && !first.body.contains(fullName))
                let cursor = try #require(first.json["cursor"] as? String)
                let second = try await a.post(
                    "/v1/subjects/access-history", ["idNumber": idNumber, "limit": 2, "cursor": cursor], apiKey: portal)
                #expect(second.status == 200, "\(second.body)")
                let page2 = second.json["entries"] as? [[String: Any]] ?? []
                // After the cursor: A's first match only (B's read above is newer than the cursor).
                #expect(page2.map { $0["transactionId"] as? String } == [transactions[0]])
                #expect(second.json["cursor"] is NSNull)
                // A cursor of another subject is refused; an unknown subject gets the same empty shape.
                let other = try await a.post(
                    "/v1/subjects/access-history", ["idNumber": try ShippingDemo.resident(demo, 1).0, "cursor": cursor], apiKey: portal)
                #expect(other.status == 400 && other.errorCode == "invalid_cursor", "\(other.body)")
                let unknown = try await a.post("/v1/subjects/access-history", ["idNumber": "001099999999"], apiKey: portal)
                #expect(unknown.status == 200 && (unknown.json["entries"] as? [Any])?.isEmpty == true && unknown.json["cursor"] is NSNull)
                // The reads were audited and shipped too: a third read on A shows B's read and A's earlier one.
                try await b.waitUntilShipped()
                let third = try await a.post("/v1/subjects/access-history", ["idNumber": idNumber], apiKey: portal)
                let reads = (third.json["entries"] as? [[String: Any]] ?? []).filter { $0["operation"] as? String == "accessHistory" }
                #expect(reads.count == 2, "\(third.body)")

                // The outbox: one event per shipped record with a subject, no values.
                try await a.waitUntilShipped()
                try await b.waitUntilShipped()
                let withSubject = try await cluster.psql("SELECT count(*) FROM idgate_audit_records WHERE subject_hash IS NOT NULL")
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_audit_outbox") == (try await cluster.psql(
                    "SELECT count(*) FROM idgate_audit_records WHERE subject_hash IS NOT NULL")))
                #expect(Int(withSubject) ?? 0 >= 3)
                #expect(try await cluster.psql(
                    "SELECT string_agg(purpose, ',' ORDER BY at) FROM idgate_audit_outbox WHERE client_id = 'demo-agency'")
                    == "kyc-refresh,account-opening,loan-application")
                await a.stop()
                await b.stop()
            }
        }

        @Test func aRestartedNodeResumesReshippingIsANoOpAndVerifyFindsEditedAndMissingRows() async throws {
            let demo = try await ShippingDemo.shared.directory()
            try await PostgresCluster.with { cluster in
                let audit = cluster.nodeDirectory("node-a-audit")
                let (idNumber, fullName) = try ShippingDemo.resident(demo, 2)
                let agency = try ShippingDemo.apiKey(demo, "demo-agency")
                var node = try await ShippingNode.start(demo: demo, cluster: cluster, nodeID: "node-a", audit: audit)
                for purpose in ["one", "two", "three"] {
                    let response = try await node.post(
                        "/v1/identity/match", ["idNumber": idNumber, "fullName": fullName, "purpose": purpose], apiKey: agency)
                    #expect(response.status == 200)
                }
                try await node.waitUntilShipped()
                let firstHead = node.gateway.auditHead!.sequence
                await node.stop()
                let rows = try await cluster.psql("SELECT count(*) FROM idgate_audit_records")
                let events = try await cluster.psql("SELECT count(*) FROM idgate_audit_outbox")
                #expect(rows == "\(firstHead)")

                // Restarted, and told to ship everything again: nothing is inserted twice, the new records are.
                var options = AuditShipperOptions()
                options.reshipAfter = 0
                node = try await ShippingNode.start(demo: demo, cluster: cluster, nodeID: "node-a", audit: audit, options: options)
                try await node.waitUntilShipped()
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_audit_records") == rows)
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_audit_outbox") == events)
                #expect(node.fleet.shipper.status.shippedRecords == 0)
                let response = try await node.post(
                    "/v1/identity/match", ["idNumber": idNumber, "fullName": fullName, "purpose": "four"], apiKey: agency)
                #expect(response.status == 200)
                try await node.waitUntilShipped()
                let secondHead = node.gateway.auditHead!.sequence
                #expect(secondHead > firstHead)
                #expect(node.fleet.shipper.status.shippedRecords == 1)
                await node.stop()

                // Restarted normally: it resumes from the highest sequence PostgreSQL holds for it.
                node = try await ShippingNode.start(demo: demo, cluster: cluster, nodeID: "node-a", audit: audit)
                try await node.waitUntilShipped()
                #expect(node.fleet.shipper.status.shippedRecords == 0)
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_audit_records") == "\(secondHead)")

                // PostgreSQL down: the node keeps answering, the lag shows, and the records arrive once it is back.
                try await cluster.stop()
                let whileDown = try await node.post(
                    "/v1/identity/match", ["idNumber": idNumber, "fullName": fullName, "purpose": "five"], apiKey: agency)
                #expect(whileDown.status == 200)
                let lag = try await node.get("/metrics").body.split(separator: "\n")
                    .first { $0.hasPrefix("idgate_audit_ship_lag_records ") }
                #expect((lag.flatMap { Double($0.split(separator: " ")[1]) } ?? 0) >= 1, "\(String(describing: lag))")
                try await cluster.start()
                try await node.waitUntilShipped()
                let thirdHead = node.gateway.auditHead!.sequence
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_audit_records") == "\(thirdHead)")
                await node.stop()

                // Another node started under the same node id (a fresh log) must not resume after node-a's records:
                // it raises the alarm and ships nothing.
                let impostor = try await ShippingNode.start(
                    demo: demo, cluster: cluster, nodeID: "node-a", audit: cluster.nodeDirectory("impostor-audit"))
                let refused = try await impostor.post(
                    "/v1/identity/match", ["idNumber": idNumber, "fullName": fullName, "purpose": "six"], apiKey: agency)
                #expect(refused.status == 200)
                var alarm: String?
                for _ in 0..<600 where alarm == nil {
                    alarm = impostor.fleet.shipper.status.alarm
                    if alarm == nil { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(alarm?.contains("another node ships under the same node id") == true, "\(String(describing: alarm))")
                let impostorMetrics = try await impostor.get("/metrics").body
                #expect(impostorMetrics.split(separator: "\n").contains("idgate_audit_ship_alarm 1.0"))
                #expect(impostor.fleet.shipper.status.shippedRecords == 0)
                await impostor.stop()
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_audit_records") == "\(thirdHead)")

                // The copy verifies against the chain; an edited row and a deleted one are found with node and
                // sequence, by the library and by `idgate audit verify --postgres`.
                let verifier = PostgresAuditVerifier(source: cluster.source, logger: FleetFixtures.quietLogger)
                let clean = try await verifier.verify(directory: URL(fileURLWithPath: audit))
                #expect(clean.isIntact && clean.records == Int(thirdHead) && clean.nodeID == "node-a")
                _ = try await cluster.psql(
                    "UPDATE idgate_audit_records SET frame = overlay(frame placing '\\x7f'::bytea from 20 for 1) WHERE node_id = 'node-a' AND sequence = 2")
                _ = try await cluster.psql("DELETE FROM idgate_audit_records WHERE node_id = 'node-a' AND sequence = 3")
                let tampered = try await verifier.verify(directory: URL(fileURLWithPath: audit))
                #expect(tampered.problems == [.different(node: "node-a", sequence: 2), .missing(node: "node-a", sequence: 3)])
                let cli = try await ToolRun.run([
                    "IDGATE_POSTGRES_URL=postgres://idgate@127.0.0.1:\(cluster.port)/idgate",
                    "IDGATE_POSTGRES_PASSWORD_FILE=\(cluster.directory)/password",
                    ShippingDemo.idgatePath, "audit", "verify", "--postgres", audit,
                ])
                #expect(cli.status == 1, "\(cli.output) \(cli.errors)")
                #expect(cli.output.contains("node node-a sequence 2: differs from the local record"), "\(cli.output)")
                #expect(cli.output.contains("node node-a sequence 3: missing from PostgreSQL"))
                #expect(cli.output.contains("1 missing, 1 different"))
            }
        }

        /// With polling effectively off, records still reach PostgreSQL: the log wakes the shipper at each commit.
        @Test func eachCommitWakesTheShipper() async throws {
            let demo = try await ShippingDemo.shared.directory()
            try await PostgresCluster.with { cluster in
                var options = AuditShipperOptions()
                options.pollInterval = .seconds(600)
                let node = try await ShippingNode.start(demo: demo, cluster: cluster, nodeID: "node-w", options: options)
                // The shipper's first pass done: from now on it sleeps for the poll interval unless woken.
                for _ in 0..<1200 where node.fleet.shipper.status.shippedSequence == nil {
                    try await Task.sleep(for: .milliseconds(50))
                }
                let (idNumber, fullName) = try ShippingDemo.resident(demo, 4)
                let agency = try ShippingDemo.apiKey(demo, "demo-agency")
                for purpose in ["one", "two", "three"] {
                    let response = try await node.post(
                        "/v1/identity/match", ["idNumber": idNumber, "fullName": fullName, "purpose": purpose], apiKey: agency)
                    #expect(response.status == 200)
                }
                // Watched through the status only (`whenShipped` would wake the shipper itself).
                let head = try #require(node.gateway.auditHead?.sequence)
                #expect(head >= 3)
                for _ in 0..<1200 where (node.fleet.shipper.status.shippedSequence ?? 0) < head {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(node.fleet.shipper.status.shippedSequence == head)
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_audit_records WHERE node_id = 'node-w'") == "\(head)")
                await node.stop()
            }
        }

        /// Woken at every commit, the shipper still sends at most one INSERT per `minimumInsertSpacing` while it keeps
        /// up: the records of the commits in between go in one statement. The bound is computed from the burst's
        /// own duration, so a slow machine loosens it instead of failing the test.
        @Test func commitsCloseTogetherShareOneInsert() async throws {
            let demo = try await ShippingDemo.shared.directory()
            try await PostgresCluster.with { cluster in
                var options = AuditShipperOptions()
                options.pollInterval = .seconds(600)
                options.minimumInsertSpacing = .seconds(1)
                let node = try await ShippingNode.start(demo: demo, cluster: cluster, nodeID: "node-s", options: options)
                for _ in 0..<1200 where node.fleet.shipper.status.shippedSequence == nil {
                    try await Task.sleep(for: .milliseconds(50))
                }
                let statementsBefore = node.fleet.shipper.status.insertStatements
                let (idNumber, fullName) = try ShippingDemo.resident(demo, 5)
                let agency = try ShippingDemo.apiKey(demo, "demo-agency")
                let started = ContinuousClock.now
                for index in 0..<20 {
                    // One request at a time: each answer waits for its own group commit, which wakes the shipper.
                    let response = try await node.post(
                        "/v1/identity/match", ["idNumber": idNumber, "fullName": fullName, "purpose": "p\(index)"], apiKey: agency)
                    #expect(response.status == 200)
                }
                let burst = ContinuousClock.now - started
                let head = try #require(node.gateway.auditHead?.sequence)
                for _ in 0..<1200 where (node.fleet.shipper.status.shippedSequence ?? 0) < head {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(node.fleet.shipper.status.shippedSequence == head)
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_audit_records WHERE node_id = 'node-s'") == "\(head)")
                let statements = node.fleet.shipper.status.insertStatements - statementsBefore
                // One statement may start as the burst begins, then one per second of burst, and one for the rest.
                let bound = 2 + Int(burst / .seconds(1))
                #expect(statements >= 1 && statements <= bound, "\(statements) INSERTs for 20 commits in \(burst)")
                await node.stop()
            }
        }

        @Test func aGracefulShutdownShipsTheLastRecordsBeforeTheShipperStops() async throws {
            let demo = try await ShippingDemo.shared.directory()
            try await PostgresCluster.with { cluster in
                // Polling effectively off and no wake-up per commit: only the shutdown makes the shipper look at
                // the log again.
                var options = AuditShipperOptions()
                options.pollInterval = .seconds(600)
                options.wakeOnCommit = false
                let (gateway, fleet) = try ShippingNode.make(demo: demo, cluster: cluster, nodeID: "node-g", options: options)
                let (ports, port) = AsyncStream.makeStream(of: Int.self)
                let service = GatewayService(gateway: gateway, logger: FleetFixtures.quietLogger) { addresses in
                    port.yield(Int(addresses[0].split(separator: ":").last!)!)
                }
                // As `idgate serve --follow` runs them: the gateway last, so it shuts down (closing the log) first.
                let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                    services: (fleet.services + [service]).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                    logger: FleetFixtures.quietLogger))
                let running = Task { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                let h2c = try #require(await iterator.next())
                for _ in 0..<200 where fleet.shipper.status.shippedSequence == nil { try await Task.sleep(for: .milliseconds(50)) }
                let (idNumber, fullName) = try ShippingDemo.resident(demo, 3)
                let agency = try ShippingDemo.apiKey(demo, "demo-agency")
                for purpose in ["one", "two", "three"] {
                    let response = try await ShippingNode.post(
                        port: h2c, "/v1/identity/match", ["idNumber": idNumber, "fullName": fullName, "purpose": purpose],
                        apiKey: agency)
                    #expect(response.status == 200)
                }
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_audit_records") == "0")
                await group.triggerGracefulShutdown()
                try await running.value
                let head = try #require(gateway.auditHead?.sequence)
                #expect(head >= 3)
                #expect(try await cluster.psql("SELECT count(*) FROM idgate_audit_records WHERE node_id = 'node-g'") == "\(head)")
            }
        }
    }
}

/// A demo folder (registry, clients, TLS) built once for the shipping tests.
actor ShippingDemo {
    static let shared = ShippingDemo()
    private var built: Task<URL, any Error>?

    func directory() async throws -> URL {
        if let built { return try await built.value }
        let task = Task<URL, any Error> {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-ship-\(UUID().uuidString)")
            _ = try RegistryDemo.buildRegistry(directory: directory.path, residents: 300, seed: 7)
            try GatewayDemo.build(directory: directory, cardCount: 2, h2cPort: 0, tlsPort: 0)
            return directory
        }
        built = task
        return try await task.value
    }

    static func resident(_ demo: URL, _ index: Int) throws -> (String, String) {
        let lines = try String(contentsOf: DemoLayout(root: demo).sample, encoding: .utf8).split(separator: "\n")
        let record = try JSONSerialization.jsonObject(with: Data(lines[index].utf8)) as! [String: Any]
        return (record["idNumber"] as! String, record["fullName"] as! String)
    }

    static func apiKey(_ demo: URL, _ id: String) throws -> String {
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: DemoLayout(root: demo).credentials)) as! [String: Any]
        let clients = file["clients"] as! [[String: Any]]
        return clients.first { $0["id"] as? String == id }!["apiKey"] as! String
    }

    /// The `idgate` executable built beside this test bundle.
    static var idgatePath: String {
        URL(fileURLWithPath: FleetTests.KillTests.executablePath() ?? "").deletingLastPathComponent().appendingPathComponent("idgate").path
    }
}

/// One gateway with its audit shipper and PostgreSQL history reader running, as `idgate serve --follow` wires them.
struct ShippingNode {
    let gateway: Gateway
    let fleet: FleetAudit
    let port: Int
    let tasks: [Task<Void, Never>]

    static func start(
        demo: URL, cluster: PostgresCluster, nodeID: String, audit: String? = nil,
        options: AuditShipperOptions = AuditShipperOptions()
    ) async throws -> ShippingNode {
        let (gateway, fleet) = try make(demo: demo, cluster: cluster, nodeID: nodeID, audit: audit, options: options)
        let tasks = fleet.services.map { service in Task { do { try await service.run() } catch {} } }
        let addresses = try await gateway.start()
        return ShippingNode(gateway: gateway, fleet: fleet, port: addresses[0].port!, tasks: tasks)
    }

    /// A gateway on the demo folder with its own audit directory and node id, bound to a fresh `FleetAudit`.
    static func make(
        demo: URL, cluster: PostgresCluster, nodeID: String, audit: String? = nil,
        options: AuditShipperOptions = AuditShipperOptions()
    ) throws -> (Gateway, FleetAudit) {
        var configuration = try GatewayConfiguration.load(path: DemoLayout(root: demo).configuration.path, environment: [:])
        let auditDirectory = audit ?? cluster.nodeDirectory("\(nodeID)-audit")
        configuration.audit.directory = auditDirectory
        configuration.audit.nodeId = nodeID
        configuration.state.directory = auditDirectory + "-state"
        configuration.server.threads = 1
        var options = options
        if options.pollInterval == AuditShipperOptions().pollInterval { options.pollInterval = .milliseconds(50) }
        options.initialBackoff = .milliseconds(50)
        options.maximumBackoff = .milliseconds(400)
        let fleet = try FleetAudit(
            source: cluster.source, auditDirectory: auditDirectory, nodeID: nodeID, options: options,
            logger: FleetFixtures.quietLogger)
        return (try Gateway(configuration: configuration, logger: FleetFixtures.quietLogger, fleetAudit: fleet), fleet)
    }

    func stop() async {
        await gateway.shutdown()
        for task in tasks {
            task.cancel()
            await task.value
        }
    }

    /// Waits until every durable record of this node is in PostgreSQL.
    func waitUntilShipped() async throws {
        let head = gateway.auditHead?.sequence ?? 0
        let shipped = await fleet.shipper.whenShipped(through: head, timeout: .seconds(60))
        #expect(shipped, "node \(fleet.shipper.nodeID) did not ship through \(head): \(fleet.shipper.status)")
        if !shipped { throw ClusterError(message: "not shipped") }
    }

    struct Response {
        var status: Int
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    }

    /// A POST over HTTP/2 (h2c, prior knowledge) with curl.
    func post(_ path: String, _ body: [String: Any], apiKey: String) async throws -> Response {
        try await Self.post(port: port, path, body, apiKey: apiKey)
    }

    static func post(port: Int, _ path: String, _ body: [String: Any], apiKey: String) async throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: body)
        return try await curl([
            "-X", "POST", "-H", "authorization: Bearer \(apiKey)", "-H", "content-type: application/json",
            "--data-binary", String(decoding: data, as: UTF8.self), "http://127.0.0.1:\(port)\(path)",
        ])
    }

    func get(_ path: String) async throws -> Response {
        try await Self.get(port: port, path)
    }

    static func get(port: Int, _ path: String) async throws -> Response {
        try await curl(["http://127.0.0.1:\(port)\(path)"])
    }

    private static func curl(_ arguments: [String]) async throws -> Response {
        let result = try await ToolRun.run(["curl", "-s", "--http2-prior-knowledge", "-w", "\n%{http_code}"] + arguments)
        guard result.status == 0, let newline = result.output.lastIndex(of: "\n"),
              let status = Int(result.output[result.output.index(after: newline)...])
        else { throw ClusterError(message: "curl failed (\(result.status)): \(result.errors)") }
        return Response(status: status, body: String(result.output[..<newline]))
    }
}

import Foundation
import IDGateFleet
import Logging
import Prometheus
import Testing
@testable import IDGateGateway

/// A node's daily quota as shared with the fleet (`FleetCounterSharing`): what it sends is what its counter grew
/// since it last shared, other nodes' requests are added to it, and a delta that could not be sent goes with the next.
@Suite struct FleetQuotaSharingTests {
    static let clientsFile = Data("""
        {"version": 1, "clients": [{"id": "bank-q", "kind": "bank", "enabled": true,
          "credentials": {"certificateSubjects": [], "certificateFingerprints": [], "apiKeys": []},
          "operations": ["match"], "attributes": ["idNumber", "fullName"], "purposes": [],
          "rateLimit": {"requestsPerSecond": 10, "burst": 10}, "dailyQuota": 100}]}
        """.utf8)
    /// No state directory: the counters live in memory (the journal is not what this test is about).
    static let configuration = Data("""
        {"registry": {"path": "/nonexistent"}, "clients": {"file": "/nonexistent"},
         "audit": {"directory": "/nonexistent", "keyFile": "/nonexistent"}, "signing": {"keyFile": "/nonexistent"},
         "state": {}}
        """.utf8)

    @Test func deltasAreWhatGrewSinceLastSharedAndOtherNodesRequestsAreAdded() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let clients = try ClientRegistry(file: try decoder.decode(ClientRegistryFile.self, from: Self.clientsFile))
        var logger = Logger(label: "idgate.tests")
        logger.logLevel = .critical
        let counters = PersistentCounters(
            configuration: try JSONDecoder().decode(GatewayConfiguration.self, from: Self.configuration), clients: clients,
            metrics: PrometheusCollectorRegistry(), logger: logger)
        let client = try #require(clients.client(id: "bank-q"))
        let now = Date()
        // Counted before sharing began (as restored from the journal at start): already the fleet's, not sent again.
        for _ in 0..<4 { #expect(client.quota.consume(limit: 100, now: now)) }
        let day = client.quota.persistedState.day
        counters.share(with: SharedCounterSync(source: try PostgresSource(url: "postgres://idgate@127.0.0.1:1/idgate")))
        #expect(counters.takeUnsharedQuotas(now: now).isEmpty)

        for _ in 0..<3 { #expect(client.quota.consume(limit: 100, now: now)) }
        #expect(counters.takeUnsharedQuotas(now: now) == [SharedQuota(clientID: "bank-q", day: day, used: 3)])
        // The fleet's count after that upsert: these 7 and 5 served by other nodes.
        counters.mergeSharedQuotas([SharedQuota(clientID: "bank-q", day: day, used: 12)], now: now)
        #expect(client.quota.used(now: now) == 12)
        #expect(counters.takeUnsharedQuotas(now: now).isEmpty)  // the 5 are others', not this node's to send

        #expect(client.quota.consume(limit: 100, now: now))
        let unsent = counters.takeUnsharedQuotas(now: now)
        #expect(unsent == [SharedQuota(clientID: "bank-q", day: day, used: 1)])
        counters.returnUnsharedQuotas(unsent, now: now)  // PostgreSQL down
        #expect(client.quota.consume(limit: 100, now: now))
        #expect(counters.takeUnsharedQuotas(now: now) == [SharedQuota(clientID: "bank-q", day: day, used: 2)])
        // A count read back again, or lower (rows swept), changes nothing; a higher one adds the difference.
        counters.mergeSharedQuotas([SharedQuota(clientID: "bank-q", day: day, used: 12)], now: now)
        #expect(client.quota.used(now: now) == 14)
        counters.mergeSharedQuotas([SharedQuota(clientID: "bank-q", day: day, used: 20)], now: now)
        #expect(client.quota.used(now: now) == 20)
        #expect(counters.takeUnsharedQuotas(now: now).isEmpty)
        // Another day's count (yesterday's rows read at start) leaves today's alone.
        counters.mergeSharedQuotas([SharedQuota(clientID: "bank-q", day: day - 1, used: 50)], now: now)
        #expect(client.quota.used(now: now) == 20)
    }
}

import Foundation
import IDGateLoad
import Testing

extension NetworkTests {
    /// Demo-folder traffic (matches, batches, chip challenge → signed verify) against a fake gateway that checks the
    /// bearer key and verifies the Active Authentication signature with the card's DG15 public key.
    @Suite struct GatewayTrafficTests {
        func demoPlan(_ demo: TemporaryDirectory, url: String, mix: String, options: inout LoadOptions) throws -> TrafficPlan {
            let folder = try DemoFolder(path: demo.path)
            let credential = try folder.credential(id: nil, usesTLS: false)
            folder.apply(credential, to: &options)
            return try TrafficPlan(
                target: options.target, mix: try OperationMix(parsing: mix), records: try folder.sampleRecords(limit: 100),
                cards: try folder.chipCards(), headers: options.authorizationHeaders,
                purpose: folder.purposes(forClient: credential.id).first)
        }

        @Test func demoMixIsSentSignedAndCountedByOperationAndDecision() async throws {
            let demo = try makeDemoFolder()
            let server = try ExternalServer.python(mode: "gateway")
            defer { server.stop() }
            let url = "http://127.0.0.1:\(server.port)"
            var options = LoadOptions(target: try LoadTarget(url: url))
            let plan = try demoPlan(demo, url: url, mix: "match=50,batch=10,chip=40", options: &options)
            #expect(options.apiKey == "test-key")
            let summary = try await runLoad(url, plan: plan) {
                $0 = options
                $0.showProgress = false
                $0.connections = 2
                $0.streamsPerConnection = 4
                $0.requestCount = 300
            }
            #expect(summary.requests == 300)
            #expect(summary.errors == 0, "\(summary.operations)")
            let match = try #require(summary.operations["match"])
            let batch = try #require(summary.operations["batch"])
            let chip = try #require(summary.operations["chip"])
            #expect(match.requests + batch.requests + chip.requests == 300)
            #expect(match.requests > batch.requests && chip.requests > batch.requests && batch.requests > 0)
            // Unknown-ID variants end in 9 by construction of the fake gateway's rule; all others match.
            #expect((match.byDecision["match"]?.count ?? 0) > 0)
            // The card with an AA key verifies its signature; the no_aa card is sent without activeAuth.
            let valid = chip.byDecision["valid"]?.count ?? 0
            let invalid = chip.byDecision["invalid"]?.count ?? 0
            #expect(valid > 0 && invalid > 0 && valid + invalid == chip.requests)
            #expect(batch.byStatus == ["200": batch.requests])
        }

        /// A target that goes away (GOAWAY) mid-flow, like a fleet node in a rolling restart: the refused streams are
        /// sent again on a new connection, a refused chip verify starts over with a new challenge (the old one lives
        /// on the connection that went away), and no request is lost or counted twice.
        @Test func refusedStreamsAreRetriedOnANewConnectionAndNoneIsLost() async throws {
            let demo = try makeDemoFolder()
            let server = try ExternalServer.python(mode: "draining")
            defer { server.stop() }
            let url = "http://127.0.0.1:\(server.port)"
            var options = LoadOptions(target: try LoadTarget(url: url))
            let plan = try demoPlan(demo, url: url, mix: "match=50,chip=50", options: &options)
            let summary = try await runLoad(url, plan: plan) {
                $0 = options
                $0.showProgress = false
                $0.connections = 2
                $0.streamsPerConnection = 4
                $0.requestCount = 400
                $0.timeoutNanos = 10_000_000_000
            }
            #expect(summary.requests == 400)
            #expect(summary.errors == 0, "\(summary.operations)")
            let chip = try #require(summary.operations["chip"])
            #expect((chip.byDecision["valid"]?.count ?? 0) > 0)
            // Every connection answers 20 requests before it goes away: 400 requests need more than 10 of them.
            #expect(summary.connectionsOpened > 10)
            #expect((summary.refusedRetries ?? 0) >= summary.connectionsOpened - 2)
        }

        @Test func wrongAPIKeyIsCountedByStatusAndErrorCode() async throws {
            let demo = try makeDemoFolder(apiKey: "wrong-key")
            let server = try ExternalServer.python(mode: "gateway")
            defer { server.stop() }
            let url = "http://127.0.0.1:\(server.port)"
            var options = LoadOptions(target: try LoadTarget(url: url))
            let plan = try demoPlan(demo, url: url, mix: "match=1", options: &options)
            let summary = try await runLoad(url, plan: plan) {
                $0 = options
                $0.showProgress = false
                $0.connections = 1
                $0.requestCount = 50
            }
            #expect(summary.requests == 50 && summary.errors == 50)
            #expect(summary.operations["match"]?.byStatus == ["401": 50])
            #expect(summary.operations["match"]?.errorCodes == ["unauthenticated": 50])
        }

        @Test func soakRowsCarryTheTargetsMemoryAndFlagErrors() async throws {
            let demo = try makeDemoFolder(apiKey: "wrong-key")
            let server = try ExternalServer.python(mode: "gateway", apiKey: "wrong-key")
            defer { server.stop() }
            let url = "http://127.0.0.1:\(server.port)"
            var options = LoadOptions(target: try LoadTarget(url: url))
            let plan = try demoPlan(demo, url: url, mix: "match=1", options: &options)
            let summary = try await LoadRunner(
                options: {
                    var soak = options
                    soak.showProgress = false
                    soak.pacing = .openLoop(ratePerSecond: 100)
                    soak.connections = 1
                    soak.durationNanos = 2_200_000_000
                    soak.soakIntervalNanos = 1_000_000_000
                    return soak
                }(), plan: plan, probeHeaders: options.authorizationHeaders
            ).run()
            let rows = try #require(summary.soak)
            // One row per full interval of the measured time. How many intervals fit depends on how much of the 2.2 s
            // the (possibly busy) machine gave the run, so the count is checked against the measured time it reports,
            // not against the wall clock of the request.
            // A machine busy enough to give the run less than two intervals may close none of them: only then may
            // there be no row.
            if summary.measuredSeconds >= 2 { #expect(!rows.isEmpty, "at least one full interval") }
            #expect(rows.count <= Int(summary.measuredSeconds.rounded(.down)) + 1, "rows \(rows.count), measured \(summary.measuredSeconds) s")
            // Each row carries what the target's /metrics said. A probe can time out (2 s) on a machine busy enough to
            // stall the test server; such a row says so instead of carrying numbers, and is the only exception.
            let probed = rows.filter { !$0.flags.contains("metrics_unavailable") }
            #expect(probed.allSatisfy { $0.residentMemoryBytes == 10_485_760 && $0.openFileDescriptors == 12 }, "\(rows)")
            #expect(rows.allSatisfy { !$0.flags.contains("errors") }, "\(rows)")
            // An interval's rate is what it answered: never more than the run answered in all (a rate bound around
            // the offered 100/s would measure the machine: an interval after a stall catches up).
            #expect(rows.allSatisfy { $0.rate >= 0 && $0.rate <= Double(summary.requests) }, "\(rows)")
            #expect(summary.errors == 0)
            #expect(HTMLReport.render(summary).contains("Soak intervals"))
        }
    }
}

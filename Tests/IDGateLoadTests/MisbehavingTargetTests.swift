import Foundation
import IDGateLoad
import Testing

extension NetworkTests {
    /// Targets that are down, refuse TLS, reset streams, answer garbage or stall: the run reports each clearly, keeps
    /// exact counts, and ends by its deadline.
    @Suite struct MisbehavingTargetTests {
        @Test func downTargetIsReportedAsConnectionRefusedAndTheRunEndsOnTime() async throws {
            let port = try ExternalServer.freePort()
            let started = Date()
            let summary = try await runLoad("http://127.0.0.1:\(port)") {
                $0.connections = 2
                $0.durationNanos = 1_000_000_000
            }
            let elapsed = Date().timeIntervalSince(started)
            #expect(elapsed >= 0.9 && elapsed < 5)
            #expect(summary.requests == 0 && summary.responses == 0)
            #expect((summary.connectErrors["connect_refused"] ?? 0) >= 2)
            #expect(summary.connectErrors.keys.allSatisfy { $0 == "connect_refused" })
            #expect(summary.connectionsOpened == 0)
        }

        @Test func downTargetInOpenLoopCountsEveryScheduledRequestAsUnsent() async throws {
            let port = try ExternalServer.freePort()
            let summary = try await runLoad("http://127.0.0.1:\(port)") {
                $0.pacing = .openLoop(ratePerSecond: 200)
                $0.connections = 2
                $0.durationNanos = 1_000_000_000
                $0.timeoutNanos = 200_000_000
            }
            #expect(summary.requests == 200)
            #expect(summary.unsent == 200)
            #expect(summary.errors == 200)
            #expect(summary.responses == 0)
        }

        @Test func tlsRefusedIsATLSConnectError() async throws {
            for mode in ["close", "garbage"] {
                let server = try ExternalServer.python(mode: mode)
                defer { server.stop() }
                let started = Date()
                let summary = try await runLoad("https://127.0.0.1:\(server.port)") {
                    $0.connections = 1
                    // Long enough for a connect attempt to fail even on a busy machine.
                    $0.durationNanos = 2_000_000_000
                    $0.insecure = true
                }
                #expect(Date().timeIntervalSince(started) < 8)
                #expect(summary.responses == 0, "\(mode)")
                #expect((summary.connectErrors["tls"] ?? 0) >= 1, "\(mode): \(summary.connectErrors)")
            }
        }

        @Test func everyResetStreamIsCountedExactly() async throws {
            let server = try ExternalServer.python(mode: "reset")
            defer { server.stop() }
            let summary = try await runLoad("http://127.0.0.1:\(server.port)") {
                $0.connections = 2
                $0.streamsPerConnection = 10
                $0.requestCount = 400
            }
            #expect(summary.requests == 400)
            #expect(summary.responses == 0)
            #expect(summary.operations["raw"]?.transportErrors == ["stream_reset": 400])
            #expect(summary.errors == 400)
        }

        @Test func garbageAnswersAreProtocolErrorsAndEveryRequestIsAccountedFor() async throws {
            let server = try ExternalServer.python(mode: "garbage")
            defer { server.stop() }
            let started = Date()
            let summary = try await runLoad("http://127.0.0.1:\(server.port)") {
                $0.connections = 2
                $0.streamsPerConnection = 5
                $0.requestCount = 60
                $0.durationNanos = 3_000_000_000
            }
            #expect(Date().timeIntervalSince(started) < 8)
            #expect(summary.requests == 60)
            #expect(summary.responses == 0)
            let failures = summary.operations["raw"]?.transportErrors ?? [:]
            #expect(failures.values.reduce(0, +) == 60)
            #expect((failures["protocol_error"] ?? 0) > 0, "\(failures)")
        }

        @Test func stallingTargetEndsAtTheDeadlineWithEveryRequestTimedOut() async throws {
            let server = try ExternalServer.python(mode: "stall")
            defer { server.stop() }
            let started = Date()
            let summary = try await runLoad("http://127.0.0.1:\(server.port)") {
                $0.connections = 2
                $0.streamsPerConnection = 5
                $0.durationNanos = 1_000_000_000
                $0.timeoutNanos = 400_000_000
            }
            let elapsed = Date().timeIntervalSince(started)
            // Measured phase 1 s, then at most the 0.4 s drain and the 1 s hard-deadline margin; never hangs.
            #expect(elapsed >= 0.9 && elapsed < 5, "elapsed \(elapsed)")
            #expect(summary.responses == 0)
            #expect(summary.requests >= 20)
            #expect(summary.operations["raw"]?.transportErrors == ["timeout": summary.requests])
        }

        @Test func stallingTargetInOpenLoopCountsTimeoutsAndUnsentExactly() async throws {
            let server = try ExternalServer.python(mode: "stall")
            defer { server.stop() }
            let summary = try await runLoad("http://127.0.0.1:\(server.port)") {
                $0.pacing = .openLoop(ratePerSecond: 500)
                $0.connections = 2
                $0.streamsPerConnection = 10
                $0.durationNanos = 1_000_000_000
                $0.timeoutNanos = 300_000_000
            }
            #expect(summary.requests == 500)
            #expect(summary.responses == 0)
            let timeouts = summary.operations["raw"]?.transportErrors["timeout"] ?? 0
            #expect(timeouts + summary.unsent == 500)
            #expect(timeouts >= 20)
            #expect(summary.unsent > 0)
        }
    }
}

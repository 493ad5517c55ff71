import Foundation
import IDGateHTTP2
import IDGateLoad
import NIOCore
import NIOPosix
import Testing

extension NetworkTests {
    /// The load generator and its HTTP/2 client against a real HTTP/2 server (nghttpd) on 127.0.0.1.
    @Suite struct NghttpdTests {
        let docroot: TemporaryDirectory
        static let page = Data(repeating: UInt8(ascii: "x"), count: 1_000)

        init() throws {
            docroot = try TemporaryDirectory()
            _ = try docroot.write("index.html", Self.page)
        }

        @Test func closedLoopSendsExactlyTheRequestedCount() async throws {
            let server = try ExternalServer.nghttpd(docroot: docroot.path)
            defer { server.stop() }
            let summary = try await runLoad("http://127.0.0.1:\(server.port)") {
                $0.connections = 4
                $0.streamsPerConnection = 16
                $0.requestCount = 3_000
                $0.threads = 2
            }
            #expect(summary.requests == 3_000)
            #expect(summary.responses == 3_000)
            #expect(summary.operations["raw"]?.byStatus == ["200": 3_000])
            #expect(summary.errors == 0)
            #expect(summary.latency.count == 3_000)
            #expect(summary.latency.p50 > 0 && summary.latency.p50 <= summary.latency.p99 && summary.latency.p99 <= summary.latency.max)
            // Workers share the budget: on a busy machine the first connections can spend it before the last ones are
            // up (those then close unused), so the count is at most the configured one, never a reconnect more.
            #expect((1...4).contains(summary.connectionsOpened))
            #expect(summary.mode == "closed-loop")
        }

        @Test func openLoopSendsExactlyTheScheduleAndExcludesWarmup() async throws {
            let server = try ExternalServer.nghttpd(docroot: docroot.path)
            defer { server.stop() }
            let started = Date()
            let summary = try await runLoad("http://127.0.0.1:\(server.port)") {
                $0.pacing = .openLoop(ratePerSecond: 2_000)
                $0.connections = 3
                $0.requestCount = 1_500
                $0.warmupNanos = 250_000_000
            }
            let elapsed = Date().timeIntervalSince(started)
            #expect(summary.requests == 1_500)
            #expect(summary.responses == 1_500)
            #expect(summary.unsent == 0)
            #expect(summary.warmupRequests == 500)
            #expect(summary.mode == "open-loop" && summary.targetRate == 2_000)
            // 500 warm-up + 1,500 measured at 2,000/s: one second of schedule; bounded well below any hang.
            #expect(elapsed >= 0.95 && elapsed < 6)
            #expect(summary.measuredSeconds >= 0.7 && summary.measuredSeconds < 4)
        }

        @Test func durationRunStopsOnTimeAndWritesJSONAndHTML() async throws {
            let server = try ExternalServer.nghttpd(docroot: docroot.path)
            defer { server.stop() }
            let started = Date()
            let summary = try await runLoad("http://127.0.0.1:\(server.port)") {
                $0.connections = 2
                $0.streamsPerConnection = 8
                $0.durationNanos = 1_500_000_000
            }
            // Stops on its duration (1.5 s) rather than running on: the bound is loose so a busy machine cannot fail it.
            #expect(Date().timeIntervalSince(started) < 60)
            #expect(summary.requests > 100)
            #expect(summary.errors == 0)
            #expect(summary.timeline.filter(\.measured).count >= 1)

            let decoded = try LoadSummaryJSON.decode(try LoadSummaryJSON.encode(summary))
            #expect(decoded.requests == summary.requests)
            #expect(decoded.operations["raw"]?.byStatus["200"] == summary.responses)
            let object = try JSONSerialization.jsonObject(with: try LoadSummaryJSON.encode(summary)) as? [String: Any]
            #expect((object?["latency"] as? [String: Any])?["p99"] != nil)

            let html = HTMLReport.render(summary)
            #expect(html.hasPrefix("<!DOCTYPE html>"))
            #expect(html.components(separatedBy: "<svg").count - 1 == 3)
            #expect(html.contains("<polyline"))
            #expect(!html.contains("<script"))
        }

        @Test func stopEndsALongRunEarlyWithASummary() async throws {
            let server = try ExternalServer.nghttpd(docroot: docroot.path)
            defer { server.stop() }
            var options = LoadOptions(target: try LoadTarget(url: "http://127.0.0.1:\(server.port)"))
            options.showProgress = false
            options.pacing = .openLoop(ratePerSecond: 500)
            options.connections = 2
            options.durationNanos = 60_000_000_000
            let runner = try LoadRunner(
                options: options, plan: TrafficPlan(target: options.target, method: "GET", path: "/index.html", body: nil, headers: []))
            let started = Date()
            async let summary = runner.run()
            try await Task.sleep(nanoseconds: 1_000_000_000)
            runner.stop()
            let result = try await summary
            #expect(Date().timeIntervalSince(started) < 5)
            #expect(result.responses > 100 && result.errors == 0)
            #expect(result.measuredSeconds < 4)
        }

        @Test func postsRequestBodiesThroughTheDataProvider() async throws {
            let server = try ExternalServer.nghttpd(docroot: docroot.path, echoUpload: true)
            defer { server.stop() }
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let connection = try await H2ClientConnection.connect(
                H2ClientConfiguration(host: "127.0.0.1", port: server.port, collectHeaders: true), on: loop
            ).get()
            let body = ByteBuffer(bytes: (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            let template = H2ClientRequestTemplate(
                method: "POST", scheme: "http", authority: "127.0.0.1", path: "/index.html", body: body)
            let responses = try await ResponseCollector.collect(from: connection, count: 3) { connection in
                for tag in 0..<3 { #expect(connection.submit(template, tag: UInt64(tag), startNanos: H2ClientClock.nowNanos())) }
                connection.flush()
            }
            #expect(responses.map(\.tag).sorted() == [0, 1, 2])
            for response in responses {
                #expect(response.error == nil)
                #expect(response.status == 200)
                #expect(response.body == body)
                #expect(response.headers.contains { $0.name == "server" })
                #expect(response.latencyNanos > 0)
            }
            try await connection.channel.close()
        }

        @Test func tlsWithTheRightCAWorksAndWithAWrongCAIsATLSError() async throws {
            let certificates = try TemporaryDirectory()
            let server = try makeServerCertificate(in: certificates)
            let other = try makeServerCertificate(in: certificates, name: "other")
            let nghttpd = try ExternalServer.nghttpd(docroot: docroot.path, tls: server)
            defer { nghttpd.stop() }
            let trusted = try await runLoad("https://127.0.0.1:\(nghttpd.port)") {
                $0.connections = 2
                $0.requestCount = 200
                $0.caFile = server.certificate
            }
            #expect(trusted.responses == 200 && trusted.errors == 0)

            let untrusted = try await runLoad("https://127.0.0.1:\(nghttpd.port)") {
                $0.connections = 1
                $0.requestCount = 10
                $0.durationNanos = 700_000_000
                $0.caFile = other.certificate
            }
            #expect(untrusted.responses == 0)
            #expect((untrusted.connectErrors["tls"] ?? 0) >= 1)
            #expect(untrusted.connectErrors.keys.allSatisfy { $0 == "tls" })
        }
    }
}

/// Collects a fixed number of completions from a connection (test helper delegate).
final class ResponseCollector: H2ClientConnectionDelegate {
    private var responses: [H2ClientResponse] = []
    private let expected: Int
    private let done: EventLoopPromise<[H2ClientResponse]>
    private var keepAlive: ResponseCollector?

    private init(expected: Int, eventLoop: any EventLoop) {
        self.expected = expected
        done = eventLoop.makePromise()
        keepAlive = self
    }

    static func collect(
        from connection: H2ClientConnection, count: Int, _ start: @escaping @Sendable (H2ClientConnection) -> Void
    ) async throws -> [H2ClientResponse] {
        try await connection.eventLoop.flatSubmit {
            let collector = ResponseCollector(expected: count, eventLoop: connection.eventLoop)
            connection.delegate = collector
            start(connection)
            return collector.done.futureResult
        }.get()
    }

    func h2Client(_ connection: H2ClientConnection, didFinish response: H2ClientResponse) {
        responses.append(response)
        if responses.count == expected {
            keepAlive = nil
            done.succeed(responses)
        }
    }

    func h2Client(_ connection: H2ClientConnection, didCloseWith error: H2ClientTransportError?) {
        keepAlive = nil
        done.fail(error ?? .connectionClosed)
    }
}

import IDGateHTTP2
import NIOCore
import NIOPosix
import Testing

/// `HTTPRequest.loopWait`: how long a request waited on its event loop behind the work of its read burst. Two
/// requests sent in one write arrive in one read burst; the first occupies the loop for 50 ms (it spins until the
/// clock has moved that far), so the second waited at least that long by construction, whatever the machine's load.
@Suite struct LoopWaitTests {
    @Test func aRequestReadBehindSlowWorkReportsItsWait() async throws {
        let server = try await TestServer.start(threads: 1)
        defer { Task { await server.server.shutdown(gracefully: false) } }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let connection = try await H2ClientConnection.connect(
            H2ClientConfiguration(host: "127.0.0.1", port: server.port), on: loop
        ).get()
        func template(_ path: String) -> H2ClientRequestTemplate {
            H2ClientRequestTemplate(method: "GET", scheme: "http", authority: "127.0.0.1", path: path)
        }
        let spin = template("/spin")
        let probe = template("/loop-wait")
        let responses = try await WaitCollector.collect(from: connection, count: 2) { connection in
            _ = connection.submit(spin, tag: 0, startNanos: H2ClientClock.nowNanos())
            _ = connection.submit(probe, tag: 1, startNanos: H2ClientClock.nowNanos())
            connection.flush()
        }
        let fields = try #require(responses.first { $0.tag == 1 }).body.split(separator: " ").compactMap { UInt64($0) }
        #expect(fields.count == 3)
        #expect(fields[1] >= 50_000_000, "waited \(fields[1]) ns behind a 50 ms handler")
        #expect(fields[0] > 0)

        // A request alone in its burst waited behind nothing of that burst... but the burst before it ran the spin.
        let alone = try await WaitCollector.collect(from: connection, count: 1) { connection in
            _ = connection.submit(probe, tag: 2, startNanos: H2ClientClock.nowNanos())
            connection.flush()
        }
        let later = alone[0].body.split(separator: " ").compactMap { UInt64($0) }
        #expect(later.count == 3)
        #expect(later[0] > fields[0], "a later burst starts later")
        try await connection.channel.close()
    }
}

/// Collects a fixed number of completions from a connection.
final class WaitCollector: H2ClientConnectionDelegate {
    struct Response: Sendable {
        var tag: UInt64
        var status: Int
        var body: String
    }
    private var responses: [Response] = []
    private let expected: Int
    private let done: EventLoopPromise<[Response]>
    private var keepAlive: WaitCollector?

    private init(expected: Int, eventLoop: any EventLoop) {
        self.expected = expected
        done = eventLoop.makePromise()
        keepAlive = self
    }

    static func collect(
        from connection: H2ClientConnection, count: Int, _ start: @escaping @Sendable (H2ClientConnection) -> Void
    ) async throws -> [Response] {
        try await connection.eventLoop.flatSubmit {
            let collector = WaitCollector(expected: count, eventLoop: connection.eventLoop)
            connection.delegate = collector
            start(connection)
            return collector.done.futureResult
        }.get()
    }

    func h2Client(_ connection: H2ClientConnection, didFinish response: H2ClientResponse) {
        responses.append(Response(tag: response.tag, status: response.status, body: String(buffer: response.body)))
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

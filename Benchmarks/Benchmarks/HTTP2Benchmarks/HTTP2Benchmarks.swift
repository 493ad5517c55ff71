import Benchmark
import BenchSupport
import IDGateHTTP2
import Logging
import NIOCore

/// The HTTP/2 connection path of a real `HTTP2Server` (one event loop) driven over loopback by a client that sends
/// pre-encoded frames (`LoopbackClient`). Each measured iteration is 1,000 requests (10 batches of 100 concurrent
/// streams on one connection), so `mallocCountTotal` is the allocations of 1,000 requests and their responses:
/// stream states and their buffers (pooled), header blocks (the connection's scratch memory, nghttp2's block pool),
/// request and response bodies. The client allocates nothing while measuring: the count is the server's.
///
/// - `Connection.POST.echo.84B`: an 84-byte JSON body, answered with that body's buffer (`respond(body:)`).
/// - `Connection.POST.bodyBytes.84B`: answered with bytes copied into the stream's pooled memory
///   (`respond(bodyBytes:)`, what the match route does).
/// - `Connection.POST.staged.sharedHeader`: body staged on the loop, sent with a `SharedHeaderValue` header from a
///   later loop task (`stageBody` + `respondWithStagedBody`, the gateway's signed, audited answers).
/// - `Connection.GET.headersOnly`: no request body, a 204 without body (the frame path alone).
///
/// `wallClock` includes the loopback round trips and the client; it is a backstop, allocations are the check.
let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal]
    /// `mallocs`: allowed extra allocations per 1,000 requests before the check fails.
    func configuration(mallocs: Int = 50) -> Benchmark.Configuration {
        .init(
            metrics: metrics, warmupIterations: 20, scalingFactor: .kilo, maxDuration: .seconds(3),
            maxIterations: 100_000,
            thresholds: Tolerance.thresholds(for: metrics, mallocs: mallocs))
    }

    let body = Array(#"{"idNumber":"001085012345","fullName":"Nguyễn Văn An","dateOfBirth":"1985-03-14"}"#.utf8)
    let sharedSignature = SharedHeaderValue(String(repeating: "s", count: 600))

    var router = Router<NoLoopContext>()
    router.on(.POST, "/echo", contentType: "application/json") { request, writer in
        writer.respond(status: .ok, headers: .json, body: request.body)
    }
    router.on(.POST, "/bytes", contentType: "application/json") { request, writer in
        request.body.withUnsafeReadableBytes { writer.respond(status: .ok, headers: .json, bodyBytes: $0) }
    }
    let tick = TickAnswers(sharedValue: sharedSignature)
    router.on(.POST, "/staged", contentType: "application/json") { request, writer in
        guard request.body.withUnsafeReadableBytes({ writer.stageBody($0) }) else {
            return writer.respond(status: .internalServerError)
        }
        tick.add(writer)
    }
    router.on(.GET, "/empty") { _, writer in
        writer.respond(status: .noContent)
    }

    func connectionBenchmark(_ name: String, method: String, path: String, body: [UInt8]) {
        let fixture = ServerFixture(router: router)
        Benchmark(
            name, configuration: configuration(),
            closure: { benchmark in
                let client = fixture.client
                for _ in 0..<benchmark.scaledIterations.count / client.batchSize {
                    try client.roundTrip()
                }
            },
            setup: {
                try await fixture.start()
                fixture.client.prepare(
                    method: method, path: path, contentType: body.isEmpty ? nil : "application/json", body: body)
                try fixture.client.connect(port: fixture.port)
            },
            teardown: { await fixture.stop() }
        )
    }

    connectionBenchmark("Connection.POST.echo.84B", method: "POST", path: "/echo", body: body)
    connectionBenchmark("Connection.POST.bodyBytes.84B", method: "POST", path: "/bytes", body: body)
    connectionBenchmark("Connection.POST.staged.sharedHeader", method: "POST", path: "/staged", body: body)
    connectionBenchmark("Connection.GET.headersOnly", method: "GET", path: "/empty", body: [])
}

/// Answers staged during a loop tick, sent together by one task at its end, as the gateway's `AnswerBatch` does
/// (one scheduled task per tick, not per request). The server has one event loop: every call is on it.
final class TickAnswers: @unchecked Sendable {
    // @unchecked: touched only on the server's single event loop.
    private var pending: [ResponseWriter] = []
    private let headers: HTTPResponseHeaders

    init(sharedValue: SharedHeaderValue) {
        var headers = HTTPResponseHeaders.json
        headers.add(name: "x-idgate-signature", sharedValue: sharedValue)
        self.headers = headers
        pending.reserveCapacity(256)
    }

    func add(_ writer: ResponseWriter) {
        pending.append(writer)
        guard pending.count == 1 else { return }
        writer.eventLoop.execute { [self] in
            for writer in pending { writer.respondWithStagedBody(status: .ok, headers: headers) }
            pending.removeAll(keepingCapacity: true)
        }
    }
}

/// One server (one event loop thread) and one client connection per benchmark.
final class ServerFixture: @unchecked Sendable {
    // @unchecked: setup, the measured iterations and teardown run one after another on the benchmark's thread.
    let router: Router<NoLoopContext>
    let client = LoopbackClient(batchSize: 100)
    private var server: HTTP2Server?
    private(set) var port = 0

    init(router: Router<NoLoopContext>) { self.router = router }

    func start() async throws {
        var logger = Logger(label: "http2-benchmark")
        logger.logLevel = .error
        let configuration = HTTP2ServerConfiguration(
            listeners: [.h2c(host: "127.0.0.1", port: 0)], threads: 1, limits: HTTP2Limits())
        let server = HTTP2Server(configuration: configuration, router: router, logger: logger)
        port = try await server.start()[0].port!
        self.server = server
    }

    func stop() async {
        client.close()
        await server?.shutdown(gracefully: false)
        server = nil
    }
}

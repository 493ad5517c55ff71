import Foundation
import IDGateHTTP2
import Logging
import NIOCore
import Synchronization

/// What the test routes observed, shared between handlers (event loops) and the test.
final class Probe: Sendable {
    struct State {
        var streamedChunks = 0
        var streamCancelled = false
        var uploadReceived = 0
        var uploadHeld: [ResponseWriter] = []
        /// Writers of `GET /await` requests, answered only when a test does.
        var awaiting: [ResponseWriter] = []
        var holdUploads = false
        var completions: [(route: String, status: Int)] = []
    }

    let state = Mutex(State())

    func with<T>(_ body: (inout State) -> T) -> T { state.withLock { body(&$0) } }
}

/// A real server on 127.0.0.1 with an ephemeral port and the test routes:
/// - `GET /hello` → `hello` (and `HEAD /hello`: its length, no body)
/// - `POST /echo` → the body; `x-probe` request header echoed as `x-probe-echo`, query as `x-query`
/// - `POST /json` (requires `application/json`) → `{}`
/// - `GET /big` → 1 MiB of `b`
/// - `GET /peer` → `subject\nfingerprint` of the mTLS client certificate (or `none`)
/// - `GET /slow` → 200 after 1 s, answered from another thread
/// - `GET /await` → answered only when the test answers through `probe.awaiting` (a request in flight for as long as a
///   test needs, with no clock involved)
/// - `GET /hold` → starts a streamed answer (its headers go out) and never finishes it: a slow request
/// - `GET /stream` → 4 MiB streamed in 64 KiB chunks, each written after the previous write's future
/// - `POST /upload` (streaming body) → the number of bytes received
/// - `GET /spin` → occupies its event loop until the monotonic clock has moved 50 ms (queueing by construction)
/// - `GET /loop-wait` → `burstStartNanos waitNanos previousBurstNanos` of its `LoopWait`
struct TestServer {
    let server: HTTP2Server
    let addresses: [SocketAddress]
    let probe: Probe

    var port: Int { addresses[0].port! }
    var url: String { "http://127.0.0.1:\(port)" }

    static func start(
        limits: HTTP2Limits = HTTP2Limits(), tls: TLSListenerConfiguration? = nil, threads: Int = 2
    ) async throws -> TestServer {
        let probe = Probe()
        var listeners = [ListenerConfiguration.h2c(host: "127.0.0.1", port: 0)]
        if let tls { listeners.append(.tls(host: "127.0.0.1", port: 0, tls)) }
        let configuration = HTTP2ServerConfiguration(listeners: listeners, threads: threads, limits: limits)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let server = HTTP2Server(
            configuration: configuration, router: makeRouter(probe: probe), logger: logger,
            onRequestCompleted: { route, status, _ in probe.with { $0.completions.append((route.path, status)) } })
        return TestServer(server: server, addresses: try await server.start(), probe: probe)
    }

    static func makeRouter(probe: Probe) -> Router<NoLoopContext> {
        var router = Router<NoLoopContext>()
        router.on(.GET, "/hello") { _, writer in
            writer.respond(status: .ok, headers: .text, body: ByteBuffer(string: "hello"))
        }
        router.on(.HEAD, "/hello") { _, writer in
            writer.respond(status: .ok, headers: .text, body: ByteBuffer(string: "hello"))
        }
        router.on(.POST, "/echo") { request, writer in
            var headers = HTTPResponseHeaders()
            if let probeValue = request.headers["x-probe"] { headers.add(name: "x-probe-echo", value: probeValue) }
            if let query = request.query { headers.add(name: "x-query", value: query) }
            headers.add(name: "X-Path", value: request.path)  // sent lowercased
            writer.respond(status: .ok, headers: headers, body: request.body)
        }
        router.on(.GET, "/unique") { _, writer in
            var headers = HTTPResponseHeaders.text
            headers.add(name: "x-unique", value: String(repeating: "u", count: 200), neverIndexed: true)
            headers.add(name: "x-shared", value: "shared")
            writer.respond(status: .ok, headers: headers, body: ByteBuffer(string: "unique"))
        }
        let shared = SharedHeaderValue(String(repeating: "s", count: 1500))
        router.on(.GET, "/shared") { _, writer in
            var headers = HTTPResponseHeaders.text
            headers.add(name: "x-table-size", value: String(writer.headerTableSize))
            headers.add(name: "x-big", sharedValue: shared)
            writer.respond(status: .ok, headers: headers, body: ByteBuffer(string: "shared"))
        }
        // Stages its body on the loop, tries (and must fail) to stage another from a different thread, then sends
        // the staged body from a later loop task.
        router.on(.GET, "/staged") { _, writer in
            let staged = Array("staged body".utf8).withUnsafeBytes { writer.stageBody($0) }
            DispatchQueue.global().async {
                let offLoop = Array("other".utf8).withUnsafeBytes { writer.stageBody($0) }
                writer.eventLoop.execute {
                    var headers = HTTPResponseHeaders.text
                    headers.add(name: "x-staged", value: "\(staged) \(offLoop)")
                    writer.respondWithStagedBody(status: .ok, headers: headers)
                }
            }
        }
        router.on(.POST, "/json", contentType: "application/json") { _, writer in
            writer.respond(status: .ok, headers: .json, body: ByteBuffer(string: "{}"))
        }
        let big = ByteBuffer(repeating: UInt8(ascii: "b"), count: 1 << 20)
        router.on(.GET, "/big") { _, writer in
            writer.respond(status: .ok, body: big)
        }
        router.on(.GET, "/peer") { request, writer in
            let text = request.peer.map { "\($0.subject)\n\($0.sha256Fingerprint)" } ?? "none"
            writer.respond(status: .ok, headers: .text, body: ByteBuffer(string: text))
        }
        router.on(.GET, "/slow") { _, writer in
            DispatchQueue.global().asyncAfter(deadline: .now() + 1.0) {
                writer.respond(status: .ok, headers: .text, body: ByteBuffer(string: "slow"))
            }
        }
        router.on(.GET, "/await") { _, writer in
            probe.with { $0.awaiting.append(writer) }
        }
        router.on(.GET, "/shed") { _, writer in
            writer.respondError(status: .serviceUnavailable, code: "overloaded", message: "shed by the test server")
        }
        router.on(.GET, "/hold") { _, writer in
            _ = writer.startStreaming(status: .ok, headers: .ndjson)
        }
        router.on(.GET, "/stream") { _, writer in
            let stream = writer.startStreaming(status: .ok, headers: .ndjson)
            let chunk = ByteBuffer(repeating: UInt8(ascii: "s"), count: 64 << 10)
            @Sendable func write(remaining: Int) {
                guard remaining > 0 else { return stream.finish() }
                probe.with { $0.streamedChunks += 1 }
                stream.write(chunk).whenComplete { result in
                    switch result {
                    case .success: write(remaining: remaining - 1)
                    case .failure: probe.with { $0.streamCancelled = true }
                    }
                }
            }
            write(remaining: 64)
        }
        router.on(.GET, "/spin") { _, writer in
            let start = NIODeadline.now()
            while NIODeadline.now() - start < .milliseconds(50) {}
            writer.respond(status: .ok, headers: .text, body: ByteBuffer(string: "spun"))
        }
        router.on(.GET, "/loop-wait") { request, writer in
            let wait = request.loopWait
            writer.respond(
                status: .ok, headers: .text,
                body: ByteBuffer(string: "\(wait.burstStartNanos) \(wait.waitNanos) \(wait.previousBurstNanos)"))
        }
        router.onStreaming(.POST, "/upload") { _, writer in
            UploadCounter(writer: writer, probe: probe)
        }
        return router
    }
}

/// Counts a streamed upload; acknowledges chunks at once unless the test holds uploads.
final class UploadCounter: StreamingBodyHandler {
    let writer: ResponseWriter
    let probe: Probe
    var received = 0

    init(writer: ResponseWriter, probe: Probe) {
        self.writer = writer
        self.probe = probe
    }

    func didReceive(_ chunk: ByteBuffer) {
        received += chunk.readableBytes
        let hold = probe.with { state -> Bool in
            state.uploadReceived += chunk.readableBytes
            if state.holdUploads { state.uploadHeld.append(writer) }
            return state.holdUploads
        }
        if !hold { writer.consumed(chunk.readableBytes) }
    }

    func didFinish() {
        writer.respond(status: .ok, headers: .text, body: ByteBuffer(string: String(received)))
    }

    func didCancel() {}
}

/// Starts a test server, runs `body`, and always shuts the server down.
func withTestServer(
    limits: HTTP2Limits = HTTP2Limits(), tls: TLSListenerConfiguration? = nil,
    _ body: (TestServer) async throws -> Void
) async throws {
    let server = try await TestServer.start(limits: limits, tls: tls)
    do {
        try await body(server)
    } catch {
        await server.server.shutdown(gracefully: false)
        throw error
    }
    await server.server.shutdown(gracefully: false)
}

extension ExternalProcess {
    /// `curl` over h2c with prior knowledge; returns (status, headers text, body).
    static func curl(_ arguments: [String]) async throws -> (status: Int, headers: String, body: String) {
        let result = try await run(["curl", "-sS", "-D", "/dev/stderr", "-o", "-"] + arguments)
        let status = result.stderr.split(separator: "\n").first { $0.hasPrefix("HTTP/") }
            .flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
        return (status, result.stderr, result.text)
    }
}

/// Polls `condition` until it holds or `seconds` pass (the machine may be busy: no fixed sleeps in tests; the
/// bound only turns a hang into a failure, so it is generous).
func waitUntil(seconds: Double = 60, _ condition: () -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        try await Task.sleep(nanoseconds: 10_000_000)
    }
    return true
}

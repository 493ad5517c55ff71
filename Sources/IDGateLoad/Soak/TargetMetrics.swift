import IDGateHTTP2
import NIOCore

/// The target's own resource gauges from its Prometheus `/metrics` (standard process collector names).
struct TargetMetrics: Sendable, Equatable {
    var residentMemoryBytes: Double?
    var openFileDescriptors: Double?

    /// Reads `process_resident_memory_bytes` and `process_open_fds` from Prometheus text; `nil` when neither is there.
    init?(prometheusText text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let value = Double(parts[1]) else { continue }
            let name = parts[0].prefix { $0 != "{" }
            if name == "process_resident_memory_bytes" { residentMemoryBytes = value }
            if name == "process_open_fds" { openFileDescriptors = value }
        }
        if residentMemoryBytes == nil && openFileDescriptors == nil { return nil }
    }

    /// GETs `/metrics` over its own connection; `nil` on any failure or after `timeout`.
    static func fetch(
        configuration: H2ClientConfiguration, target: LoadTarget, headers: [(name: String, value: String)],
        on eventLoop: any EventLoop, timeout: TimeAmount
    ) async -> TargetMetrics? {
        let template = H2ClientRequestTemplate(
            method: "GET", scheme: target.scheme, authority: target.authority, path: "/metrics", headers: headers)
        let body = try? await H2ClientConnection.connect(configuration, on: eventLoop).flatMap { connection in
            TargetMetricsRequest(connection: connection, template: template, timeout: timeout).start()
        }.get()
        return body.flatMap { TargetMetrics(prometheusText: $0) }
    }
}

/// One GET on a fresh connection, closed when the response (or the timeout) arrives.
private final class TargetMetricsRequest: H2ClientConnectionDelegate {
    private let connection: H2ClientConnection
    private let template: H2ClientRequestTemplate
    private let timeout: TimeAmount
    private let result: EventLoopPromise<String>
    private var keepAlive: TargetMetricsRequest?

    init(connection: H2ClientConnection, template: H2ClientRequestTemplate, timeout: TimeAmount) {
        self.connection = connection
        self.template = template
        self.timeout = timeout
        result = connection.eventLoop.makePromise()
    }

    func start() -> EventLoopFuture<String> {
        keepAlive = self
        connection.delegate = self
        connection.submit(template, tag: 0, startNanos: H2ClientClock.nowNanos())
        connection.flush()
        connection.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            connection.close()
            finish(nil)
        }
        return result.futureResult
    }

    func h2Client(_ connection: H2ClientConnection, didFinish response: H2ClientResponse) {
        finish(response.error == nil && response.status == 200 ? String(buffer: response.body) : nil)
        connection.close()
    }

    func h2Client(_ connection: H2ClientConnection, didCloseWith error: H2ClientTransportError?) { finish(nil) }

    private func finish(_ body: String?) {
        guard keepAlive != nil else { return }
        keepAlive = nil
        if let body { result.succeed(body) } else { result.fail(H2ClientTransportError.connectionClosed) }
    }
}

import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateWire
import NIOCore

/// `GET /healthz` (alive), `GET /readyz` (registry open, its sequence), `GET /metrics` (Prometheus text),
/// `GET /.well-known/idgate-signing-keys` (public keys that verify `x-idgate-signature`). No admission: load
/// balancers and scrapers call them without credentials.
struct HealthRoutes: GatewayRoute {
    let services: GatewayServices

    func register(on router: inout Router<LoopContext>) {
        let registry = services.registry
        router.on(.GET, "/healthz") { _, writer, _ in
            writer.respond(status: .ok, headers: .json, body: ByteBuffer(string: #"{"status":"ok"}"#))
        }
        router.on(.GET, "/readyz") { _, writer, _ in
            guard let store = registry.store else {
                writer.respond(
                    status: .serviceUnavailable, headers: .json,
                    body: ByteBuffer(string: #"{"status":"not_ready","reason":"registry_not_open"}"#))
                return
            }
            writer.respond(
                status: .ok, headers: .json,
                body: ByteBuffer(
                    string: #"{"status":"ready","registrySequence":\#(store.sequence),"schemaVersion":\#(store.schemaVersion)}"#))
        }
        let keySet = ByteBuffer(bytes: SigningKeySet(keys: services.signer.map { [$0.publicKey] } ?? []).jsonBytes())
        router.on(.GET, "/.well-known/idgate-signing-keys") { _, writer, _ in
            writer.respond(status: .ok, headers: .json, body: keySet)
        }
        let services = self.services
        router.on(.GET, "/metrics") { _, writer, _ in
            var extra = services.transportExposition()
            services.clients.renderMetrics(into: &extra)
            let body = services.metrics.exposition(extra: extra)
            writer.respond(
                status: .ok, headers: ["content-type": "text/plain; version=0.0.4; charset=utf-8"],
                body: ByteBuffer(bytes: body))
        }
    }
}

extension GatewayServices {
    /// The HTTP/2 server's counters in Prometheus text format.
    func transportExposition() -> String {
        guard let stats = transportStats.withLock({ $0 }) else { return "" }
        let values: [(String, String, Int)] = [
            ("idgate_http2_open_connections", "gauge", stats.openConnections),
            ("idgate_http2_accepted_connections_total", "counter", stats.acceptedConnections),
            ("idgate_http2_rejected_connections_total", "counter", stats.rejectedConnections),
            ("idgate_http2_open_streams", "gauge", stats.openStreams),
            ("idgate_http2_streams_total", "counter", stats.requests),
            ("idgate_http2_refused_streams_total", "counter", stats.rejectedStreams),
            ("idgate_http2_resets_received_total", "counter", stats.resetsReceived),
            ("idgate_http2_protocol_errors_total", "counter", stats.protocolErrors),
            ("idgate_http2_goaways_sent_total", "counter", stats.goawaysSent),
        ]
        var text = ""
        for (name, type, value) in values { text += "# TYPE \(name) \(type)\n\(name) \(value)\n" }
        return text
    }
}

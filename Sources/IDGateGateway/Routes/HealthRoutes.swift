import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateWire
import NIOCore

/// `GET /healthz` (alive), `GET /readyz` (registry open, its sequence; `"audit":"damaged"` while the audit log holds unacknowledged damage), `GET /metrics` (Prometheus text),
/// `GET /.well-known/idgate-signing-keys` (public keys that verify `x-idgate-signature`). No admission: load
/// balancers and scrapers call them without credentials.
struct HealthRoutes: GatewayRoute {
    let services: GatewayServices

    func register(on router: inout Router<LoopContext>) {
        let registry = services.registry
        let auditDamaged = services.auditDamaged
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
            let audit = auditDamaged ? #","audit":"damaged""# : ""
            writer.respond(
                status: .ok, headers: .json,
                body: ByteBuffer(
                    string: #"{"status":"ready","registrySequence":\#(store.sequence),"schemaVersion":\#(store.schemaVersion)\#(audit)}"#))
        }
        let keySet = ByteBuffer(bytes: SigningKeySet(keys: services.signer.map { [$0.publicKey] } ?? []).jsonBytes())
        router.on(.GET, "/.well-known/idgate-signing-keys") { _, writer, _ in
            writer.respond(status: .ok, headers: .json, body: keySet)
        }
        let services = self.services
        router.on(.GET, "/metrics") { _, writer, _ in
            let body = services.metrics.exposition(transport: services.transportStats.withLock { $0 })
            writer.respond(
                status: .ok, headers: ["content-type": "text/plain; version=0.0.4; charset=utf-8"],
                body: ByteBuffer(bytes: body))
        }
    }
}

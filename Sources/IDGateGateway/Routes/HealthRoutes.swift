import IDGateAudit
import IDGateCore
import IDGateFleet
import IDGateHTTP2
import IDGateWire
import NIOCore

/// `GET /healthz` (alive), `GET /readyz` (registry open, its sequence; `"audit":"damaged"` while the audit log holds unacknowledged damage), `GET /metrics` (Prometheus text),
/// `GET /.well-known/idgate-signing-keys` (public keys that verify `x-idgate-signature`). No admission: load
/// balancers and scrapers call them without credentials.
struct HealthRoutes: GatewayRoute {
    let services: GatewayServices

    /// On the API listeners: everything, except `/metrics` when an operations listener serves it.
    func register(on router: inout Router<LoopContext>) {
        register(on: &router, metrics: services.configuration.operations == nil)
    }

    /// The routes on any router: the API listeners' (`LoopContext`) or the operations listener's.
    func register<Context: AnyObject & Sendable>(on router: inout Router<Context>, metrics: Bool) {
        let registry = services.registry
        let auditDamaged = services.auditDamaged
        router.on(.GET, "/healthz") { _, writer, _ in
            writer.respond(status: .ok, headers: .json, body: ByteBuffer(string: #"{"status":"ok"}"#))
        }
        let follower = services.follower
        let maxLag = services.configuration.registry.maxFollowLagSeconds
        router.on(.GET, "/readyz") { [services] _, writer, _ in
            if services.draining.load(ordering: .relaxed) {
                writer.respond(
                    status: .serviceUnavailable, headers: .json,
                    body: ByteBuffer(string: #"{"status":"not_ready","reason":"draining"}"#))
                return
            }
            let following = follower.map { Readiness.following($0.status, maxLagSeconds: maxLag) }
            guard let store = registry.store else {
                writer.respond(
                    status: .serviceUnavailable, headers: .json,
                    body: ByteBuffer(string: #"{"status":"not_ready","reason":"registry_not_open"}"#))
                return
            }
            var body = #"{"status":"\#(following?.reason == nil ? "ready" : "not_ready")""#
            if let reason = following?.reason { body += #","reason":"\#(reason)""# }
            body += #","registrySequence":\#(store.sequence),"schemaVersion":\#(store.schemaVersion)"#
            if auditDamaged { body += #","audit":"damaged""# }
            if let following { body += #","follow":\#(following.json)"# }
            body += "}"
            writer.respond(
                status: following?.reason == nil ? .ok : .serviceUnavailable, headers: .json,
                body: ByteBuffer(string: body))
        }
        let keySet = ByteBuffer(bytes: SigningKeySet(keys: services.signer.map { [$0.publicKey] } ?? []).jsonBytes())
        router.on(.GET, "/.well-known/idgate-signing-keys") { _, writer, _ in
            writer.respond(status: .ok, headers: .json, body: keySet)
        }
        let services = self.services
        guard metrics else { return }
        router.on(.GET, "/metrics") { _, writer, _ in
            let body = services.metrics.exposition(
                transport: services.transportStats.withLock { $0 }, follower: services.follower?.status,
                shipper: services.fleetAudit?.shipper.status, counterSync: services.sharedCounters?.status)
            writer.respond(
                status: .ok, headers: ["content-type": "text/plain; version=0.0.4; charset=utf-8"],
                body: ByteBuffer(bytes: body))
        }
    }
}

/// What `/readyz` says about a node that follows the registry of record: not ready before its first snapshot, while
/// its copy is older than the configured bound, or while an alarm stops it from applying changes.
enum Readiness {
    static func following(_ status: FollowerStatus, maxLagSeconds: Double) -> (reason: String?, json: String) {
        var reason: String?
        if !status.isBootstrapped {
            reason = "registry_not_bootstrapped"
        } else if status.alarm != nil {
            reason = "registry_follow_alarm"
        } else if status.lagSeconds > maxLagSeconds {
            reason = "registry_lagging"
        }
        var json = #"{"connected":\#(status.isConnected),"lagSeconds":\#(status.lagSeconds)"#
        if let applied = status.appliedSequence { json += #","appliedSequence":\#(applied)"# }
        if let latest = status.latestKnownSequence { json += #","latestSequence":\#(latest)"# }
        if let lag = status.lagBatches { json += #","lagBatches":\#(lag)"# }
        if let alarm = status.alarm {
            var text: [UInt8] = []
            text.write(jsonString: alarm.description)
            json += #","alarm":"# + String(decoding: text, as: UTF8.self)
        }
        return (reason, json + "}")
    }
}

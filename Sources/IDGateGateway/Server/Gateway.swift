import Foundation
import IDGateFleet
import IDGateAudit
import IDGateChip
import IDGateCore
import IDGateHTTP2
import IDGateStore
import IDGateWire
import Logging
import NIOCore
import Synchronization

/// The identity verification gateway: the registry, the verification engines and the relying-party controls
/// assembled behind the HTTP/2 server.
///
/// `start()` binds the listeners and opens the registry (readiness follows the registry); `shutdown()` drains.
public final class Gateway: Sendable {
    public let configuration: GatewayConfiguration
    let services: GatewayServices
    let server: HTTP2Server
    /// The operations listener's server (`configuration.operations`): health and metrics on their own event loop.
    let operationsServer: HTTP2Server?
    private let reloadTask: ReloadTask
    /// Appends changed counters (quotas, guessing counts) to the state journal every flush interval.
    private let counterFlushTask = ReloadTask()

    /// - Parameter follower: keeps the registry a copy of the registry of record (fleet nodes); readiness and metrics
    ///   report it. The caller runs it (it is a `Service`).
    /// - Parameter fleetAudit: ships the audit log to the fleet's PostgreSQL and serves access histories from there
    ///   (fleet nodes); the gateway binds it to its log, the caller runs its services.
    /// - Parameter sharedCounters: shares guessing counts and daily quotas with the other nodes through the fleet's
    ///   PostgreSQL (fleet nodes); the gateway binds it to its counters, the caller runs it.
    public init(
        configuration: GatewayConfiguration, logger: Logger, follower: RegistryFollower? = nil, fleetAudit: FleetAudit? = nil,
        sharedCounters: SharedCounterSync? = nil
    ) throws {
        self.configuration = configuration
        let services = try GatewayServices(
            configuration: configuration, logger: logger, follower: follower, fleetAudit: fleetAudit,
            sharedCounters: sharedCounters)
        self.services = services
        let metrics = services.metrics
        let server = HTTP2Server(
            configuration: configuration.server, router: Self.makeRouter(services), logger: logger,
            loopContext: { _ in LoopContext(services: services) },
            onRequestCompleted: { route, status, nanos, loop in
                // The loop's own cache of counters: no lock or string hashing shared by all loops per request.
                loop.requestCounters.counter(route: route, status: status, in: metrics).increment()
                loop.latency.record(nanoseconds: Int64(truncatingIfNeeded: nanos))
                if status != 503 {
                    loop.overload.noteAnswered(durationNanos: nanos, isUpload: route.path == BatchMatchRoute.path)
                }
            })
        self.server = server
        if let operations = configuration.operations {
            var router = Router<NoLoopContext>()
            HealthRoutes(services: services).register(on: &router, metrics: true)
            operationsServer = HTTP2Server(
                configuration: HTTP2ServerConfiguration(
                    listeners: [.h2c(host: operations.host, port: operations.port)], threads: 1,
                    limits: configuration.server.limits),
                router: router, logger: logger)
        } else {
            operationsServer = nil
        }
        services.transportStats.withLock { $0 = server.stats }
        reloadTask = ReloadTask()
    }

    /// The routes the gateway serves, each with its admission.
    static func makeRouter(_ services: GatewayServices) -> Router<LoopContext> {
        var router = Router<LoopContext>()
        // Errors the HTTP/2 layer answers itself (404, 405, 413, 415, 431) carry a transaction ID too.
        router.rejectionBody = { code, message, loop in
            var body = ByteBuffer()
            body.write("{\"transactionId\":\"")
            loop.nextTransactionID().write(into: &body)
            body.write("\",\"error\":{\"code\":")
            body.write(jsonString: code)
            body.write(",\"message\":")
            body.write(jsonString: message)
            body.write("}}")
            return body
        }
        // 413 and 415 of API routes, answered by the HTTP/2 layer, are audited like the routes' own refusals.
        let rejectionAudit = RouteRejectionAudit(services: services)
        router.routeRejectionBody = { rejection, loop in rejectionAudit.body(for: rejection, loop: loop) }
        // Each route registered as its concrete type, not through `[any GatewayRoute]`: a generic route
        // (`KindCheckRoute<Check>`) called through the existential ran its whole request path unspecialized, with
        // runtime generic metadata lookups on every request.
        HealthRoutes(services: services).register(on: &router)
        IdentityMatchRoute(services: services).register(on: &router)
        BatchMatchRoute(services: services).register(on: &router)
        ChipRoutes(services: services).register(on: &router)
        DocumentVerifyRoute(services: services).register(on: &router)
        OrganizationMatchRoute(services: services).register(on: &router)
        AccessHistoryRoute(services: services).register(on: &router)
        return router
    }

    /// Opens the registry (failure leaves the server up but not ready, retried by the reload loop), binds the
    /// listeners and returns their addresses (the operations listener's last).
    public func start() async throws -> [SocketAddress] {
        do {
            try services.registry.open()
            services.metrics.setRegistrySequence(services.registry.store?.sequence ?? 0)
        } catch {
            services.logger.error("registry not open; /readyz answers 503 until it is", metadata: ["error": "\(error)"])
        }
        var addresses = try await server.start()
        if let operationsServer {
            do {
                addresses += try await operationsServer.start()
            } catch {
                await server.shutdown(gracefully: false)
                throw error
            }
        }
        reloadTask.start(every: configuration.registry.reloadCheckInterval) { [services] in
            services.periodicMaintenance()
        }
        counterFlushTask.start(every: configuration.state.flushIntervalSeconds) { [services] in
            services.counters.flush()
        }
        return addresses
    }

    /// Stops reporting ready (`/readyz` 503 `draining`) while still serving: the first step of a graceful shutdown
    /// behind a load balancer.
    public func beginDraining() {
        services.draining.store(true, ordering: .relaxed)
    }

    /// Stops accepting, sends GOAWAY, lets in-flight streams finish up to the drain timeout.
    public func shutdown() async {
        reloadTask.cancel()
        counterFlushTask.cancel()
        await server.shutdown(gracefully: true)
        await operationsServer?.shutdown(gracefully: true)
        services.close()
    }

    /// Transport counters of the HTTP/2 server.
    public var transportStats: HTTP2ServerStats { server.stats }

    /// The audit log's last durable record (nil with auditing off).
    public var auditHead: AuditHead? { services.audit?.head }
}

/// A repeating background task (registry generation check, client registry reload).
final class ReloadTask: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func start(every seconds: Double, _ body: @escaping @Sendable () -> Void) {
        let interval = UInt64(max(0.05, seconds) * 1e9)
        let started = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: interval)
                if Task.isCancelled { break }
                body()
            }
        }
        task.withLock { $0 = started }
    }

    func cancel() { task.withLock { $0?.cancel() } }
}

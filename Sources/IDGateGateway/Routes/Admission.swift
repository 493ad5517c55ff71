import Foundation
import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateWire
import Logging
import NIOCore

/// The checks every API request passes before its route runs, in order: overload shedding, authentication (API key
/// or mTLS peer), the operation allowed for the client, its rate limit and daily quota. Composed once per route as a
/// value (`Router.on(_:_:contentType:admission:_:)`); a refused request is answered (503/401/403/429) and audited
/// here, and the route never sees it. Attribute and purpose checks need the parsed body: routes make them.
/// Overload refusals are the exception: answered at once and counted (`idgate_overload_shed_total`), not audited,
/// because they come before any identity is known and auditing them would turn a flood into audit writes.
struct Admission: Sendable {
    let operation: ClientOperation
    let clients: ClientRegistry
    let inFlight: InFlightRequests
    let retryAfterSeconds: Int
    let answering: Answering
    let logger: Logger
    let metrics: GatewayMetrics
    /// `content-type: application/json` and `retry-after`, made once.
    let overloadedHeaders: HTTPResponseHeaders

    init(_ operation: ClientOperation, services: GatewayServices) {
        logger = services.logger
        self.operation = operation
        clients = services.clients
        inFlight = services.inFlight
        retryAfterSeconds = services.configuration.overload.retryAfterSeconds
        answering = Answering(inFlight: services.inFlight)
        metrics = services.metrics
        var headers = HTTPResponseHeaders.json
        headers.add(name: "retry-after", value: String(retryAfterSeconds))
        overloadedHeaders = headers
    }

    /// The admitted client, or nil when the request was refused (and answered). On success the request counts as in
    /// flight until `Answering.finish` or `refuse` answers it.
    func admit(_ request: HTTPRequest, arrival: Arrival, writer: ResponseWriter, loop: LoopContext) -> Client? {
        if let reason = loop.overload.shedReason(request.loopWait) {
            (reason == .queueDelay ? metrics.shedForQueueDelay : metrics.shedForLateAnswers).increment()
            refuseOverloaded("the gateway is behind; retry later", writer: writer, loop: loop)
            return nil
        }
        guard inFlight.enter() else {
            inFlight.release()
            metrics.shedForInFlight.increment()
            refuseOverloaded("the gateway is at capacity; retry later", writer: writer, loop: loop)
            return nil
        }
        let client: Client
        switch authenticate(request, loop: loop, now: arrival.now) {
        case .success(let found): client = found
        case .failure(let problem):
            if let reason = problem.concealedReason {
                logger.info(
                    "credentials refused", metadata: ["client": "\(problem.refusedClientID ?? "-")", "reason": "\(reason)"])
            }
            answering.refuse(problem, client: nil, operation: operation, arrival: arrival, writer: writer, loop: loop)
            return nil
        }
        guard client.operations.contains(operation) else {
            answering.refuse(
                .forbidden("operation \(operation.rawValue) is not allowed for this client", field: operation.rawValue),
                client: client, operation: operation, arrival: arrival, writer: writer, loop: loop)
            return nil
        }
        if let remaining = client.guessingWatch.suspensionRemaining(now: arrival.now) {
            answering.refuse(
                WireError(
                    .clientSuspended,
                    message: "client suspended for an unusual share of not_found/mismatch answers; retry in \(remaining) s"),
                client: client, operation: operation, retryAfter: remaining, arrival: arrival, writer: writer, loop: loop)
            return nil
        }
        if let problem = loop.rateLimiter.admit(client, monotonicNow: arrival.monotonic, now: arrival.now) {
            answering.refuse(problem, client: client, operation: operation, arrival: arrival, writer: writer, loop: loop)
            return nil
        }
        return client
    }

    /// 503 `overloaded` with `retry-after`, sent at once: no authentication, no audit record, no answer batch.
    func refuseOverloaded(_ message: String, writer: ResponseWriter, loop: LoopContext) {
        var body = ByteBuffer()
        body.reserveCapacity(128)
        WireError(.overloaded, message: message).encode(transactionID: loop.nextTransactionID(), into: &body)
        writer.respond(status: .serviceUnavailable, headers: overloadedHeaders, body: body)
    }

    /// API key (`Authorization: Bearer`) first, else the verified mTLS peer (its certificate's SHA-256, as the
    /// HTTP/2 layer hands it over).
    func authenticate(_ request: HTTPRequest, loop: LoopContext, now: Date) -> Result<Client, PolicyError> {
        guard let authorization = request.headers.valueBytes("authorization") else {
            return loop.apiKeys.currentSnapshot(of: clients).authenticate(
                apiKey: nil, peerFingerprint: request.peer?.fingerprint, peerSubject: request.peer?.subject, now: now)
        }
        guard request.headers.count(of: "authorization") == 1 else {
            return .failure(.unauthenticated("more than one authorization header: send exactly one"))
        }
        let result = authorization.withContiguousStorageIfAvailable { header -> Result<Client, PolicyError> in
            let bearer: StaticString = "bearer "
            let prefixLength = bearer.utf8CodeUnitCount
            guard header.count > prefixLength,
                (0..<prefixLength).allSatisfy({ header[$0] | 0x20 == bearer.utf8Start[$0] })
            else {
                return .failure(.unauthenticated("Authorization must be `Bearer <api-key>`"))
            }
            let key = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(header)[prefixLength...])
            return loop.apiKeys.authenticate(apiKey: key, registry: clients, now: now)
        }
        return result ?? .failure(.unauthenticated("Authorization must be `Bearer <api-key>`"))
    }
}

extension Router where Context == LoopContext {
    /// Routes `method path` to `handler`, which runs only for requests `admission` let through.
    mutating func on(
        _ method: HTTPMethod, _ path: String, contentType: String? = nil, admission: Admission,
        _ handler: @escaping @Sendable (AdmittedRequest, ResponseWriter, LoopContext) -> Void
    ) {
        on(method, path, contentType: contentType) { request, writer, loop in
            let arrival = Arrival.now()
            guard let client = admission.admit(request, arrival: arrival, writer: writer, loop: loop) else { return }
            handler(AdmittedRequest(http: request, client: client, arrival: arrival), writer, loop)
        }
    }

    /// `onStreaming` behind `admission`: a refused request's body is drained and dropped.
    mutating func onStreaming(
        _ method: HTTPMethod, _ path: String, contentType: String? = nil, admission: Admission,
        _ handler: @escaping @Sendable (AdmittedRequest, ResponseWriter, LoopContext) -> any StreamingBodyHandler
    ) {
        onStreaming(method, path, contentType: contentType) { request, writer, loop in
            let arrival = Arrival.now()
            guard let client = admission.admit(request, arrival: arrival, writer: writer, loop: loop) else {
                return DiscardingBodyHandler(writer: writer)
            }
            return handler(AdmittedRequest(http: request, client: client, arrival: arrival), writer, loop)
        }
    }
}

/// Drains the body of a refused streaming request (the answer was already sent).
final class DiscardingBodyHandler: StreamingBodyHandler {
    let writer: ResponseWriter
    init(writer: ResponseWriter) { self.writer = writer }
    func didReceive(_ chunk: ByteBuffer) { writer.consumed(chunk.readableBytes) }
    func didFinish() {}
    func didCancel() {}
}

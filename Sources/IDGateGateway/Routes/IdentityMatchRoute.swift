import Foundation
import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateMatching
import IDGateStore
import IDGateWire
import NIOCore

extension GatewayContext {
    /// `POST /v1/identity/match` (JSON) and `POST /v1/identity/match:batch` (NDJSON, streamed both ways).
    func addIdentityMatchRoutes(to router: inout Router) {
        router.on(.POST, "/v1/identity/match", contentType: "application/json") { [self] request, writer in
            answerMatch(request, writer)
        }
        router.onStreaming(.POST, "/v1/identity/match:batch", contentType: "application/x-ndjson") {
            [self] request, writer in
            startBatch(request, writer)
        }
    }

    /// Runs on the connection's event loop: admission, parse, policy, lookup, compare, encode — then `finish`
    /// signs, audits and answers.
    private func answerMatch(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let started = MonotonicClock.nanoseconds()
        let now = Date()
        let loop = LoopContext.current(for: self)
        guard let client = admit(request, operation: .match, writer: writer, loop: loop, started: started, now: now)
        else { return }
        guard let reader = loop.reader(from: registry) else {
            refuse(
                WireError(.overloaded, message: "the registry is not open yet"), client: client, operation: .match,
                retryAfter: configuration.overload.retryAfterSeconds, started: started, writer: writer, loop: loop)
            return
        }
        let today = PartialDate.today(secondsSinceEpoch: now.timeIntervalSince1970)
        let failure = loop.withAnswerScratch { scratch -> WireError? in
            let failure = request.body.withUnsafeReadableBytes { bytes in
                loop.responder.respond(to: bytes, lookup: reader, today: today, into: &scratch) { parsed in
                    client.authorize(
                        operation: .match, attributes: parsed.attributes.set, purpose: parsed.text(.purpose)
                    ).map(WireError.init(policy:))
                }
            }
            guard failure == nil else { return failure }
            // The answer goes from the scratch memory to the stream (or the tick's batch) in one copy.
            let parsed = loop.responder.parser.request
            finish(
                status: 200, body: scratch.bytes, signed: true,
                audit: AuditRecord(
                    time: now, clientID: client.id, purpose: parsed.text(.purpose), operation: .match,
                    transaction: loop.responder.lastTransactionID, subject: parsed.idNumber,
                    attributes: parsed.attributes.set, decision: AuditDecision(loop.responder.lastDecision),
                    status: 200, latencyMicros: 0),
                client: client, started: started, writer: writer, loop: loop)
            return nil
        }
        if let failure {
            let parsed = loop.responder.parser.request
            refuse(
                failure, client: client, operation: .match, purpose: parsed.text(.purpose),
                subject: parsed.idNumber?.description, attributes: parsed.attributes.set, started: started,
                writer: writer, loop: loop)
        }
    }
}

extension AuditDecision {
    init(_ decision: MatchDecision?) {
        switch decision {
        case .match: self = .match
        case .partial: self = .partial
        case .mismatch: self = .mismatch
        case .notFound: self = .notFound
        case nil: self = .none
        }
    }
}

import Foundation
import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateMatching
import IDGateStore
import IDGateWire
import NIOCore

/// What the gateway serves: each route is a value that registers its paths, with its admission, on the router.
protocol GatewayRoute: Sendable {
    func register(on router: inout Router<LoopContext>)
}

/// `POST /v1/identity/match` (JSON): parse, policy, lookup, compare, encode on the connection's event loop, then
/// `Answering.finish` signs, audits and answers.
struct IdentityMatchRoute: GatewayRoute {
    let registry: RegistryHolder
    let admission: Admission
    /// Failed answers per (client, subject): 429 once a client used them up for a subject.
    let subjects: SubjectGuard
    /// Refusals and answers go through admission's `Answering` (the same in-flight count).
    var answering: Answering { admission.answering }

    init(services: GatewayServices) {
        registry = services.registry
        admission = Admission(.match, services: services)
        subjects = SubjectGuard(services: services)
    }

    func register(on router: inout Router<LoopContext>) {
        router.on(.POST, "/v1/identity/match", contentType: "application/json", admission: admission) {
            request, writer, loop in
            answer(request, writer, loop)
        }
    }

    private func answer(_ request: AdmittedRequest, _ writer: ResponseWriter, _ loop: LoopContext) {
        let client = request.client
        guard let reader = loop.reader(from: registry) else {
            answering.refuse(
                WireError(.overloaded, message: "the registry is not open yet"), client: client, operation: .match,
                retryAfter: admission.retryAfterSeconds, arrival: request.arrival, writer: writer, loop: loop)
            return
        }
        let today = request.arrival.today
        loop.responder.engine.policy = client.reasonDecisions
        // The subject's keyed hash, once: the limiter's key and, handed over, the audit record's.
        var subject: SHA256Key? = nil
        var retryAfter: Int? = nil
        let failure = loop.withAnswerScratch { scratch -> WireError? in
            let outcome = request.http.body.withUnsafeReadableBytes { bytes in
                loop.responder.respond(to: bytes, lookup: reader, today: today, into: &scratch) { parsed in
                    if let refused = client.authorize(
                        operation: .match, attributes: parsed.attributes.set, purpose: parsed.text(.purpose))
                    {
                        return WireError(policy: refused)
                    }
                    subject = subjects.subjectKey(of: parsed, client: client)
                    guard let subject, let refusal = subjects.refusal(subject: subject, client: client, now: request.arrival.now)
                    else { return nil }
                    retryAfter = refusal.retryAfter
                    return refusal.error
                }
            }
            guard case .success(let answer) = outcome else {
                if case .failure(let error) = outcome { return error }
                return nil
            }
            // The answer goes from the scratch memory to the stream (or the tick's batch) in one copy.
            let parsed = loop.responder.parser.request
            subjects.observe(answer.decision, subject: subject, client: client, now: request.arrival.now)
            var record = AuditRecord(
                time: request.arrival.now, clientID: client.id, purpose: parsed.text(.purpose), operation: .match,
                transaction: answer.transactionID, subject: parsed.idNumber, attributes: parsed.attributes.set,
                decision: AuditDecision(answer.decision), status: 200, latencyMicros: 0)
            record.subjectHash = subject
            // A passport-keyed request's subject is `NAT:PASSPORT` (docs/AUDIT.md), hashed like an ID number.
            if subject == nil, parsed.idNumber == nil { record.subjectIDNumber = parsed.foreignerSubject }
            answering.finish(
                status: 200, body: scratch.bytes, signed: true, audit: record,
                client: client, arrival: request.arrival, writer: writer, loop: loop)
            return nil
        }
        if let failure {
            let parsed = loop.responder.parser.request
            answering.refuse(
                failure, client: client, operation: .match, purpose: parsed.text(.purpose),
                subject: parsed.idNumber?.description ?? parsed.foreignerSubject, attributes: parsed.attributes.set, retryAfter: retryAfter,
                arrival: request.arrival, writer: writer, loop: loop)
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

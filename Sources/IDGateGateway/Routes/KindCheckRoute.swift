import Foundation
import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateMatching
import IDGateStore
import IDGateWire
import NIOCore

/// What differs between the record kinds checked beside identities (documents, organizations): path, operation,
/// parser, policy, subject, lookup and comparison. `KindCheckRoute` answers them as single requests and
/// `BatchMatchHandler` as batch lines (`"kind"`), both through `respond`.
protocol KindCheck: Sendable {
    associatedtype Parsed: Sendable
    static var path: String { get }
    static var operation: ClientOperation { get }
    /// The request field holding the subject the guessing limiter counts failed answers about (a 429 names it);
    /// nil: this kind is not limited.
    static var guardedField: String? { get }

    init(services: GatewayServices)
    func parse(_ body: UnsafeRawBufferPointer) -> Result<Parsed, WireError>
    func purpose(of parsed: Parsed) -> String?
    /// The audited subject: an ID number (hashed with the audit key), else its text form.
    func subject(of parsed: Parsed) -> KindSubject
    func authorize(_ parsed: Parsed, client: Client) -> PolicyError?
    /// Looks the record up, compares and writes the 200 answer; returns its decision.
    func answer(
        _ parsed: Parsed, reader: RegistryReader, client: Client, today: PartialDate, transactionID: TransactionID,
        into sink: inout ScratchByteSink
    ) -> MatchDecision
}

/// Whom a kind's request is about, as the audit (and for ID numbers, the guessing limiter) keys it.
enum KindSubject {
    case idNumber(IDNumber)
    case text(String)

    var description: String {
        switch self {
        case .idNumber(let id): id.description
        case .text(let text): text
        }
    }
}

/// What `KindCheck.respond` did: the parsed request when the body could be read, and the answer or the refusal.
struct KindResponse<Parsed> {
    var parsed: Parsed?
    /// The subject's keyed hash when the guessing limiter counts this request (the audit record's subject then).
    var subjectKey: SHA256Key?
    var outcome: Result<(transactionID: TransactionID, decision: MatchDecision), WireError>
    var retryAfter: Int?
}

extension KindCheck {
    /// Parse, policy, guessing limit, lookup, compare, encode into `sink` (nothing written on failure), and count
    /// the answer against the subject.
    func respond(
        to body: UnsafeRawBufferPointer, reader: RegistryReader, client: Client, subjects: SubjectGuard, now: Date,
        today: PartialDate, nextTransactionID: () -> TransactionID, into sink: inout ScratchByteSink
    ) -> KindResponse<Parsed> {
        let parsed: Parsed
        switch parse(body) {
        case .success(let value): parsed = value
        case .failure(let error): return KindResponse(parsed: nil, outcome: .failure(error))
        }
        if let problem = authorize(parsed, client: client) {
            return KindResponse(parsed: parsed, outcome: .failure(WireError(policy: problem)))
        }
        var subjectKey: SHA256Key?
        if let field = Self.guardedField, case .idNumber(let id) = subject(of: parsed) {
            subjectKey = subjects.subjectKey(id, client: client)
            if let subjectKey, let refusal = subjects.refusal(subject: subjectKey, client: client, now: now, field: field) {
                return KindResponse(
                    parsed: parsed, subjectKey: subjectKey, outcome: .failure(refusal.error), retryAfter: refusal.retryAfter)
            }
        }
        let transactionID = nextTransactionID()
        let decision = answer(
            parsed, reader: reader, client: client, today: today, transactionID: transactionID, into: &sink)
        if Self.guardedField != nil { subjects.observe(decision, subject: subjectKey, client: client, now: now) }
        return KindResponse(parsed: parsed, subjectKey: subjectKey, outcome: .success((transactionID, decision)))
    }

    /// The audit record of a request about this kind: answered (`transaction` its ID) or refused (a batch line's
    /// `line-N`), with its subject when the body could be read.
    func auditRecord(
        _ parsed: Parsed?, subjectKey: SHA256Key?, transaction: AuditRecord.Text, decision: AuditDecision,
        status: UInt16, time: Date, client: Client
    ) -> AuditRecord {
        let subject = parsed.map { self.subject(of: $0) }
        var idNumber: IDNumber?
        if case .idNumber(let id)? = subject { idNumber = id }
        var record = AuditRecord(
            time: time, clientID: client.id, purpose: parsed.flatMap { purpose(of: $0) }, operation: Self.operation,
            transaction: TransactionID(high: 0, low: 0), subject: idNumber, attributes: [], decision: decision,
            status: status, latencyMicros: 0)
        record.transactionText = transaction
        if case .text(let text)? = subject { record.subjectIDNumber = text }
        record.subjectHash = subjectKey
        return record
    }
}

/// A `KindCheck` served on its own path (JSON, docs/API.md): everything on the connection's event loop, then
/// `Answering.finish` signs, audits and answers, as for identity matches.
struct KindCheckRoute<Check: KindCheck>: GatewayRoute {
    let registry: RegistryHolder
    let admission: Admission
    let check: Check
    /// Failed answers per (client, subject), for the kinds with a `guardedField`.
    let subjects: SubjectGuard
    var answering: Answering { admission.answering }

    init(services: GatewayServices) {
        registry = services.registry
        admission = Admission(Check.operation, services: services)
        check = Check(services: services)
        subjects = SubjectGuard(services: services)
    }

    func register(on router: inout Router<LoopContext>) {
        router.on(.POST, Check.path, contentType: "application/json", admission: admission) {
            request, writer, loop in
            answer(request, writer, loop)
        }
    }

    private func answer(_ request: AdmittedRequest, _ writer: ResponseWriter, _ loop: LoopContext) {
        let client = request.client
        guard let reader = loop.reader(from: registry) else {
            answering.refuse(
                WireError(.overloaded, message: "the registry is not open yet"), client: client,
                operation: Check.operation, retryAfter: admission.retryAfterSeconds, arrival: request.arrival,
                writer: writer, loop: loop)
            return
        }
        loop.withAnswerScratch { scratch in
            let response = request.http.body.withUnsafeReadableBytes { body in
                check.respond(
                    to: body, reader: reader, client: client, subjects: subjects, now: request.arrival.now,
                    today: request.arrival.today, nextTransactionID: loop.nextTransactionID, into: &scratch)
            }
            switch response.outcome {
            case .success(let answer):
                answering.finish(
                    status: 200, body: scratch.bytes, signed: true,
                    audit: check.auditRecord(
                        response.parsed, subjectKey: response.subjectKey, transaction: .transaction(answer.transactionID),
                        decision: AuditDecision(answer.decision), status: 200, time: request.arrival.now, client: client),
                    client: client, arrival: request.arrival, writer: writer, loop: loop)
            case .failure(let error):
                let parsed = response.parsed
                answering.refuse(
                    error, client: client, operation: Check.operation, purpose: parsed.flatMap(check.purpose(of:)),
                    subject: parsed.map { check.subject(of: $0).description }, retryAfter: response.retryAfter,
                    arrival: request.arrival, writer: writer, loop: loop)
            }
        }
    }
}

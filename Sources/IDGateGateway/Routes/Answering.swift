import Foundation
import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateStore
import IDGateWire
import NIOCore

/// The step that ends every API request, answered or refused: count the client's decision, then sign (200
/// answers, batched per loop tick), audit, and answer once the record is durable (or at once in async audit mode).
/// If the audit log cannot take the record, the caller gets 503 instead of an unaudited answer.
struct Answering: Sendable {
    let inFlight: InFlightRequests

    /// Answers a refused request (policy or wire error) with the docs/API.md error body, audited like any other.
    func refuse(
        _ problem: PolicyError, client: Client?, operation: ClientOperation, arrival: Arrival, writer: ResponseWriter,
        loop: LoopContext
    ) {
        refuse(
            WireError(policy: problem), client: client, auditClientID: problem.refusedClientID, operation: operation,
            retryAfter: problem.retryAfterSeconds, arrival: arrival, writer: writer, loop: loop)
    }

    func refuse(
        _ error: WireError, client: Client?, auditClientID: String? = nil, operation: ClientOperation, purpose: String? = nil,
        subject: String? = nil, attributes: AttributeSet = [], retryAfter: Int? = nil, arrival: Arrival,
        writer: ResponseWriter, loop: LoopContext
    ) {
        var body = ByteBuffer()
        body.reserveCapacity(160 + error.message.utf8.count)
        let transactionID = loop.nextTransactionID()
        error.encode(transactionID: transactionID, into: &body)
        finish(
            status: error.status, body: body, retryAfter: retryAfter, signed: false,
            audit: AuditRecord(
                time: arrival.now, clientID: client?.id ?? auditClientID ?? "-", purpose: purpose, operation: operation,
                transactionID: transactionID.description, subjectIDNumber: subject, attributes: attributes,
                decision: .none, status: UInt16(error.status), latencyMicros: 0),
            client: client, errorCode: error.code.rawValue, arrival: arrival, writer: writer, loop: loop)
    }

    func finish(
        status: Int, body: ByteBuffer, retryAfter: Int? = nil, signed: Bool, audit record: AuditRecord,
        awaitsAudit: Bool = true, client: Client?, errorCode: String? = nil, arrival: Arrival, writer: ResponseWriter,
        loop: LoopContext
    ) {
        body.withUnsafeReadableBytes { bytes in
            finish(
                status: status, body: bytes, retryAfter: retryAfter, signed: signed, audit: record,
                awaitsAudit: awaitsAudit, client: client, errorCode: errorCode, arrival: arrival, writer: writer,
                loop: loop)
        }
    }

    /// `finish` with the body's bytes (copied; valid only during the call): answers encoded in the loop's scratch
    /// memory reach the stream without a buffer allocated per answer. `awaitsAudit: false` (unsigned answers only)
    /// sends the answer at once and lets its record join the tick's commit: for answers that carry no personal data
    /// (a chip challenge), never for an answer about a person.
    func finish(
        status: Int, body: UnsafeRawBufferPointer, retryAfter: Int? = nil, signed: Bool,
        audit record: consuming AuditRecord, awaitsAudit: Bool = true, client: Client?, errorCode: String? = nil,
        arrival: Arrival, writer: ResponseWriter, loop: LoopContext
    ) {
        let latencyMicros = UInt32(clamping: (MonotonicClock.nanoseconds() &- arrival.monotonic) / 1000)
        record.latencyMicros = latencyMicros
        client?.metrics.record(decision: record.decision, errorCode: errorCode, latencyMicros: Int(latencyMicros))
        var headers: HTTPResponseHeaders = .json
        if let retryAfter { headers.add(name: "retry-after", value: String(retryAfter)) }
        // RFC 9110 §11.6.1: a 401 names the scheme that would be accepted.
        if status == 401 { headers.add(name: "www-authenticate", value: "Bearer") }
        // While the audit log is failing, every answer waits (and is refused if its record cannot be written).
        let sendsAtOnce = !loop.answers.isNeeded || (!awaitsAudit && !signed && loop.answers.auditIsHealthy)
        guard !sendsAtOnce else {
            inFlight.release()
            writer.respond(status: HTTPStatus(status), headers: headers, bodyBytes: body)
            loop.answers.addRecord(record, on: writer.eventLoop)
            return
        }
        loop.answers.add(
            status: status, headers: headers, body: body, writer: writer, signed: signed, record: consume record)
    }
}

extension WireError {
    /// The wire form of a policy refusal (same codes, statuses and fields).
    init(policy: PolicyError) {
        self.init(Code(rawValue: policy.code) ?? .forbidden, message: policy.message, field: policy.field)
    }
}

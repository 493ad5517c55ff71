import Foundation
import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateWire
import NIOCore

/// Audits the refusals the HTTP/2 layer answers itself for an API route it matched: 413 `body_too_large` (the
/// declared or received body is over `maxRequestBodyBytes`) and 415 `unsupported_media_type`. Every other refusal
/// of an API request is audited by its route; these never reach one.
///
/// The record names the client when the request's credentials authenticate (else `-`), the operation of the
/// route, decision `none`, the status, and the transaction ID of the answer's body. It is appended as the answer
/// is sent, not before: the answer carries no data to hold back.
struct RouteRejectionAudit: Sendable {
    private let admissions: [String: Admission]
    private let audit: AuditLog?

    init(services: GatewayServices) {
        audit = services.audit
        admissions = [
            "/v1/identity/match": Admission(.match, services: services),
            BatchMatchRoute.path: Admission(.batch, services: services),
            "/v1/chip/challenge": Admission(.chipVerify, services: services),
            "/v1/chip/verify": Admission(.chipVerify, services: services),
        ]
    }

    /// The error body (with a fresh transaction ID), after handing the audit record to the log.
    func body(for rejection: RouteRejection, loop: LoopContext) -> ByteBuffer {
        let transactionID = loop.nextTransactionID()
        var body = ByteBuffer()
        body.write("{\"transactionId\":\"")
        transactionID.write(into: &body)
        body.write("\",\"error\":{\"code\":")
        body.write(jsonString: rejection.code)
        body.write(",\"message\":")
        body.write(jsonString: rejection.message)
        body.write("}}")
        guard let audit, let admission = admissions[rejection.path] else { return body }
        let now = Date()
        let client = try? admission.authenticate(rejection.request, loop: loop, now: now).get()
        let record = AuditRecord(
            time: now, clientID: client?.id ?? "-", purpose: nil, operation: admission.operation,
            transactionID: transactionID.description, subjectIDNumber: nil, attributes: [], decision: .none,
            status: UInt16(rejection.status.code), latencyMicros: 0)
        audit.append(record, on: rejection.request.eventLoop) { _ in }
        return body
    }
}

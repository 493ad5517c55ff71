import Foundation
import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateMatching
import IDGateStore
import IDGateWire
import NIOCore

/// `POST /v1/documents/verify` (JSON, docs/API.md): parse, policy (operation, purpose, document type), lookup by
/// (type, number), compare with the holder link, encode on the connection's event loop; then `Answering.finish`
/// signs, audits (subject: the submitted holder's ID number) and answers, as for identity matches.
struct DocumentVerifyRoute: GatewayRoute {
    let registry: RegistryHolder
    let admission: Admission
    let matcher: DocumentMatcher
    var answering: Answering { admission.answering }

    init(services: GatewayServices) {
        registry = services.registry
        admission = Admission(.documentVerify, services: services)
        matcher = DocumentMatcher(thresholds: services.engine.thresholds)
    }

    func register(on router: inout Router<LoopContext>) {
        router.on(.POST, "/v1/documents/verify", contentType: "application/json", admission: admission) {
            request, writer, loop in
            answer(request, writer, loop)
        }
    }

    private func answer(_ request: AdmittedRequest, _ writer: ResponseWriter, _ loop: LoopContext) {
        let client = request.client
        guard let reader = loop.reader(from: registry) else {
            answering.refuse(
                WireError(.overloaded, message: "the registry is not open yet"), client: client,
                operation: .documentVerify, retryAfter: admission.retryAfterSeconds, arrival: request.arrival,
                writer: writer, loop: loop)
            return
        }
        let outcome = request.http.body.withUnsafeReadableBytes { DocumentVerifyParser.parse($0) }
        let parsed: ParsedDocumentVerify
        switch outcome {
        case .success(let value): parsed = value
        case .failure(let error):
            answering.refuse(
                error, client: client, operation: .documentVerify, arrival: request.arrival, writer: writer, loop: loop)
            return
        }
        let verify = parsed.request
        if let problem = client.authorize(documentType: verify.documentType, purpose: verify.purpose) {
            answering.refuse(
                WireError(policy: problem), client: client, operation: .documentVerify, purpose: verify.purpose,
                subject: verify.holderIdNumber.description, arrival: request.arrival, writer: writer, loop: loop)
            return
        }
        let record = reader.withTransaction { $0.document(verify.documentType, number: verify.documentNumber) }
        var matcher = self.matcher
        matcher.policy = client.reasonDecisions
        let result = matcher.verify(verify, against: record, today: request.arrival.today)
        let transactionID = loop.nextTransactionID()
        loop.withAnswerScratch { scratch in
            KindResponseEncoder.encode(
                result, ref: verify.ref, transactionID: transactionID, digest: parsed.digest, into: &scratch)
            answering.finish(
                status: 200, body: scratch.bytes, signed: true,
                audit: AuditRecord(
                    time: request.arrival.now, clientID: client.id, purpose: verify.purpose, operation: .documentVerify,
                    transaction: transactionID, subject: verify.holderIdNumber, attributes: [],
                    decision: AuditDecision(result.decision), status: 200, latencyMicros: 0),
                client: client, arrival: request.arrival, writer: writer, loop: loop)
        }
    }
}

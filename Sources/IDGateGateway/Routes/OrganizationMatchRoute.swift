import Foundation
import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateMatching
import IDGateStore
import IDGateWire
import NIOCore

/// `POST /v1/organizations/match` (JSON, docs/API.md): parse, policy, lookup by enterprise code, compare, encode on
/// the connection's event loop; then `Answering.finish` signs, audits (subject: the enterprise code) and answers.
struct OrganizationMatchRoute: GatewayRoute {
    let registry: RegistryHolder
    let admission: Admission
    let matcher: OrganizationMatcher
    var answering: Answering { admission.answering }

    init(services: GatewayServices) {
        registry = services.registry
        admission = Admission(.organizationMatch, services: services)
        matcher = OrganizationMatcher(thresholds: services.engine.thresholds)
    }

    func register(on router: inout Router<LoopContext>) {
        router.on(.POST, "/v1/organizations/match", contentType: "application/json", admission: admission) {
            request, writer, loop in
            answer(request, writer, loop)
        }
    }

    private func answer(_ request: AdmittedRequest, _ writer: ResponseWriter, _ loop: LoopContext) {
        let client = request.client
        guard let reader = loop.reader(from: registry) else {
            answering.refuse(
                WireError(.overloaded, message: "the registry is not open yet"), client: client,
                operation: .organizationMatch, retryAfter: admission.retryAfterSeconds, arrival: request.arrival,
                writer: writer, loop: loop)
            return
        }
        let outcome = request.http.body.withUnsafeReadableBytes { OrganizationMatchParser.parse($0) }
        let parsed: ParsedOrganizationMatch
        switch outcome {
        case .success(let value): parsed = value
        case .failure(let error):
            answering.refuse(
                error, client: client, operation: .organizationMatch, arrival: request.arrival, writer: writer, loop: loop)
            return
        }
        let match = parsed.request
        if let problem = client.authorize(operation: .organizationMatch, attributes: [], purpose: match.purpose) {
            answering.refuse(
                WireError(policy: problem), client: client, operation: .organizationMatch, purpose: match.purpose,
                subject: match.organizationId.description, arrival: request.arrival, writer: writer, loop: loop)
            return
        }
        let record = reader.withTransaction { $0.organization(match.organizationId) }
        var matcher = self.matcher
        matcher.policy = client.reasonDecisions
        let result = matcher.match(match, against: record)
        let transactionID = loop.nextTransactionID()
        loop.withAnswerScratch { scratch in
            KindResponseEncoder.encode(
                result, ref: match.ref, transactionID: transactionID, digest: parsed.digest, into: &scratch)
            answering.finish(
                status: 200, body: scratch.bytes, signed: true,
                audit: AuditRecord(
                    time: request.arrival.now, clientID: client.id, purpose: match.purpose,
                    operation: .organizationMatch, transactionID: transactionID.description,
                    subjectIDNumber: match.organizationId.description, attributes: [],
                    decision: AuditDecision(result.decision), status: 200, latencyMicros: 0),
                client: client, arrival: request.arrival, writer: writer, loop: loop)
        }
    }
}

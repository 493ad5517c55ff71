import Foundation
import IDGateCore
import IDGateMatching
import IDGateStore
import IDGateWire

/// `POST /v1/documents/verify` (docs/API.md).
typealias DocumentVerifyRoute = KindCheckRoute<DocumentVerifyCheck>

/// A document check: policy (operation, purpose, document type), lookup by (type, number), comparison with the
/// holder link. The subject is the submitted holder's ID number: audited, and limited by the guessing limiter as
/// identity matches are (429 `subject_attempts_exceeded` naming `holderIdNumber`).
struct DocumentVerifyCheck: KindCheck {
    static let path = "/v1/documents/verify"
    static let operation = ClientOperation.documentVerify
    static let guardedField: String? = "holderIdNumber"
    let matcher: DocumentMatcher

    init(services: GatewayServices) {
        matcher = DocumentMatcher(thresholds: services.engine.thresholds)
    }

    func parse(_ body: UnsafeRawBufferPointer) -> Result<ParsedDocumentVerify, WireError> {
        DocumentVerifyParser.parse(body)
    }

    func purpose(of parsed: ParsedDocumentVerify) -> String? { parsed.request.purpose }
    func subject(of parsed: ParsedDocumentVerify) -> KindSubject { .idNumber(parsed.request.holderIdNumber) }

    func authorize(_ parsed: ParsedDocumentVerify, client: Client) -> PolicyError? {
        client.authorize(documentType: parsed.request.documentType, purpose: parsed.request.purpose)
    }

    func answer(
        _ parsed: ParsedDocumentVerify, reader: RegistryReader, client: Client, today: PartialDate,
        transactionID: TransactionID, into sink: inout ScratchByteSink
    ) -> MatchDecision {
        var matcher = self.matcher
        matcher.policy = client.reasonDecisions
        return KindResponder.answer(
            parsed, matcher: matcher, reader: reader, today: today, transactionID: transactionID, into: &sink)
    }
}

import Foundation
import IDGateCore
import IDGateMatching
import IDGateStore
import IDGateWire

/// `POST /v1/organizations/match` (docs/API.md).
typealias OrganizationMatchRoute = KindCheckRoute<OrganizationMatchCheck>

/// An organization check: policy, lookup by enterprise code, comparison. The subject (audited) is the enterprise
/// code; an organization is not a person, so the guessing limiter does not count these answers.
struct OrganizationMatchCheck: KindCheck {
    static let path = "/v1/organizations/match"
    static let operation = ClientOperation.organizationMatch
    static let guardedField: String? = nil
    let matcher: OrganizationMatcher

    init(services: GatewayServices) {
        matcher = OrganizationMatcher(thresholds: services.engine.thresholds)
    }

    func parse(_ body: UnsafeRawBufferPointer) -> Result<ParsedOrganizationMatch, WireError> {
        OrganizationMatchParser.parse(body)
    }

    func purpose(of parsed: ParsedOrganizationMatch) -> String? { parsed.request.purpose }
    func subject(of parsed: ParsedOrganizationMatch) -> KindSubject { .text(parsed.request.organizationId.description) }

    func authorize(_ parsed: ParsedOrganizationMatch, client: Client) -> PolicyError? {
        client.authorize(operation: .organizationMatch, attributes: [], purpose: parsed.request.purpose)
    }

    func answer(
        _ parsed: ParsedOrganizationMatch, reader: RegistryReader, client: Client, today: PartialDate,
        transactionID: TransactionID, into sink: inout ScratchByteSink
    ) -> MatchDecision {
        var matcher = self.matcher
        matcher.policy = client.reasonDecisions
        return KindResponder.answer(parsed, matcher: matcher, reader: reader, transactionID: transactionID, into: &sink)
    }
}

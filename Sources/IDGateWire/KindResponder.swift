import IDGateCore
import IDGateMatching
import IDGateStore

/// Looks a document or an organization up, compares and writes the answer (`KindResponseEncoder`): shared by the
/// gateway's routes and batch lines and by offline `idgate match`, so all answer the same. Inlinable so that each
/// caller's sink type is specialized in (generic code from another module otherwise runs unspecialized).
public enum KindResponder {
    @inlinable
    public static func answer<S: ByteSink>(
        _ parsed: ParsedDocumentVerify, matcher: DocumentMatcher, reader: RegistryReader, today: PartialDate,
        transactionID: TransactionID, into sink: inout S
    ) -> MatchDecision {
        let verify = parsed.request
        let record = reader.withTransaction { $0.document(verify.documentType, number: verify.documentNumber) }
        let result = matcher.verify(verify, against: record, today: today)
        KindResponseEncoder.encode(result, ref: verify.ref, transactionID: transactionID, digest: parsed.digest, into: &sink)
        return result.decision
    }

    @inlinable
    public static func answer<S: ByteSink>(
        _ parsed: ParsedOrganizationMatch, matcher: OrganizationMatcher, reader: RegistryReader,
        transactionID: TransactionID, into sink: inout S
    ) -> MatchDecision {
        let match = parsed.request
        let record = reader.withTransaction { $0.organization(match.organizationId) }
        let result = matcher.match(match, against: record)
        KindResponseEncoder.encode(result, ref: match.ref, transactionID: transactionID, digest: parsed.digest, into: &sink)
        return result.decision
    }
}

/// An ICAO CSCA master list: a CMS SignedData (content type 2.23.136.1.1.2) over
/// `CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate }`.
///
/// The list is accepted only if its own signature verifies with the embedded master-list signer certificate and
/// that signer was issued by a CSCA on the list (the issuing state's CSCA).
public struct MasterList: Sendable {
    public let certificates: [Certificate]

    public enum Failure: Error, CustomStringConvertible {
        case malformed(String)
        case signerNotFound
        case signature(String)
        case signerNotIssuedByListedCSCA

        public var description: String {
            switch self {
            case .malformed(let detail): "malformed: \(detail)"
            case .signerNotFound: "signer certificate not found"
            case .signature(let code): "signature: \(code)"
            case .signerNotIssuedByListedCSCA: "signer not issued by a CSCA on the list"
            }
        }
    }

    public init(bytes: [UInt8]) throws {
        let signedData: SignedData
        let entries: [ASN1Element]
        do {
            signedData = try SignedData(contentInfo: bytes[...], maxSize: 64 << 20)
            guard signedData.eContentType == .cscaMasterList else { throw ASN1Error.unexpected("not a CSCA master list") }
            let list = try ASN1Element.parse(signedData.eContent, maxSize: 64 << 20).children(expecting: ASN1Tag.sequence)
            guard list.count == 2 else { throw ASN1Error.unexpected("CscaMasterList fields") }
            entries = try list[1].children(expecting: ASN1Tag.set)
        } catch {
            throw Failure.malformed("\(error)")
        }
        let listed = entries.compactMap { try? Certificate(der: Array($0.encoded)) }
        let embedded = signedData.certificates.compactMap { try? Certificate(der: Array($0)) }
        let signerInfo = signedData.signerInfos[0]
        guard let signer = embedded.first(where: signerInfo.identifies) else { throw Failure.signerNotFound }
        if let failure = signerInfo.verify(
            eContent: signedData.eContent, eContentType: signedData.eContentType,
            verifier: { scheme in signer.publicKey.flatMap { PreparedVerifier(key: $0, scheme: scheme) } })
        {
            throw Failure.signature(failure.code)
        }
        guard listed.contains(where: { $0.subjectName == signer.issuerName && signer.isSigned(by: $0) })
        else { throw Failure.signerNotIssuedByListedCSCA }
        certificates = listed
    }
}

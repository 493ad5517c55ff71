import SwiftASN1

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
        let list: CscaMasterList
        do {
            signedData = try SignedData(contentInfo: bytes[...], maxSize: 64 << 20)
            guard signedData.eContentType == .cscaMasterList else { throw ASN1StructureError("not a CSCA master list") }
            list = try CscaMasterList(bytes: signedData.eContent, rules: .ber)
        } catch {
            throw Failure.malformed(parseFailureReason(error))
        }
        let listed = list.certificates.compactMap { try? Certificate(der: Array($0)) }
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

/// `CscaMasterList ::= SEQUENCE { version CscaMasterListVersion, certList SET OF Certificate }` (ICAO 9303-12 §9),
/// the certificates kept as their DER for OpenSSL.
struct CscaMasterList: ASN1Structure {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var version: Int
    var certificates: [ArraySlice<UInt8>]

    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
        (version, certificates) = try DER.sequence(node, identifier: identifier) { nodes in
            let version: Int = try rules.decode(&nodes)
            guard version == 0 else { throw ASN1StructureError("CscaMasterList version \(version)") }
            guard let certificateSet = nodes.next(), certificateSet.identifier == .set,
                case .constructed(let certificates) = certificateSet.content
            else { throw ASN1StructureError("certList") }
            return (version, certificates.map(\.encodedBytes))
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(version)
            coder.appendConstructedNode(identifier: .set) { coder in
                for certificate in certificates { coder.serializeRawBytes(certificate) }
            }
        }
    }
}

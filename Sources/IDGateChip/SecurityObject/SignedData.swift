import SwiftASN1

/// The parts of a CMS SignedData (RFC 5652 §5.1) that passive authentication and master lists need.
///
/// ```
/// SignedData ::= SEQUENCE {
///   version CMSVersion,
///   digestAlgorithms SET OF DigestAlgorithmIdentifier,
///   encapContentInfo EncapsulatedContentInfo,
///   certificates [0] IMPLICIT CertificateSet OPTIONAL,
///   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///   signerInfos SET OF SignerInfo }
/// ```
/// Read by our own types rather than OpenSSL's CMS code so that BER, legacy content types, signer lookup by
/// re-ordered names and the exact bytes covered by the signature are all under our control. Certificates stay as
/// their DER (OpenSSL parses them, once, in `Certificate`); CRLs come from the trust store, so the field is skipped.
struct SignedData: ASN1Structure {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    /// CMSVersion 1 (PKCS#7 compatible) or 3 (non-data content); anything else is not what issuers write.
    var version: Int
    var digestAlgorithms: [AlgorithmIdentifier]
    var encapsulatedContent: EncapsulatedContentInfo
    /// DER of each X.509 certificate in `certificates` (other certificate choices are obsolete and ignored).
    var certificates: [ArraySlice<UInt8>]
    var signerInfos: [SignerInfo]

    var eContentType: OID { encapsulatedContent.eContentType }
    var eContent: ArraySlice<UInt8> { encapsulatedContent.eContent }

    /// Reads a ContentInfo holding SignedData; `bytes` must be exactly one element.
    init(contentInfo bytes: ArraySlice<UInt8>, maxSize: Int) throws {
        guard bytes.count <= maxSize else { throw ASN1StructureError("too large") }
        try self.init(contentInfo: ContentInfo(bytes: bytes, rules: .ber))
    }

    init(contentInfo: ContentInfo) throws {
        guard contentInfo.contentType == .signedData else { throw ASN1StructureError("not a CMS SignedData") }
        try self.init(berEncoded: contentInfo.content)
    }

    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
        self = try DER.sequence(node, identifier: identifier) { nodes in
            let version: Int = try rules.decode(&nodes)
            guard version == 1 || version == 3 else { throw ASN1StructureError("SignedData version \(version)") }
            guard let digestNode = nodes.next() else { throw ASN1StructureError("digestAlgorithms missing") }
            let digestAlgorithms = try rules.collection(of: AlgorithmIdentifier.self, identifier: .set, digestNode)
            let encapsulatedContent: EncapsulatedContentInfo = try rules.decode(&nodes)
            let certificates = try DER.optionalImplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                node -> [ArraySlice<UInt8>] in
                guard case .constructed(let choices) = node.content else { throw ASN1StructureError("certificates") }
                return choices.filter { $0.identifier == .sequence }.map(\.encodedBytes)
            } ?? []
            _ = DER.optionalImplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { _ in }
            guard let signerNode = nodes.next() else { throw ASN1StructureError("signerInfos missing") }
            let signerInfos = try rules.collection(of: SignerInfo.self, identifier: .set, signerNode)
            guard !signerInfos.isEmpty else { throw ASN1StructureError("no SignerInfo") }
            // Each signer's digest algorithm must be announced in digestAlgorithms (RFC 5652 §5.1).
            for signer in signerInfos where !digestAlgorithms.contains(signer.digestAlgorithm) {
                throw ASN1StructureError("digest algorithm not announced in SignedData")
            }
            return SignedData(
                version: version, digestAlgorithms: digestAlgorithms, encapsulatedContent: encapsulatedContent,
                certificates: certificates, signerInfos: signerInfos)
        }
    }

    private init(
        version: Int, digestAlgorithms: [AlgorithmIdentifier], encapsulatedContent: EncapsulatedContentInfo,
        certificates: [ArraySlice<UInt8>], signerInfos: [SignerInfo]
    ) {
        self.version = version
        self.digestAlgorithms = digestAlgorithms
        self.encapsulatedContent = encapsulatedContent
        self.certificates = certificates
        self.signerInfos = signerInfos
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(version)
            try coder.serializeSetOf(digestAlgorithms)
            try coder.serialize(encapsulatedContent)
            if !certificates.isEmpty {
                coder.appendConstructedNode(identifier: .context(0)) { coder in
                    for certificate in certificates { coder.serializeRawBytes(certificate) }
                }
            }
            try coder.serializeSetOf(signerInfos)
        }
    }
}

import SwiftASN1

/// One SignerInfo (RFC 5652 §5.3): who signed, over what, with which algorithm.
///
/// ```
/// SignerInfo ::= SEQUENCE {
///   version CMSVersion,                      -- 1 with issuerAndSerialNumber, 3 with subjectKeyIdentifier
///   sid SignerIdentifier,
///   digestAlgorithm DigestAlgorithmIdentifier,
///   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
///   signatureAlgorithm SignatureAlgorithmIdentifier,
///   signature OCTET STRING,
///   unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
/// ```
struct SignerInfo: ASN1Structure {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    let signer: SignerIdentifier
    let digestAlgorithm: AlgorithmIdentifier
    /// The signed attributes as encoded, nil when the content is signed directly.
    let signedAttributes: SignedAttributes?
    let signatureAlgorithm: AlgorithmIdentifier
    let signature: ArraySlice<UInt8>

    /// The bytes the signature covers when there are signed attributes: their encoding with the universal SET tag
    /// in place of `[0] IMPLICIT` (RFC 5652 §5.4).
    var signedAttributesForSignature: [UInt8]? {
        guard let encoded = signedAttributes?.encoded, !encoded.isEmpty else { return nil }
        var covered = Array(encoded)
        covered[0] = 0x31
        return covered
    }

    var contentTypeAttribute: OID? { signedAttributes?.contentType }
    var messageDigestAttribute: ArraySlice<UInt8>? { signedAttributes?.messageDigest }

    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
        self = try DER.sequence(node, identifier: identifier) { nodes in
            let version: Int = try rules.decode(&nodes)
            let signer: SignerIdentifier = try rules.decode(&nodes)
            switch (signer, version) {
            case (.issuerAndSerial, 1), (.subjectKeyIdentifier, 3): break
            default: throw ASN1StructureError("SignerInfo version \(version) with \(signer.kind)")
            }
            let digestAlgorithm: AlgorithmIdentifier = try rules.decode(&nodes)
            let signedAttributes = try DER.optionalImplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try SignedAttributes(node: $0, identifier: .context(0), rules: rules)
            }
            let signatureAlgorithm: AlgorithmIdentifier = try rules.decode(&nodes)
            guard let signatureNode = nodes.next() else { throw ASN1StructureError("signature missing") }
            let signature = try rules.octetString(signatureNode)
            _ = DER.optionalImplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { _ in }
            return SignerInfo(
                signer: signer, digestAlgorithm: digestAlgorithm, signedAttributes: signedAttributes,
                signatureAlgorithm: signatureAlgorithm, signature: signature)
        }
    }

    private init(
        signer: SignerIdentifier, digestAlgorithm: AlgorithmIdentifier, signedAttributes: SignedAttributes?,
        signatureAlgorithm: AlgorithmIdentifier, signature: ArraySlice<UInt8>
    ) {
        self.signer = signer
        self.digestAlgorithm = digestAlgorithm
        self.signedAttributes = signedAttributes
        self.signatureAlgorithm = signatureAlgorithm
        self.signature = signature
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(signer.isSubjectKeyIdentifier ? 3 : 1)
            try coder.serialize(signer)
            try coder.serialize(digestAlgorithm)
            if let signedAttributes { coder.serializeRawBytes(signedAttributes.encoded) }
            try coder.serialize(signatureAlgorithm)
            try coder.serialize(ASN1OctetString(contentBytes: signature))
        }
    }
}

/// `SignerIdentifier ::= CHOICE { issuerAndSerialNumber IssuerAndSerialNumber,
///   subjectKeyIdentifier [0] IMPLICIT SubjectKeyIdentifier }`
/// with `IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber CertificateSerialNumber }`.
enum SignerIdentifier: ASN1Structure {
    /// The issuer compared as a set of attributes; the serial's magnitude without leading zeros.
    case issuerAndSerial(issuer: DistinguishedName, serialMagnitude: [UInt8])
    case subjectKeyIdentifier([UInt8])

    /// A CHOICE has no tag of its own: `identifier` is ignored and the node's tag selects the alternative.
    static var defaultIdentifier: ASN1Identifier { .sequence }

    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
        switch node.identifier {
        case .sequence:
            self = try DER.sequence(node, identifier: .sequence) { nodes in
                let issuer: DistinguishedName = try rules.decode(&nodes)
                guard let serialNode = nodes.next(), serialNode.identifier == .integer else {
                    throw ASN1StructureError("IssuerAndSerialNumber serial")
                }
                let serial = try serialNode.primitiveContent()
                guard !serial.isEmpty else { throw ASN1StructureError("empty serial number") }
                return .issuerAndSerial(issuer: issuer, serialMagnitude: Array(serial.drop { $0 == 0 }))
            }
        case .context(0):
            self = .subjectKeyIdentifier(Array(try rules.octetString(node, identifier: .context(0))))
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        switch self {
        case .issuerAndSerial(let issuer, let serial):
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                coder.serializeRawBytes(issuer.encoded)
                try coder.serialize(ArraySlice(serial))
            }
        case .subjectKeyIdentifier(let identifier):
            try ASN1OctetString(contentBytes: identifier[...]).serialize(into: &coder, withIdentifier: .context(0))
        }
    }

    var isSubjectKeyIdentifier: Bool {
        if case .subjectKeyIdentifier = self { return true }
        return false
    }

    var kind: String { isSubjectKeyIdentifier ? "subjectKeyIdentifier" : "issuerAndSerialNumber" }
}

/// `SignedAttributes ::= SET SIZE (1..MAX) OF Attribute` with `Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER,
/// attrValues SET OF AttributeValue }`: the two attributes passive authentication reads, and the exact encoding the
/// signature covers. Other attributes (signing time and the like) are allowed and not interpreted.
struct SignedAttributes: ASN1Structure {
    static var defaultIdentifier: ASN1Identifier { .context(0) }

    let contentType: OID?
    let messageDigest: ArraySlice<UInt8>?
    let encoded: ArraySlice<UInt8>

    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
        guard node.identifier == identifier, case .constructed(let attributes) = node.content else {
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
        var contentType: OID? = nil
        var messageDigest: ArraySlice<UInt8>? = nil
        for attribute in attributes {
            let (type, values) = try DER.sequence(attribute, identifier: .sequence) { nodes in
                let type: OID = try rules.decode(&nodes)
                guard let valueSet = nodes.next(), valueSet.identifier == .set,
                    case .constructed(let values) = valueSet.content
                else { throw ASN1StructureError("attribute values") }
                return (type, Array(values))
            }
            if type == .contentTypeAttribute {
                guard values.count == 1, contentType == nil else { throw ASN1StructureError("contentType attribute") }
                contentType = try rules.decode(values[0])
            } else if type == .messageDigestAttribute {
                guard values.count == 1, messageDigest == nil else { throw ASN1StructureError("messageDigest attribute") }
                messageDigest = try rules.octetString(values[0])
            }
        }
        self.contentType = contentType
        self.messageDigest = messageDigest
        encoded = node.encodedBytes
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        coder.serializeRawBytes(encoded)
    }
}

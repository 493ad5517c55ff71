/// The parts of a CMS SignedData (RFC 5652) that passive authentication and master lists need, as views into the
/// original bytes.
///
/// Parsed by our own reader rather than OpenSSL's CMS code so that BER indefinite lengths, legacy content types,
/// signer lookup by re-ordered names and the exact bytes covered by the signature are all under our control.
struct SignedData: Sendable {
    let eContentType: OID
    let eContent: ArraySlice<UInt8>
    /// DER of each certificate in the `certificates` field.
    let certificates: [ArraySlice<UInt8>]
    let signerInfos: [SignerInfo]

    /// Parses a ContentInfo holding SignedData; `bytes` must be exactly one element.
    init(contentInfo bytes: ArraySlice<UInt8>, maxSize: Int) throws(ASN1Error) {
        let contentInfo = try ASN1Element.parse(bytes, maxSize: maxSize).children(expecting: ASN1Tag.sequence)
        guard contentInfo.count == 2, try OID(element: contentInfo[0]) == .signedData else {
            throw .unexpected("not a CMS SignedData")
        }
        try contentInfo[1].expect(ASN1Tag.context(0))
        let fields = try contentInfo[1].unwrapped().children(expecting: ASN1Tag.sequence)
        guard fields.count >= 4 else { throw .unexpected("SignedData has \(fields.count) fields") }
        // CMSVersion 1 (PKCS#7 compatible) or 3 (non-data content); anything else is not what issuers write.
        guard [1, 3].contains(try fields[0].smallInteger()) else { throw .unexpected("SignedData version") }
        let digestAlgorithms = try fields[1].children(expecting: ASN1Tag.set)
        let encapsulated = try fields[2].children(expecting: ASN1Tag.sequence)
        guard encapsulated.count == 2 else { throw .unexpected("no encapsulated content") }
        eContentType = try OID(element: encapsulated[0])
        try encapsulated[1].expect(ASN1Tag.context(0))
        eContent = try encapsulated[1].unwrapped().octetStringBytes()
        var certificates: [ArraySlice<UInt8>] = []
        var index = 3
        while index < fields.count - 1 {
            let field = fields[index]
            if field.tag == ASN1Tag.context(0) {
                certificates = try field.children().map(\.encoded)
            } else if field.tag != ASN1Tag.context(1) {
                throw .unexpected("unknown SignedData field")
            }
            index += 1
        }
        self.certificates = certificates
        let signers = try fields[fields.count - 1].children(expecting: ASN1Tag.set)
        guard !signers.isEmpty else { throw .unexpected("no SignerInfo") }
        signerInfos = try signers.map { (signer) throws(ASN1Error) in try SignerInfo(signer) }
        // Each signer's digest algorithm must be announced in digestAlgorithms (RFC 5652 §5.1).
        let announced = digestAlgorithms.map { $0.encoded }
        for signer in signerInfos where !announced.contains(signer.digestAlgorithm.encoded) {
            throw .unexpected("digest algorithm not announced in SignedData")
        }
    }
}

/// One SignerInfo: who signed, over what, with which algorithm.
struct SignerInfo: Sendable {
    enum SignerIdentifier: Sendable {
        case issuerAndSerial(issuer: DistinguishedName, serialMagnitude: [UInt8])
        case subjectKeyIdentifier([UInt8])
    }

    let signer: SignerIdentifier
    let digestAlgorithm: ASN1Element
    /// The signed attributes re-tagged as a SET (what the signature covers), nil when the content is signed directly.
    let signedAttributesForSignature: [UInt8]?
    let contentTypeAttribute: OID?
    let messageDigestAttribute: ArraySlice<UInt8>?
    let signatureAlgorithm: ASN1Element
    let signature: ArraySlice<UInt8>

    init(_ element: ASN1Element) throws(ASN1Error) {
        let fields = try element.children(expecting: ASN1Tag.sequence)
        guard fields.count >= 5 else { throw .unexpected("SignerInfo has \(fields.count) fields") }
        let version = try fields[0].smallInteger()
        if fields[1].tag == ASN1Tag.sequence {
            guard version == 1 else { throw .unexpected("SignerInfo version \(version) with issuerAndSerialNumber") }
            let parts = try fields[1].children()
            guard parts.count == 2 else { throw .unexpected("IssuerAndSerialNumber") }
            try parts[1].expect(ASN1Tag.integer)
            guard let issuer = DistinguishedName(strictDER: parts[0].encoded) else { throw .unexpected("issuer name") }
            signer = .issuerAndSerial(issuer: issuer, serialMagnitude: Array(parts[1].content.drop { $0 == 0 }))
        } else if fields[1].tag == ASN1Tag.contextPrimitive(0) {
            guard version == 3 else { throw .unexpected("SignerInfo version \(version) with subjectKeyIdentifier") }
            signer = .subjectKeyIdentifier(Array(fields[1].content))
        } else {
            throw .unexpected("signer identifier")
        }
        digestAlgorithm = fields[2]
        var next = 3
        if fields[3].tag == ASN1Tag.context(0) {
            let attributes = fields[3]
            var contentType: OID? = nil
            var messageDigest: ArraySlice<UInt8>? = nil
            for attribute in try attributes.children() {
                let parts = try attribute.children(expecting: ASN1Tag.sequence)
                guard parts.count == 2 else { throw .unexpected("attribute") }
                let type = try OID(element: parts[0])
                let values = try parts[1].children(expecting: ASN1Tag.set)
                if type == .contentTypeAttribute {
                    guard values.count == 1, contentType == nil else { throw .unexpected("contentType attribute") }
                    contentType = try OID(element: values[0])
                } else if type == .messageDigestAttribute {
                    guard values.count == 1, messageDigest == nil else { throw .unexpected("messageDigest attribute") }
                    messageDigest = try values[0].octetStringBytes()
                }
            }
            // The signature covers the DER of the attributes with the universal SET tag instead of [0] IMPLICIT.
            var covered = Array(attributes.encoded)
            covered[0] = 0x31
            signedAttributesForSignature = covered
            contentTypeAttribute = contentType
            messageDigestAttribute = messageDigest
            next = 4
        } else {
            signedAttributesForSignature = nil
            contentTypeAttribute = nil
            messageDigestAttribute = nil
        }
        guard fields.count > next + 1 else { throw .unexpected("SignerInfo too short") }
        signatureAlgorithm = fields[next]
        try signatureAlgorithm.expect(ASN1Tag.sequence)
        try fields[next + 1].expect(ASN1Tag.octetString)
        signature = try fields[next + 1].octetStringBytes()
    }
}

/// Builds a signed EF.SOD the way issuing systems do: LDSSecurityObject in a CMS SignedData with signed attributes
/// (contentType, messageDigest), the Document Signer certificate embedded, ECDSA-with-SHA256.
enum SecurityObjectSigner {
    /// `encapsulatedContentType` differs from the signed contentType attribute only in tests of that check.
    static func sign(
        dataGroups: [Int: [UInt8]], certificate: Certificate, key: PrivateKey,
        encapsulatedContentType: OID = .ldsSecurityObject
    ) throws -> [UInt8] {
        let hashes = dataGroups.mapValues { DigestAlgorithm.sha256.hash($0) }
        let content = LDSSecurityObject.encode(hashAlgorithm: .sha256, dataGroupHashes: hashes)
        let attributes = [
            DER.sequence([DER.oid(.contentTypeAttribute), DER.set([DER.oid(.ldsSecurityObject)])]),
            DER.sequence([DER.oid(.messageDigestAttribute), DER.set([DER.octetString(DigestAlgorithm.sha256.hash(content))])]),
        ]
        let signedAttributes = DER.set(attributes)
        let signature = try key.sign(signedAttributes, digest: .sha256)
        var implicitAttributes = signedAttributes
        implicitAttributes[0] = 0xA0

        let tbs = try ASN1Element.parse(certificate.der).children()[0].children()
        let serial = tbs[0].tag == ASN1Tag.context(0) ? tbs[1] : tbs[0]
        let issuer = tbs[0].tag == ASN1Tag.context(0) ? tbs[3] : tbs[2]
        let signerInfo = DER.sequence([
            DER.integer(1),
            DER.sequence([Array(issuer.encoded), Array(serial.encoded)]),
            DER.algorithm(.sha256, nullParameters: true),
            implicitAttributes,
            DER.algorithm(.ecdsaWithSHA256),
            DER.octetString(signature),
        ])
        let signedData = DER.sequence([
            DER.integer(3),
            DER.set([DER.algorithm(.sha256, nullParameters: true)]),
            DER.sequence([DER.oid(encapsulatedContentType), DER.explicit(0, DER.octetString(content))]),
            DER.tlv(ASN1Tag.context(0), certificate.der),
            DER.set([signerInfo]),
        ])
        return DER.tlv(0x77, DER.sequence([DER.oid(.signedData), DER.explicit(0, signedData)]))
    }
}

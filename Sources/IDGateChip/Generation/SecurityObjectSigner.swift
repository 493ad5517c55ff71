/// Builds a signed EF.SOD the way issuing systems do: LDSSecurityObject in a CMS SignedData with signed attributes
/// (contentType, messageDigest), the Document Signer certificate embedded, ECDSA-with-SHA256.
///
/// The variations (no signed attributes, signer named by subject key identifier, a different encapsulated content
/// type) exist so tests can exercise every form the verifier accepts or must refuse.
enum SecurityObjectSigner {
    struct Variation {
        var signedAttributes = true
        var identifySignerByKeyIdentifier = false
        /// Differs from the signed contentType attribute only in tests of that check.
        var encapsulatedContentType: OID = .ldsSecurityObject
    }

    static func sign(
        dataGroups: [Int: [UInt8]], certificate: Certificate, key: PrivateKey, variation: Variation = Variation()
    ) throws -> [UInt8] {
        let hashes = dataGroups.mapValues { DigestAlgorithm.sha256.hash($0) }
        let content = LDSSecurityObject.encode(hashAlgorithm: .sha256, dataGroupHashes: hashes)
        var signedAttributeField: [[UInt8]] = []
        let signature: [UInt8]
        if variation.signedAttributes {
            let attributes = DER.set([
                DER.sequence([DER.oid(.contentTypeAttribute), DER.set([DER.oid(.ldsSecurityObject)])]),
                DER.sequence([DER.oid(.messageDigestAttribute), DER.set([DER.octetString(DigestAlgorithm.sha256.hash(content))])]),
            ])
            signature = try key.sign(attributes, digest: .sha256)
            var implicit = attributes
            implicit[0] = 0xA0
            signedAttributeField = [implicit]
        } else {
            signature = try key.sign(content, digest: .sha256)
        }

        let signerIdentifier: [UInt8]
        if variation.identifySignerByKeyIdentifier, let keyIdentifier = certificate.subjectKeyIdentifier {
            signerIdentifier = DER.tlv(ASN1Tag.contextPrimitive(0), keyIdentifier)
        } else {
            let tbs = try ASN1Element.parse(certificate.der).children()[0].children()
            let offset = tbs[0].tag == ASN1Tag.context(0) ? 1 : 0
            signerIdentifier = DER.sequence([Array(tbs[offset + 2].encoded), Array(tbs[offset].encoded)])
        }
        let signerInfo = DER.sequence(
            [DER.integer(variation.identifySignerByKeyIdentifier ? 3 : 1), signerIdentifier,
             DER.algorithm(.sha256, nullParameters: true)]
                + signedAttributeField + [DER.algorithm(.ecdsaWithSHA256), DER.octetString(signature)])
        let signedData = DER.sequence([
            DER.integer(3),
            DER.set([DER.algorithm(.sha256, nullParameters: true)]),
            DER.sequence([DER.oid(variation.encapsulatedContentType), DER.explicit(0, DER.octetString(content))]),
            DER.tlv(ASN1Tag.context(0), certificate.der),
            DER.set([signerInfo]),
        ])
        return DER.tlv(0x77, DER.sequence([DER.oid(.signedData), DER.explicit(0, signedData)]))
    }
}

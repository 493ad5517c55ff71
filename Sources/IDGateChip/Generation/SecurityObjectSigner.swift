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
            let attributes = DERWriter.set([
                DERWriter.sequence([DERWriter.oid(.contentTypeAttribute), DERWriter.set([DERWriter.oid(.ldsSecurityObject)])]),
                DERWriter.sequence([DERWriter.oid(.messageDigestAttribute), DERWriter.set([DERWriter.octetString(DigestAlgorithm.sha256.hash(content))])]),
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
            signerIdentifier = DERWriter.tlv(ASN1Tag.contextPrimitive(0), keyIdentifier)
        } else {
            // IssuerAndSerialNumber: the certificate's issuer Name as encoded, and its serial number.
            signerIdentifier = DERWriter.sequence([
                Array(certificate.issuerName.encoded), DERWriter.unsignedInteger(certificate.serialMagnitude),
            ])
        }
        let signerInfo = DERWriter.sequence(
            [DERWriter.integer(variation.identifySignerByKeyIdentifier ? 3 : 1), signerIdentifier,
             DERWriter.algorithm(.sha256, nullParameters: true)]
                + signedAttributeField + [DERWriter.algorithm(.ecdsaWithSHA256), DERWriter.octetString(signature)])
        let signedData = DERWriter.sequence([
            DERWriter.integer(3),
            DERWriter.set([DERWriter.algorithm(.sha256, nullParameters: true)]),
            DERWriter.sequence([DERWriter.oid(variation.encapsulatedContentType), DERWriter.explicit(0, DERWriter.octetString(content))]),
            DERWriter.tlv(ASN1Tag.context(0), certificate.der),
            DERWriter.set([signerInfo]),
        ])
        return DERWriter.tlv(0x77, DERWriter.sequence([DERWriter.oid(.signedData), DERWriter.explicit(0, signedData)]))
    }
}

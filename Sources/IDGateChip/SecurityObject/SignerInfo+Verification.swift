/// Checking a SignerInfo's signature over encapsulated content: shared by EF.SOD and master lists.
extension SignerInfo {
    enum Failure: Error, Equatable, Sendable {
        case unsupportedAlgorithm(String)
        case contentTypeMismatch
        case messageDigestMissing
        case messageDigestMismatch
        case signatureInvalid

        /// Machine-readable reason for `errors`.
        var code: String {
            switch self {
            case .unsupportedAlgorithm(let detail): "unsupported_algorithm:\(detail)"
            case .contentTypeMismatch: "content_type_mismatch"
            case .messageDigestMissing: "message_digest_missing"
            case .messageDigestMismatch: "message_digest_mismatch"
            case .signatureInvalid: "signature_invalid"
            }
        }
    }

    /// Verifies this signer's signature over `eContent`; `verifier` supplies the signer's key prepared for the
    /// scheme the SignerInfo names (nil: the key does not fit the scheme).
    func verify(
        eContent: ArraySlice<UInt8>, eContentType: OID, verifier: (SignatureScheme) -> PreparedVerifier?
    ) -> Failure? {
        // A hash AlgorithmIdentifier has absent or NULL parameters.
        guard digestAlgorithm.hasNoParameters else { return .unsupportedAlgorithm("malformed digest algorithm") }
        guard let digest = DigestAlgorithm(oid: digestAlgorithm.algorithm) else {
            return .unsupportedAlgorithm("digest \(digestAlgorithm.algorithm)")
        }
        let scheme: SignatureScheme
        do {
            scheme = try SignatureScheme(algorithm: signatureAlgorithm, digest: digest)
        } catch {
            return .unsupportedAlgorithm(error.reason)
        }
        guard let prepared = verifier(scheme) else { return .unsupportedAlgorithm("signer public key") }
        if let signedAttributes = signedAttributesForSignature {
            if let contentTypeAttribute, contentTypeAttribute != eContentType { return .contentTypeMismatch }
            guard let messageDigestAttribute else { return .messageDigestMissing }
            guard digest.hash(eContent)[...] == messageDigestAttribute else { return .messageDigestMismatch }
            return prepared.verify(signature: signature, digest: scheme.hash.hash(signedAttributes)) ? nil : .signatureInvalid
        }
        return prepared.verify(signature: signature, digest: scheme.hash.hash(eContent)) ? nil : .signatureInvalid
    }

    /// Whether `certificate` is the one this SignerInfo names (issuer and serial, or subject key identifier).
    func identifies(_ certificate: Certificate) -> Bool {
        switch signer {
        case .issuerAndSerial(let issuer, let serial):
            return certificate.issuerName == issuer && Array(certificate.serialMagnitude.drop { $0 == 0 }) == serial
        case .subjectKeyIdentifier(let identifier):
            return certificate.subjectKeyIdentifier == identifier
        }
    }
}

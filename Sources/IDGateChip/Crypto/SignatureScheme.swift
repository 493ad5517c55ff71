import COpenSSL

/// How a signature is checked: padding or curve form and the hash, taken from the AlgorithmIdentifier as encoded
/// (RSASSA-PSS parameters are read from the structure, never guessed).
enum SignatureScheme: Sendable, Equatable {
    case rsaPKCS1(DigestAlgorithm)
    case rsaPSS(hash: DigestAlgorithm, mgf1Hash: DigestAlgorithm, saltLength: Int)
    /// `plain`: the signature is r‖s (BSI TR-03111) rather than a DER `ECDSA-Sig-Value`.
    case ecdsa(DigestAlgorithm, plain: Bool)

    struct Unsupported: Error { let reason: String }

    /// `digest` is the SignerInfo's digest algorithm, used by algorithm identifiers that name no hash
    /// (`rsaEncryption`, `id-ecPublicKey`).
    init(algorithm: ASN1Element, digest: DigestAlgorithm) throws(Unsupported) {
        guard let parts = try? algorithm.children(expecting: ASN1Tag.sequence), let first = parts.first,
            let oid = try? OID(element: first)
        else { throw Unsupported(reason: "malformed signature algorithm") }
        switch oid {
        case .rsaEncryption: self = .rsaPKCS1(digest)
        case .sha1WithRSA: self = .rsaPKCS1(.sha1)
        case .sha224WithRSA: self = .rsaPKCS1(.sha224)
        case .sha256WithRSA: self = .rsaPKCS1(.sha256)
        case .sha384WithRSA: self = .rsaPKCS1(.sha384)
        case .sha512WithRSA: self = .rsaPKCS1(.sha512)
        case .ecPublicKey: self = .ecdsa(digest, plain: false)
        case .ecdsaWithSHA1: self = .ecdsa(.sha1, plain: false)
        case .ecdsaWithSHA224: self = .ecdsa(.sha224, plain: false)
        case .ecdsaWithSHA256: self = .ecdsa(.sha256, plain: false)
        case .ecdsaWithSHA384: self = .ecdsa(.sha384, plain: false)
        case .ecdsaWithSHA512: self = .ecdsa(.sha512, plain: false)
        case .ecdsaPlain(1): self = .ecdsa(.sha1, plain: true)
        case .ecdsaPlain(2): self = .ecdsa(.sha224, plain: true)
        case .ecdsaPlain(3): self = .ecdsa(.sha256, plain: true)
        case .ecdsaPlain(4): self = .ecdsa(.sha384, plain: true)
        case .ecdsaPlain(5): self = .ecdsa(.sha512, plain: true)
        case .rsassaPSS:
            self = try SignatureScheme.pss(parameters: parts.count > 1 ? parts[1] : nil)
        default:
            throw Unsupported(reason: "unsupported signature algorithm \(oid)")
        }
    }

    /// RSASSA-PSS-params (RFC 4055): absent fields default to SHA-1, MGF1 with SHA-1, salt 20, trailer 1.
    private static func pss(parameters: ASN1Element?) throws(Unsupported) -> SignatureScheme {
        var hash = DigestAlgorithm.sha1
        var mgf1Hash = DigestAlgorithm.sha1
        var saltLength = 20
        func digest(_ identifier: ASN1Element) throws(Unsupported) -> DigestAlgorithm {
            guard let parts = try? identifier.children(expecting: ASN1Tag.sequence), let first = parts.first,
                let oid = try? OID(element: first), let algorithm = DigestAlgorithm(oid: oid)
            else { throw Unsupported(reason: "unsupported PSS hash") }
            return algorithm
        }
        if let parameters, parameters.tag != ASN1Tag.null {
            guard let fields = try? parameters.children(expecting: ASN1Tag.sequence) else {
                throw Unsupported(reason: "malformed PSS parameters")
            }
            for field in fields {
                guard let inner = try? field.unwrapped() else { throw Unsupported(reason: "malformed PSS parameters") }
                switch field.tag {
                case ASN1Tag.context(0): hash = try digest(inner)
                case ASN1Tag.context(1):
                    guard let mgf = try? inner.children(), mgf.count == 2, (try? OID(element: mgf[0])) == .mgf1 else {
                        throw Unsupported(reason: "unsupported PSS mask generation")
                    }
                    mgf1Hash = try digest(mgf[1])
                case ASN1Tag.context(2):
                    guard let salt = try? inner.smallInteger(), salt <= 1024 else {
                        throw Unsupported(reason: "bad PSS salt length")
                    }
                    saltLength = salt
                case ASN1Tag.context(3):
                    guard (try? inner.smallInteger()) == 1 else { throw Unsupported(reason: "unsupported PSS trailer") }
                default: throw Unsupported(reason: "unknown PSS parameter")
                }
            }
        }
        return .rsaPSS(hash: hash, mgf1Hash: mgf1Hash, saltLength: saltLength)
    }

    var hash: DigestAlgorithm {
        switch self {
        case .rsaPKCS1(let hash), .rsaPSS(let hash, _, _), .ecdsa(let hash, _): hash
        }
    }

    /// Verifies `signature` over `message` with `key` (an `EVP_PKEY`), setting up OpenSSL for this one call.
    func verify(signature: ArraySlice<UInt8>, message: UnsafeRawBufferPointer, key: OpaquePointer) -> Bool {
        guard let verifier = PreparedVerifier(key: key, scheme: self) else { return false }
        return verifier.verify(signature: signature, digest: hash.hash(message))
    }
}

/// A public key made ready for one signature scheme.
///
/// OpenSSL 3.0 spends more time fetching algorithm implementations and building an operation context than in an
/// ECDSA P-256 verification itself; the context is built once here and duplicated per call (a copy, no fetch).
/// `@unchecked Sendable`: the template context is only read (by `EVP_PKEY_CTX_dup`) after `init`.
final class PreparedVerifier: @unchecked Sendable {
    let scheme: SignatureScheme
    private let template: OpaquePointer
    private let isECDSA: Bool

    init?(key: OpaquePointer, scheme: SignatureScheme) {
        defer { ERR_clear_error() }
        let keyType = EVP_PKEY_get_base_id(key)
        switch scheme {
        case .rsaPKCS1, .rsaPSS: guard keyType == EVP_PKEY_RSA || keyType == EVP_PKEY_RSA_PSS else { return nil }
        case .ecdsa: guard keyType == EVP_PKEY_EC else { return nil }
        }
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key, nil) else { return nil }
        var ready = EVP_PKEY_verify_init(context) == 1 && EVP_PKEY_CTX_set_signature_md(context, scheme.hash.md) == 1
        if ready, case .rsaPSS(_, let mgf1Hash, let saltLength) = scheme {
            ready = EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(context, Int32(saltLength)) == 1
                && EVP_PKEY_CTX_set_rsa_mgf1_md(context, mgf1Hash.md) == 1
        } else if ready, case .rsaPKCS1 = scheme {
            ready = EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1
        }
        guard ready else {
            EVP_PKEY_CTX_free(context)
            return nil
        }
        self.scheme = scheme
        self.template = context
        self.isECDSA = keyType == EVP_PKEY_EC
    }

    deinit { EVP_PKEY_CTX_free(template) }

    /// Verifies `signature` over a message whose hash (with `scheme.hash`) is `digest`.
    func verify(signature: ArraySlice<UInt8>, digest: [UInt8]) -> Bool {
        defer { ERR_clear_error() }
        var signatureBytes = Array(signature)
        if case .ecdsa(_, let plain) = scheme,
            plain || (try? ASN1Element.parse(signature))?.tag != ASN1Tag.sequence
        {
            // Plain r‖s by algorithm, or a DER-less value from a signer that mislabelled it.
            guard let der = ECDSASignature.der(fromPlain: signature) else { return false }
            signatureBytes = der
        }
        guard let context = EVP_PKEY_CTX_dup(template) else { return false }
        defer { EVP_PKEY_CTX_free(context) }
        return EVP_PKEY_verify(context, signatureBytes, signatureBytes.count, digest, digest.count) == 1
    }
}

/// Conversions between the two ECDSA signature encodings.
enum ECDSASignature {
    /// r‖s (two equal halves) → DER `SEQUENCE { INTEGER r, INTEGER s }`.
    static func der<C: Collection<UInt8>>(fromPlain plain: C) -> [UInt8]? {
        guard plain.count >= 2, plain.count % 2 == 0, plain.count <= 264 else { return nil }
        let half = plain.count / 2
        return DER.sequence([DER.unsignedInteger(plain.prefix(half)), DER.unsignedInteger(plain.dropFirst(half))])
    }

    /// DER → r‖s with each half `size` bytes.
    static func plain(fromDER der: [UInt8], size: Int) -> [UInt8]? {
        guard let parts = try? ASN1Element.parse(der).children(expecting: ASN1Tag.sequence), parts.count == 2 else {
            return nil
        }
        var out: [UInt8] = []
        for part in parts {
            let magnitude = part.content.drop { $0 == 0 }
            guard part.tag == ASN1Tag.integer, magnitude.count <= size else { return nil }
            out += [UInt8](repeating: 0, count: size - magnitude.count) + magnitude
        }
        return out
    }
}

import COpenSSL
import SwiftASN1

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
    init(algorithm: AlgorithmIdentifier, digest: DigestAlgorithm) throws(Unsupported) {
        switch algorithm.algorithm {
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
            let parameters: RSASSAPSSParameters
            do {
                parameters = try algorithm.parameters.map { try RSASSAPSSParameters(berASN1Any: $0) } ?? .defaults
            } catch let error as Unsupported {
                throw error
            } catch {
                throw Unsupported(reason: "malformed PSS parameters")
            }
            self = .rsaPSS(hash: parameters.hash, mgf1Hash: parameters.mgf1Hash, saltLength: parameters.saltLength)
        default:
            throw Unsupported(reason: "unsupported signature algorithm \(algorithm.algorithm)")
        }
    }

    var hash: DigestAlgorithm {
        switch self {
        case .rsaPKCS1(let hash), .rsaPSS(let hash, _, _), .ecdsa(let hash, _): hash
        }
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
        digest.withUnsafeBytes { digest in
            signature.withUnsafeBytes { signatureBytes in
                if case .ecdsa(_, let plain) = scheme, plain || (try? ECDSASignatureValue(berEncoded: signature)) == nil {
                    // Plain r‖s by algorithm, or a DER-less value from a signer that mislabelled it.
                    return ECDSASignature.withDER(fromPlain: signatureBytes) { verify(signature: $0, digest: digest) }
                        ?? false
                }
                return verify(signature: signatureBytes, digest: digest)
            }
        }
    }

    /// Verifies a signature in the form OpenSSL takes (DER for ECDSA): one context copied from the template, no
    /// other allocation on this side.
    func verify(signature: UnsafeRawBufferPointer, digest: UnsafeRawBufferPointer) -> Bool {
        defer { ERR_clear_error() }
        guard let context = EVP_PKEY_CTX_dup(template) else { return false }
        defer { EVP_PKEY_CTX_free(context) }
        return EVP_PKEY_verify(
            context, signature.baseAddress?.assumingMemoryBound(to: UInt8.self), signature.count,
            digest.baseAddress?.assumingMemoryBound(to: UInt8.self), digest.count) == 1
    }
}

/// Conversions between the two ECDSA signature encodings.
enum ECDSASignature {
    /// r‖s (two equal halves) → DER `SEQUENCE { INTEGER r, INTEGER s }`.
    static func der<C: Collection<UInt8>>(fromPlain plain: C) -> [UInt8]? {
        Array(plain).withUnsafeBytes { bytes in withDER(fromPlain: bytes) { Array($0) } }
    }

    /// Calls `body` with the DER form of the r‖s signature `plain`, built on the stack; nil when `plain` is not two
    /// equal halves of at most 132 bytes (P-521 and below).
    static func withDER<Result>(fromPlain plain: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        guard plain.count >= 2, plain.count % 2 == 0, plain.count <= 264 else { return nil }
        let half = plain.count / 2
        /// An INTEGER's content: the magnitude without leading zeros, a zero byte added when the top bit is set.
        func integer(_ magnitude: UnsafeRawBufferPointer.SubSequence) -> (bytes: UnsafeRawBufferPointer.SubSequence, pad: Int) {
            var trimmed = magnitude
            while trimmed.count > 1, trimmed.first == 0 { trimmed = trimmed.dropFirst() }
            return (trimmed, trimmed.first! & 0x80 != 0 ? 1 : 0)
        }
        func lengthSize(_ length: Int) -> Int { length < 0x80 ? 1 : (length < 0x100 ? 2 : 3) }
        let r = integer(plain[0..<half])
        let s = integer(plain[half...])
        let rLength = r.bytes.count + r.pad
        let sLength = s.bytes.count + s.pad
        let contentLength = 1 + lengthSize(rLength) + rLength + 1 + lengthSize(sLength) + sLength
        let total = 1 + lengthSize(contentLength) + contentLength
        return withUnsafeTemporaryAllocation(byteCount: total, alignment: 1) { out in
            var index = 0
            func append(_ byte: UInt8) {
                out[index] = byte
                index += 1
            }
            func header(_ tag: UInt8, _ length: Int) {
                append(tag)
                if length >= 0x100 { append(0x82); append(UInt8(length >> 8)) } else if length >= 0x80 { append(0x81) }
                append(UInt8(truncatingIfNeeded: length))
            }
            func integer(_ part: (bytes: UnsafeRawBufferPointer.SubSequence, pad: Int)) {
                header(0x02, part.bytes.count + part.pad)
                if part.pad == 1 { append(0) }
                for byte in part.bytes { append(byte) }
            }
            header(0x30, contentLength)
            integer(r)
            integer(s)
            return body(UnsafeRawBufferPointer(out))
        }
    }

    /// DER → r‖s with each half `size` bytes.
    static func plain(fromDER der: [UInt8], size: Int) -> [UInt8]? {
        guard let value = try? ECDSASignatureValue(derEncoded: der[...]) else { return nil }
        var out: [UInt8] = []
        for part in [value.r, value.s] {
            let magnitude = part.drop { $0 == 0 }
            guard magnitude.count <= size else { return nil }
            out += [UInt8](repeating: 0, count: size - magnitude.count) + magnitude
        }
        return out
    }
}

/// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 §2.2.3), the integers as their content bytes.
struct ECDSASignatureValue: ASN1Structure {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var r: ArraySlice<UInt8>
    var s: ArraySlice<UInt8>

    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
        (r, s) = try DER.sequence(node, identifier: identifier) { nodes in
            func integer() throws -> ArraySlice<UInt8> {
                guard let node = nodes.next(), node.identifier == .integer else { throw ASN1StructureError("ECDSA integer") }
                let bytes = try node.primitiveContent()
                guard !bytes.isEmpty else { throw ASN1StructureError("empty ECDSA integer") }
                return bytes
            }
            return (try integer(), try integer())
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(r)
            try coder.serialize(s)
        }
    }
}

/// RSASSA-PSS-params (RFC 4055 §3.1); absent fields take their defaults: SHA-1, MGF1 with SHA-1, salt 20, trailer 1.
///
/// ```
/// RSASSA-PSS-params ::= SEQUENCE {
///   hashAlgorithm [0] HashAlgorithm DEFAULT sha1,
///   maskGenAlgorithm [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
///   saltLength [2] INTEGER DEFAULT 20,
///   trailerField [3] TrailerField DEFAULT trailerFieldBC }
/// ```
/// NULL parameters (seen in the field) mean all defaults.
struct RSASSAPSSParameters: ASN1Structure {
    static var defaultIdentifier: ASN1Identifier { .sequence }
    static let defaults = RSASSAPSSParameters(hash: .sha1, mgf1Hash: .sha1, saltLength: 20)

    var hash: DigestAlgorithm
    var mgf1Hash: DigestAlgorithm
    var saltLength: Int

    private init(hash: DigestAlgorithm, mgf1Hash: DigestAlgorithm, saltLength: Int) {
        self.hash = hash
        self.mgf1Hash = mgf1Hash
        self.saltLength = saltLength
    }

    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
        if node.identifier == .null {
            self = .defaults
            return
        }
        self = try DER.sequence(node, identifier: identifier) { nodes in
            func digest(_ algorithm: AlgorithmIdentifier) throws -> DigestAlgorithm {
                guard let digest = algorithm.digest else {
                    throw SignatureScheme.Unsupported(reason: "unsupported PSS hash")
                }
                return digest
            }
            let hash = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try digest(rules.decode($0))
            }
            let mgf1Hash = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { node in
                let mask: AlgorithmIdentifier = try rules.decode(node)
                guard mask.algorithm == .mgf1, let hashAlgorithm = mask.parameters else {
                    throw SignatureScheme.Unsupported(reason: "unsupported PSS mask generation")
                }
                return try digest(AlgorithmIdentifier(berASN1Any: hashAlgorithm))
            }
            let saltLength = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 2, tagClass: .contextSpecific) {
                try rules.smallInteger($0)
            }
            guard (saltLength ?? 20) <= 1024 else { throw SignatureScheme.Unsupported(reason: "bad PSS salt length") }
            let trailer = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 3, tagClass: .contextSpecific) {
                try rules.smallInteger($0)
            }
            guard (trailer ?? 1) == 1 else { throw SignatureScheme.Unsupported(reason: "unsupported PSS trailer") }
            return RSASSAPSSParameters(hash: hash ?? .sha1, mgf1Hash: mgf1Hash ?? .sha1, saltLength: saltLength ?? 20)
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(AlgorithmIdentifier(algorithm: hash.oid), explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
            let mask = AlgorithmIdentifier(algorithm: .mgf1, parameters: try ASN1Any(erasing: AlgorithmIdentifier(algorithm: mgf1Hash.oid)))
            try coder.serialize(mask, explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
            try coder.serialize(saltLength, explicitlyTaggedWithTagNumber: 2, tagClass: .contextSpecific)
        }
    }
}

import COpenSSL
import SwiftASN1

/// A chip's Active Authentication public key, decoded once and ready to check responses.
///
/// Decoding a SubjectPublicKeyInfo (`d2i_PUBKEY`, OpenSSL 3's decoder machinery) and building an operation context
/// cost several times the signature check itself; a verifier keeps these per card, keyed by the DG15's SHA-256,
/// so a request pays only for the hash of its challenge and the signature math.
///
/// `@unchecked Sendable`: the key and the template contexts are only read after `init` (contexts are duplicated
/// per call), which OpenSSL allows from several threads.
final class ActiveAuthKey: @unchecked Sendable {
    private let key: OpaquePointer
    private let scheme: Scheme

    private enum Scheme {
        /// ECDSA over SHA-256(challenge); `fieldSize` bytes per half of a plain r‖s signature.
        case ecdsa(PreparedVerifier, fieldSize: Int)
        /// ISO/IEC 9796-2 scheme 1 with message recovery: a raw RSA operation, `size` bytes.
        case rsa(recoverTemplate: OpaquePointer, size: Int)
        case unsupported
    }

    /// From the SubjectPublicKeyInfo DER; nil when OpenSSL cannot decode it.
    init?(subjectPublicKeyInfo der: ArraySlice<UInt8>) {
        defer { ERR_clear_error() }
        let decoded: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let decoded else { return nil }
        key = decoded
        switch EVP_PKEY_get_base_id(decoded) {
        case EVP_PKEY_EC:
            guard let verifier = PreparedVerifier(key: decoded, scheme: .ecdsa(.sha256, plain: false)) else {
                EVP_PKEY_free(decoded)
                return nil
            }
            scheme = .ecdsa(verifier, fieldSize: (Int(EVP_PKEY_get_bits(decoded)) + 7) / 8)
        case EVP_PKEY_RSA:
            guard let context = EVP_PKEY_CTX_new_from_pkey(nil, decoded, nil) else {
                EVP_PKEY_free(decoded)
                return nil
            }
            guard EVP_PKEY_verify_recover_init(context) == 1, EVP_PKEY_CTX_set_rsa_padding(context, RSA_NO_PADDING) == 1
            else {
                EVP_PKEY_CTX_free(context)
                EVP_PKEY_free(decoded)
                return nil
            }
            scheme = .rsa(recoverTemplate: context, size: Int(EVP_PKEY_get_size(decoded)))
        default:
            scheme = .unsupported
        }
    }

    /// From DG15 (`6F { SubjectPublicKeyInfo }`, nothing after it); nil when it is not one.
    convenience init?(dg15: [UInt8]) {
        guard let info = try? ElementaryFile.content(dg15[...], tag: .application(15), maxSize: 16 * 1024),
            info.identifier == .sequence
        else { return nil }
        self.init(subjectPublicKeyInfo: info.encodedBytes)
    }

    deinit {
        if case .rsa(let template, _) = scheme { EVP_PKEY_CTX_free(template) }
        EVP_PKEY_free(key)
    }

    func verify(challenge: [UInt8], signature: [UInt8]) -> ActiveAuthResult {
        switch scheme {
        case .ecdsa(let verifier, let fieldSize):
            return verifyECDSA(verifier, fieldSize: fieldSize, challenge: challenge, signature: signature)
        case .rsa(let template, let size):
            return ActiveAuthentication.verifyISO9796(
                template: template, key: key, size: size, challenge: challenge, signature: signature)
        case .unsupported:
            return ActiveAuthentication.invalid("unsupported_key_algorithm")
        }
    }

    /// SHA-256(challenge) and, for a plain r‖s signature, its DER form, both on the stack.
    private func verifyECDSA(
        _ verifier: PreparedVerifier, fieldSize: Int, challenge: [UInt8], signature: [UInt8]
    ) -> ActiveAuthResult {
        let valid = withUnsafeTemporaryAllocation(byteCount: 64, alignment: 8) { digestBuffer in
            let digest = challenge.withUnsafeBytes { DigestAlgorithm.sha256.hash($0, into: digestBuffer) }
            return signature.withUnsafeBytes { signatureBytes -> Bool? in
                if signature.count == 2 * fieldSize {
                    return ECDSASignature.withDER(fromPlain: signatureBytes) { verifier.verify(signature: $0, digest: digest) }
                }
                return verifier.verify(signature: signatureBytes, digest: digest)
            }
        }
        switch valid {
        case .none: return ActiveAuthentication.invalid("signature_malformed")
        case .some(true): return ActiveAuthResult(result: .valid, reason: nil)
        case .some(false): return ActiveAuthentication.invalid("signature_invalid")
        }
    }
}

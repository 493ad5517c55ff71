import COpenSSL
import SwiftASN1

/// Verifies a chip's Active Authentication response with the public key from DG15 (ICAO 9303-11 §6.1).
///
/// RSA keys sign with ISO/IEC 9796-2 digital signature scheme 1 (partial message recovery; trailer 0xBC for SHA-1,
/// or 0x??CC naming the hash). ECDSA keys sign SHA-256(challenge); the signature may be plain r‖s or DER.
public enum ActiveAuthentication {
    public static func verify(dg15: [UInt8], challenge: [UInt8], signature: [UInt8]) -> ActiveAuthResult {
        guard let key = publicKey(dg15: dg15) else { return invalid("dg15_unparsable") }
        defer { EVP_PKEY_free(key) }
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_RSA:
            return verifyISO9796(key: key, challenge: challenge, signature: signature)
        case EVP_PKEY_EC:
            let bytes = (Int(EVP_PKEY_get_bits(key)) + 7) / 8
            let der = signature.count == 2 * bytes ? ECDSASignature.der(fromPlain: signature) : signature
            guard let der else { return invalid("signature_malformed") }
            let valid = challenge.withUnsafeBytes {
                SignatureScheme.ecdsa(.sha256, plain: false).verify(signature: der[...], message: $0, key: key)
            }
            return valid ? ActiveAuthResult(result: .valid, reason: nil) : invalid("signature_invalid")
        default:
            return invalid("unsupported_key_algorithm")
        }
    }

    /// The SubjectPublicKeyInfo inside DG15 (`6F { SubjectPublicKeyInfo }`), as an owned `EVP_PKEY`.
    static func publicKey(dg15: [UInt8]) -> OpaquePointer? {
        guard let info = try? ElementaryFile.content(dg15[...], tag: .application(15), maxSize: 16 * 1024),
            info.identifier == .sequence
        else { return nil }
        let der = Array(info.encodedBytes)
        defer { ERR_clear_error() }
        return der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
    }

    private static func invalid(_ reason: String) -> ActiveAuthResult { ActiveAuthResult(result: .invalid, reason: reason) }

    private static func verifyISO9796(key: OpaquePointer, challenge: [UInt8], signature: [UInt8]) -> ActiveAuthResult {
        defer { ERR_clear_error() }
        guard let context = EVP_PKEY_CTX_new(key, nil) else { return invalid("openssl") }
        defer { EVP_PKEY_CTX_free(context) }
        let size = Int(EVP_PKEY_get_size(key))
        guard signature.count == size else { return invalid("signature_length") }
        var recovered = [UInt8](repeating: 0, count: size)
        var length = size
        guard EVP_PKEY_verify_recover_init(context) == 1, EVP_PKEY_CTX_set_rsa_padding(context, RSA_NO_PADDING) == 1,
            EVP_PKEY_verify_recover(context, &recovered, &length, signature, signature.count) == 1
        else { return invalid("signature_invalid") }
        let m = Array(recovered.prefix(length))
        // ISO/IEC 9796-2 lets the signer send min(s, n − s); the representative is then n − m.
        for candidate in [m, complement(m, key: key, size: size)].compactMap({ $0 }) {
            if let hashLength = recoverableHash(candidate),
                isValidRecovery(candidate, hashLength: hashLength, challenge: challenge)
            {
                return ActiveAuthResult(result: .valid, reason: nil)
            }
        }
        return invalid("signature_invalid")
    }

    /// n − m as `size` big-endian bytes.
    private static func complement(_ m: [UInt8], key: OpaquePointer, size: Int) -> [UInt8]? {
        var modulus: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(key, "n", &modulus) == 1, let modulus else { return nil }
        defer { BN_free(modulus) }
        guard let value = BN_bin2bn(m, Int32(m.count), nil), let difference = BN_new() else { return nil }
        defer { BN_free(value); BN_free(difference) }
        guard BN_sub(difference, modulus, value) == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: size)
        guard BN_bn2binpad(difference, &out, Int32(size)) == Int32(size) else { return nil }
        return out
    }

    /// The hash named by the trailer and the trailer length.
    private static func recoverableHash(_ m: [UInt8]) -> (DigestAlgorithm, Int)? {
        guard m.count > 2 else { return nil }
        if m.last == 0xBC { return (.sha1, 1) }
        guard m.last == 0xCC else { return nil }
        switch m[m.count - 2] {
        case 0x33: return (.sha1, 2)
        case 0x34: return (.sha256, 2)
        case 0x35: return (.sha512, 2)
        case 0x36: return (.sha384, 2)
        case 0x38: return (.sha224, 2)
        default: return nil
        }
    }

    /// `m = header ‖ M1 ‖ H(M1 ‖ challenge) ‖ trailer`; header 0x6A for partial recovery, 0x4A for full
    /// (then M1 is the whole message and must be the challenge itself).
    private static func isValidRecovery(_ m: [UInt8], hashLength: (DigestAlgorithm, Int), challenge: [UInt8]) -> Bool {
        let (hash, trailerLength) = hashLength
        guard m[0] & 0xC0 == 0x40 else { return false }
        let partial = m[0] & 0x20 != 0
        var start = 1
        if m[0] & 0x0F != 0x0A {
            // Padding nibbles 0xB… end with a 0xBA byte before M1.
            guard let boundary = m.firstIndex(of: 0xBA) else { return false }
            start = boundary + 1
        }
        let hashStart = m.count - trailerLength - hash.outputLength
        guard hashStart >= start else { return false }
        let m1 = Array(m[start..<hashStart])
        let digest = m[hashStart..<(m.count - trailerLength)]
        if partial { return hash.hash(m1 + challenge)[...] == digest }
        return m1 == challenge && hash.hash(m1)[...] == digest
    }
}

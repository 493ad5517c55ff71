import COpenSSL
import SwiftASN1

/// Verifies a chip's Active Authentication response with the public key from DG15 (ICAO 9303-11 §6.1).
///
/// RSA keys sign with ISO/IEC 9796-2 digital signature scheme 1 (partial message recovery; trailer 0xBC for SHA-1,
/// or 0x??CC naming the hash). ECDSA keys sign SHA-256(challenge); the signature may be plain r‖s or DER.
public enum ActiveAuthentication {
    /// Checks a response with the key in DG15 (the whole file, `6F { SubjectPublicKeyInfo }`).
    public static func verify(dg15: [UInt8], challenge: [UInt8], signature: [UInt8]) -> ActiveAuthResult {
        guard let key = ActiveAuthKey(dg15: dg15) else { return invalid("dg15_unparsable") }
        return key.verify(challenge: challenge, signature: signature)
    }

    /// Checks a response with a bare SubjectPublicKeyInfo (DER), e.g. a key an operator exported from DG15.
    public static func verify(subjectPublicKeyInfo: [UInt8], challenge: [UInt8], signature: [UInt8]) -> ActiveAuthResult {
        guard let key = ActiveAuthKey(subjectPublicKeyInfo: subjectPublicKeyInfo[...]) else {
            return invalid("public_key_unparsable")
        }
        return key.verify(challenge: challenge, signature: signature)
    }

    static func invalid(_ reason: String) -> ActiveAuthResult { ActiveAuthResult(result: .invalid, reason: reason) }

    /// ISO/IEC 9796-2 scheme 1: the raw RSA operation recovers the message representative, whose hash must cover
    /// the recovered part of the message followed by the challenge.
    static func verifyISO9796(
        template: OpaquePointer, key: OpaquePointer, size: Int, challenge: [UInt8], signature: [UInt8]
    ) -> ActiveAuthResult {
        defer { ERR_clear_error() }
        guard signature.count == size else { return invalid("signature_length") }
        guard let context = EVP_PKEY_CTX_dup(template) else { return invalid("openssl") }
        defer { EVP_PKEY_CTX_free(context) }
        var recovered = [UInt8](repeating: 0, count: size)
        var length = size
        guard EVP_PKEY_verify_recover(context, &recovered, &length, signature, signature.count) == 1 else {
            return invalid("signature_invalid")
        }
        let m = Array(recovered.prefix(length))
        func isValid(_ candidate: [UInt8]) -> Bool {
            guard let hashLength = recoverableHash(candidate) else { return false }
            return isValidRecovery(candidate, hashLength: hashLength, challenge: challenge)
        }
        // ISO/IEC 9796-2 lets the signer send min(s, n − s); the representative is then n − m.
        if isValid(m) || complement(m, key: key, size: size).map(isValid) == true {
            return ActiveAuthResult(result: .valid, reason: nil)
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

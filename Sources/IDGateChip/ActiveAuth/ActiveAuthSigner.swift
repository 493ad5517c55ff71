/// Signs an Active Authentication challenge as the test chips do: ECDSA over SHA-256(challenge), plain r‖s.
///
/// Used by tests and tools that play the chip (the load generator signs the same way with swift-crypto's
/// `P256.Signing.PrivateKey(pemRepresentation:).signature(for: challenge).rawRepresentation`).
public enum ActiveAuthSigner {
    public static func sign(challenge: [UInt8], keyPEM: String) throws -> [UInt8] {
        let key = try PrivateKey(pem: keyPEM)
        let der = try key.sign(challenge, digest: .sha256)
        guard let plain = ECDSASignature.plain(fromDER: der, size: key.fieldSize) else {
            throw OpenSSLError("ECDSA signature encoding")
        }
        return plain
    }
}

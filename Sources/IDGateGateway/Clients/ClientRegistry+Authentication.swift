import Foundation
import IDGateAudit
import IDGateCore
import IDGateWire

extension ClientRegistry {
    /// Who is calling: an API key (`Authorization: Bearer <key>` bytes) takes precedence; otherwise the verified
    /// TLS peer certificate, by SHA-256 fingerprint of its DER, then by subject DN.
    ///
    /// The TLS layer has already verified the certificate chain and validity (a forged or expired certificate
    /// never gets here); this only maps a verified identity to a client. A presented but unknown or expired key
    /// is refused even when a certificate would match: a client never silently falls back to another identity.
    public func authenticate(
        apiKey: UnsafeRawBufferPointer?, peerFingerprint: SHA256Key?, peerSubject: String?, now: Date = Date()
    ) -> Result<Client, PolicyError> {
        snapshot.authenticate(apiKey: apiKey, peerFingerprint: peerFingerprint, peerSubject: peerSubject, now: now)
    }

    /// What a caller with an unknown or refused certificate is told.
    static let unknownCertificate = "client certificate is not registered"
    /// What a caller with an unknown or refused API key is told.
    static let unknownAPIKey = "unknown API key"

    /// Convenience over byte arrays (tests, tools).
    public func authenticate(
        apiKey: [UInt8]?, peerFingerprint: [UInt8]? = nil, peerSubject: String? = nil, now: Date = Date()
    ) -> Result<Client, PolicyError> {
        func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
            guard let bytes else { return body(nil) }
            return bytes.withUnsafeBytes { body($0) }
        }
        return withOptionalBytes(apiKey) { key in
            authenticate(
                apiKey: key, peerFingerprint: peerFingerprint.flatMap { SHA256Key(bytes: $0) }, peerSubject: peerSubject,
                now: now)
        }
    }
}

extension ClientRegistrySnapshot {
    /// `ClientRegistry.authenticate` against this snapshot (event loops keep the snapshot they last read: no lock
    /// per request).
    func authenticate(
        apiKey: UnsafeRawBufferPointer?, peerFingerprint: SHA256Key?, peerSubject: String?, now: Date
    ) -> Result<Client, PolicyError> {
        let client: Client
        if let apiKey {
            return resolve(apiKey: apiKey, now: now).map(\.client)
        } else if let peerFingerprint, let found = fingerprints[peerFingerprint] {
            client = found
        } else if let peerSubject, let found = subjects[ClientRegistrySnapshot.normalizedSubject(peerSubject)] {
            client = found
        } else if peerFingerprint != nil || peerSubject != nil {
            return .failure(.unauthenticated(ClientRegistry.unknownCertificate))
        } else {
            return .failure(.unauthenticated("no credentials: use a client certificate or Authorization: Bearer"))
        }
        guard client.enabled else {
            return .failure(
                .credentialsRefused(ClientRegistry.unknownCertificate, reason: "client is disabled", clientID: client.id))
        }
        return .success(client)
    }

    /// The stored entry of a presented API key, if the key is known, unexpired and its client enabled.
    func resolve(apiKey: UnsafeRawBufferPointer, now: Date) -> Result<KeyEntry, PolicyError> {
        let digest = SHA256Key.hashing(apiKey)
        guard let entry = apiKeys[digest], entry.digest.constantTimeEquals(digest) else {
            return .failure(.unauthenticated(ClientRegistry.unknownAPIKey))
        }
        if let expiry = entry.expiresAt, expiry <= now {
            return .failure(.unauthenticated("API key \(entry.keyId) has expired"))
        }
        guard entry.client.enabled else {
            return .failure(.credentialsRefused(ClientRegistry.unknownAPIKey, reason: "client is disabled", clientID: entry.client.id))
        }
        return .success(entry)
    }
}

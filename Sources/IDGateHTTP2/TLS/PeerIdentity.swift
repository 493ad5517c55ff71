/// The client certificate a TLS connection presented and the server verified against the listener's CA bundle.
/// The gateway maps it to a client (by fingerprint or subject).
public struct PeerIdentity: Sendable, Hashable {
    /// The subject distinguished name in RFC 2253 form, e.g. `CN=bank-a,O=Bank A,C=VN`.
    public let subject: String
    /// SHA-256 of the certificate's DER encoding, lowercase hex (64 characters).
    public let sha256Fingerprint: String

    public init(subject: String, sha256Fingerprint: String) {
        self.subject = subject
        self.sha256Fingerprint = sha256Fingerprint
    }
}

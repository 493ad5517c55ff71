import IDGateCore

/// The client certificate a TLS connection presented and the server verified against the listener's CA bundle.
/// The gateway maps it to a client (by fingerprint or subject).
public struct PeerIdentity: Sendable, Hashable {
    /// The subject distinguished name in RFC 2253 form, e.g. `CN=bank-a,O=Bank A,C=VN`.
    public let subject: String
    /// SHA-256 of the certificate's DER encoding: computed once per connection, looked up per request as is.
    public let fingerprint: SHA256Key

    /// The fingerprint in lowercase hex (64 characters), for logs and files.
    public var sha256Fingerprint: String { fingerprint.hex }

    public init(subject: String, fingerprint: SHA256Key) {
        self.subject = subject
        self.fingerprint = fingerprint
    }
}

import CIDGateSupport

/// HMAC-SHA256 with the key schedule done once (RFC 2104's inner and outer states, hashed with the key block), on
/// CIDGateSupport's SHA-256: a value type, so copying the keyed state per message is a plain copy, no allocation.
/// The audit writer computes two HMACs and one hash per record; through swift-crypto's generic `HMAC` each cost
/// several allocations and more time than the hashing itself (see docs/AUDIT.md, "Performance"). Key derivation
/// uses it too, so all keyed hashing takes one path.
struct KeyedSHA256: Sendable {
    private let key: idgate_hmac_sha256_key

    init(key: UnsafeRawBufferPointer) {
        var state = idgate_hmac_sha256_key()
        idgate_hmac_sha256_init_key(&state, key.baseAddress, key.count)
        self.key = state
    }

    init(key: [UInt8]) {
        self = key.withUnsafeBytes { KeyedSHA256(key: $0) }
    }

    /// Writes the 32-byte tag of `message` to `output`.
    func authenticate(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawPointer) {
        withUnsafePointer(to: key) { keyed in
            idgate_hmac_sha256(keyed, message.baseAddress, message.count, output.assumingMemoryBound(to: UInt8.self))
        }
    }

    func authenticationCode(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            authenticate(message, into: buffer.baseAddress!)
            count = 32
        }
    }

    func authenticationCode(_ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { authenticationCode($0) }
    }
}

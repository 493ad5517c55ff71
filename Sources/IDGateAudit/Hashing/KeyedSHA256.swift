import COpenSSL
import IDGateCore
import IDGateWire

/// HMAC-SHA256 with the key schedule done once, on libcrypto's plain SHA-256 context (a value type: copying it is
/// a 112-byte copy). The audit writer computes two HMACs and one hash per record; through swift-crypto's generic
/// `HMAC` each cost several allocations and more time than the hashing itself (see docs/AUDIT.md, "Performance").
struct KeyedSHA256: @unchecked Sendable {
    private let inner: SHA256_CTX
    private let outer: SHA256_CTX

    init(key: UnsafeRawBufferPointer) {
        var block = [UInt8](repeating: 0, count: 64)
        if key.count > 64 {
            let digest = SHA256Key.hashing(key)
            withUnsafeBytes(of: digest.words) { block.replaceSubrange(0..<32, with: $0) }
        } else {
            block.replaceSubrange(0..<key.count, with: key)
        }
        var inner = SHA256_CTX()
        var outer = SHA256_CTX()
        SHA256_Init(&inner)
        SHA256_Init(&outer)
        SHA256_Update(&inner, block.map { $0 ^ 0x36 }, 64)
        SHA256_Update(&outer, block.map { $0 ^ 0x5C }, 64)
        self.inner = inner
        self.outer = outer
    }

    /// Writes the 32-byte tag of `message` to `output`.
    func authenticate(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawPointer) {
        var context = inner
        SHA256_Update(&context, message.baseAddress, message.count)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { innerDigest in
            SHA256_Final(innerDigest.baseAddress, &context)
            var outerContext = outer
            SHA256_Update(&outerContext, innerDigest.baseAddress, 32)
            SHA256_Final(output.assumingMemoryBound(to: UInt8.self), &outerContext)
        }
    }

    func authenticationCode(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, count in
            authenticate(message, into: buffer.baseAddress!)
            count = 32
        }
    }
}

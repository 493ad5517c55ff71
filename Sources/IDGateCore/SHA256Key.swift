import CIDGateSupport
import Foundation

/// A SHA-256 digest as four words: a cheap dictionary key for credential lookup (API key hashes, certificate
/// fingerprints), compared in constant time where it matters.
public struct SHA256Key: Hashable, Sendable {
    public let words: (UInt64, UInt64, UInt64, UInt64)

    public init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

    /// The digest in `bytes` (nil unless 32 bytes long): one copy.
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 32 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: bytes) }
        self.init(words: words)
    }

    /// Inlinable, so a caller in another module gets a specialized copy: unspecialized, the byte-by-byte loop over
    /// a generic collection cost ~1.5 µs per digest (65% of an audit segment scan).
    @inlinable
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        if let key = bytes.withContiguousStorageIfAvailable({ SHA256Key(bytes: UnsafeRawBufferPointer($0)) }) {
            self = key!
            return
        }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { destination in
            for (offset, byte) in bytes.enumerated() { destination[offset] = byte }
        }
        self.init(words: words)
    }

    /// Parses 64 hex digits; colons and spaces (as in `openssl x509 -fingerprint`) are ignored.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex, ignoring: [UInt8(ascii: ":"), UInt8(ascii: " ")]) else { return nil }
        self.init(bytes: bytes)
    }

    /// The SHA-256 of `data`, as a key.
    public static func hashing(_ data: some DataProtocol) -> SHA256Key {
        if let key = data.withContiguousStorageIfAvailable({ hashing(UnsafeRawBufferPointer($0)) }) { return key }
        return Array(data).withUnsafeBytes { hashing($0) }
    }

    /// The SHA-256 of `buffer`, preceded by `prefix` if given (Merkle leaves and nodes), with CIDGateSupport's
    /// SHA-256 (SHA-NI where the CPU has it): no allocation. The audit chain and response signing hash per record
    /// and per answer; libcrypto's non-deprecated EVP digests allocate per call in OpenSSL 3.0 and swift-crypto's
    /// digests allocate a context per hash.
    public static func hashing(prefix: UInt8? = nil, _ buffer: UnsafeRawBufferPointer) -> SHA256Key {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { digest in
            let output = digest.baseAddress!.assumingMemoryBound(to: UInt8.self)
            if let prefix {
                var context = idgate_sha256_ctx()
                idgate_sha256_init(&context)
                withUnsafeBytes(of: prefix) { idgate_sha256_update(&context, $0.baseAddress, 1) }
                idgate_sha256_update(&context, buffer.baseAddress, buffer.count)
                idgate_sha256_final(&context, output)
            } else {
                idgate_sha256(buffer.baseAddress, buffer.count, output)
            }
        }
        return SHA256Key(words: words)
    }

    /// The digest's 32 bytes.
    public var bytes: [UInt8] { withUnsafeBytes(of: words) { Array($0) } }

    public var hex: String { withUnsafeBytes(of: words) { Hex.encode($0) } }

    /// Equality without an early exit, so comparing a secret-derived hash leaks no timing.
    public func constantTimeEquals(_ other: SHA256Key) -> Bool {
        let difference = (words.0 ^ other.words.0) | (words.1 ^ other.words.1) | (words.2 ^ other.words.2)
            | (words.3 ^ other.words.3)
        return difference == 0
    }

    public static func == (lhs: SHA256Key, rhs: SHA256Key) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
    }
}

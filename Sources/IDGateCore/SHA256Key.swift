import COpenSSL
import Crypto
import Foundation

/// A SHA-256 digest as four words: a cheap dictionary key for credential lookup (API key hashes, certificate
/// fingerprints), compared in constant time where it matters.
public struct SHA256Key: Hashable, Sendable {
    public let words: (UInt64, UInt64, UInt64, UInt64)

    init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { destination in
            for (offset, byte) in bytes.enumerated() { destination[offset] = byte }
        }
        self.words = words
    }

    public init(_ digest: SHA256.Digest) {
        self = digest.withUnsafeBytes { SHA256Key(bytes: $0)! }
    }

    /// Parses 64 hex digits; colons and spaces (as in `openssl x509 -fingerprint`) are ignored.
    public init?(hex: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var high: UInt8? = nil
        for character in hex.utf8 where character != UInt8(ascii: ":") && character != UInt8(ascii: " ") {
            guard let nibble = Self.nibble(character) else { return nil }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard high == nil else { return nil }
        self.init(bytes: bytes)
    }

    /// The SHA-256 of `data`, as a key.
    public static func hashing(_ data: some DataProtocol) -> SHA256Key { SHA256Key(SHA256.hash(data: data)) }

    /// The SHA-256 of `buffer`, preceded by `prefix` if given (Merkle leaves and nodes), on libcrypto's plain
    /// context: no allocation (the audit chain and response signing hash per record and per answer).
    public static func hashing(prefix: UInt8? = nil, _ buffer: UnsafeRawBufferPointer) -> SHA256Key {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { digest in
            var context = SHA256_CTX()
            SHA256_Init(&context)
            if let prefix { withUnsafeBytes(of: prefix) { _ = SHA256_Update(&context, $0.baseAddress, 1) } }
            SHA256_Update(&context, buffer.baseAddress, buffer.count)
            SHA256_Final(digest.baseAddress!.assumingMemoryBound(to: UInt8.self), &context)
        }
        return SHA256Key(words: words)
    }

    public var hex: String {
        withUnsafeBytes(of: words) { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
    }

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

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

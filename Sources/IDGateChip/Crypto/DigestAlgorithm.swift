import COpenSSL

/// The hash functions ICAO 9303 allows for data-group hashes and signatures.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    case sha1, sha224, sha256, sha384, sha512

    public init?(oid: OID) {
        switch oid {
        case .sha1: self = .sha1
        case .sha224: self = .sha224
        case .sha256: self = .sha256
        case .sha384: self = .sha384
        case .sha512: self = .sha512
        default: return nil
        }
    }

    public var oid: OID {
        switch self {
        case .sha1: .sha1
        case .sha224: .sha224
        case .sha256: .sha256
        case .sha384: .sha384
        case .sha512: .sha512
        }
    }

    public var outputLength: Int {
        switch self {
        case .sha1: 20
        case .sha224: 28
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The OpenSSL digest, fetched once: explicitly fetched algorithms skip the per-call provider lookup.
    var md: OpaquePointer { FetchedDigests.shared.md(self) }

    public func hash(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: outputLength) { output, count in
            count = hash(data, into: UnsafeMutableRawBufferPointer(output)).count
        }
    }

    /// Hashes `data` into the start of `output` (at least `outputLength` bytes) and returns the hash's bytes there:
    /// for callers that keep the hash on the stack.
    @discardableResult
    func hash(_ data: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> UnsafeRawBufferPointer {
        precondition(output.count >= outputLength)
        var length: UInt32 = 0
        let done = EVP_Digest(
            data.baseAddress, data.count, output.baseAddress!.assumingMemoryBound(to: UInt8.self), &length, md, nil)
        return UnsafeRawBufferPointer(rebasing: output[0..<(done == 1 ? Int(length) : 0)])
    }

    /// Whether `data` hashes to `expected`, without a heap buffer for the hash.
    func hashOf(_ data: [UInt8], equals expected: [UInt8]) -> Bool {
        withUnsafeTemporaryAllocation(byteCount: 64, alignment: 8) { buffer in
            data.withUnsafeBytes { hash($0, into: buffer) }.elementsEqual(expected)
        }
    }

    public func hash(_ data: [UInt8]) -> [UInt8] { data.withUnsafeBytes { hash($0) } }
    public func hash(_ data: ArraySlice<UInt8>) -> [UInt8] { data.withUnsafeBytes { hash($0) } }
}

/// Holds the fetched `EVP_MD` objects for the process lifetime.
///
/// `@unchecked Sendable`: the pointers are written once in `init` and OpenSSL's fetched `EVP_MD` objects are
/// immutable and safe to share between threads.
private final class FetchedDigests: @unchecked Sendable {
    static let shared = FetchedDigests()
    private let digests: [OpaquePointer]

    private init() {
        digests = DigestAlgorithm.allCases.map { algorithm in
            let name = switch algorithm {
            case .sha1: "SHA1"
            case .sha224: "SHA224"
            case .sha256: "SHA256"
            case .sha384: "SHA384"
            case .sha512: "SHA512"
            }
            return EVP_MD_fetch(nil, name, nil)!
        }
    }

    func md(_ algorithm: DigestAlgorithm) -> OpaquePointer {
        switch algorithm {
        case .sha1: digests[0]
        case .sha224: digests[1]
        case .sha256: digests[2]
        case .sha384: digests[3]
        case .sha512: digests[4]
        }
    }
}


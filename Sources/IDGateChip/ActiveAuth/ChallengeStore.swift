import CIDGateSupport
import IDGateCore
import Foundation
import Synchronization

/// Active Authentication challenges handed out by `POST /v1/chip/challenge`: random 8 bytes, single use, short-lived.
///
/// A challenge is removed when consumed, so a replayed signature finds nothing; expired ones are refused and swept.
/// The store is bounded so that a flood of challenge requests cannot exhaust memory: when full of live challenges
/// it refuses to issue more (the gateway answers 503) rather than evicting challenges a reader is using.
///
/// Every event loop issues and consumes challenges, so the store is split into 16 shards by the id's first hex digit
/// (the id is random), each with its own lock and share of the capacity: two loops meet on a lock 1 time in 16. The
/// random bytes come from the kernel (`getrandom`, one call per challenge), not from OpenSSL's `RAND_bytes`, which
/// took a process-wide write lock on every call (OpenSSL 3.0's `RAND_get_rand_method`; `scripts/bench-locks.sh`).
public final class ChallengeStore: Sendable {
    public struct Challenge: Sendable, Equatable {
        /// Opaque identifier the client sends back (32 hex characters).
        public let id: String
        /// The 8 bytes the chip signs.
        public let bytes: [UInt8]
        public let expiresAt: Date

        /// The 16 hex characters of API.md's `challenge`.
        public var hex: String { bytes.hexString }
    }

    public enum ConsumeError: Error, Equatable, Sendable {
        /// Never issued, already used, or swept after expiry.
        case unknownOrUsed
        case expired
    }

    public struct CapacityExhausted: Error, Sendable {}

    public let lifetime: TimeInterval
    public let capacity: Int
    private let shards: [Shard]

    /// Small stores (under 1,024) keep one shard, so that their bound is exact.
    public init(lifetime: TimeInterval = 60, capacity: Int = 100_000) {
        self.lifetime = lifetime
        self.capacity = capacity
        let count = capacity >= 1024 ? 16 : 1
        shards = (0..<count).map { _ in Shard(capacity: (capacity + count - 1) / count) }
    }

    public func issue(now: Date = Date()) throws(CapacityExhausted) -> Challenge {
        let random = Self.randomBytes(24)
        let challenge = Challenge(
            id: random[0..<16].hexString, bytes: Array(random[16..<24]), expiresAt: now.addingTimeInterval(lifetime))
        try shard(for: challenge.id).insert(challenge, now: now)
        return challenge
    }

    /// The challenge's bytes, removing it: a second call with the same id fails.
    public func consume(id: String, now: Date = Date()) -> Result<[UInt8], ConsumeError> {
        guard let challenge = shard(for: id).remove(id) else { return .failure(.unknownOrUsed) }
        guard challenge.expiresAt > now else { return .failure(.expired) }
        return .success(challenge.bytes)
    }

    public var count: Int { shards.reduce(0) { $0 + $1.count } }

    /// The shard of an id: its first hex digit (any other first character: shard 0, where it is simply not found).
    private func shard(for id: String) -> Shard {
        guard shards.count > 1, let first = id.utf8.first else { return shards[0] }
        let digit: UInt8
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = first - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = first - UInt8(ascii: "a") + 10
        default: digit = 0
        }
        return shards[Int(digit) & (shards.count - 1)]
    }

    private final class Shard: Sendable {
        let capacity: Int
        let live = Mutex<[String: Challenge]>([:])

        init(capacity: Int) { self.capacity = capacity }

        func insert(_ challenge: Challenge, now: Date) throws(CapacityExhausted) {
            let inserted = live.withLock { live in
                if live.count >= capacity {
                    live = live.filter { $0.value.expiresAt > now }
                    guard live.count < capacity else { return false }
                }
                live[challenge.id] = challenge
                return true
            }
            guard inserted else { throw CapacityExhausted() }
        }

        func remove(_ id: String) -> Challenge? { live.withLock { $0.removeValue(forKey: id) } }

        var count: Int { live.withLock { $0.count } }
    }

    /// `count` bytes from the kernel's CSPRNG.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard bytes.withUnsafeMutableBytes({ idgate_random_bytes($0.baseAddress, count) }) == 1 else {
            var generator = SystemRandomNumberGenerator()
            return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        return bytes
    }
}

import IDGateCore
import COpenSSL
import Foundation

/// Active Authentication challenges handed out by `POST /v1/chip/challenge`: random 8 bytes, single use, short-lived.
///
/// A challenge is removed when consumed, so a replayed signature finds nothing; expired ones are refused and swept.
/// The store is bounded so that a flood of challenge requests cannot exhaust memory: when full of live challenges
/// it refuses to issue more (the gateway answers 503) rather than evicting challenges a reader is using.
public final class ChallengeStore: @unchecked Sendable {
    // @unchecked Sendable: all mutable state is guarded by `lock`.
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
    private let lock = NSLock()
    private var live: [String: Challenge] = [:]

    public init(lifetime: TimeInterval = 60, capacity: Int = 100_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    public func issue(now: Date = Date()) throws(CapacityExhausted) -> Challenge {
        let challenge = Challenge(
            id: ChallengeStore.randomBytes(16).hexString, bytes: ChallengeStore.randomBytes(8),
            expiresAt: now.addingTimeInterval(lifetime))
        lock.lock()
        defer { lock.unlock() }
        if live.count >= capacity {
            live = live.filter { $0.value.expiresAt > now }
            guard live.count < capacity else { throw CapacityExhausted() }
        }
        live[challenge.id] = challenge
        return challenge
    }

    /// The challenge's bytes, removing it: a second call with the same id fails.
    public func consume(id: String, now: Date = Date()) -> Result<[UInt8], ConsumeError> {
        lock.lock()
        let challenge = live.removeValue(forKey: id)
        lock.unlock()
        guard let challenge else { return .failure(.unknownOrUsed) }
        guard challenge.expiresAt > now else { return .failure(.expired) }
        return .success(challenge.bytes)
    }

    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return live.count
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else {
            var generator = SystemRandomNumberGenerator()
            return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        return bytes
    }
}

import IDGateAudit
import IDGateCore
import IDGateWire

/// A token bucket: `burst` tokens at most, refilled at `tokensPerSecond`; one token per request.
///
/// Pure value type with an explicit monotonic clock (nanoseconds), so it is cheap and testable.
public struct TokenBucket: Sendable {
    public let tokensPerSecond: Double
    public let capacity: Double
    private var tokens: Double
    private var updatedAt: UInt64

    public init(tokensPerSecond: Double, capacity: Double, now: UInt64) {
        self.tokensPerSecond = tokensPerSecond
        self.capacity = capacity
        self.tokens = capacity
        self.updatedAt = now
    }

    /// Takes one token; when none is left, returns the seconds until one will be (rounded up, at least 1).
    public mutating func take(now: UInt64) -> Int? {
        if now > updatedAt {
            tokens = min(capacity, tokens + Double(now - updatedAt) * tokensPerSecond / 1e9)
            updatedAt = now
        }
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return max(1, Int(((1 - tokens) / tokensPerSecond).rounded(.up)))
    }
}

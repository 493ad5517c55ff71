import Foundation
import IDGateAudit
import IDGateCore
import IDGateWire

/// Admission for one event loop: each client's token bucket (its rate and burst divided by the number of loops)
/// and its shared daily quota.
///
/// Deliberately not `Sendable`: create one per event loop (e.g. in a `NIOLoopBound`) and use it only there, so the
/// hot path takes no lock. A connection stays on one loop, so a client spread over several connections gets at
/// most its configured rate in total.
public final class ClientRateLimiter {
    private struct Entry {
        var bucket: TokenBucket
        let configuration: RateLimitConfiguration
    }

    public let loopCount: Int
    private var entries: [String: Entry] = [:]

    public init(loopCount: Int) {
        precondition(loopCount >= 1)
        self.loopCount = loopCount
    }

    /// Nil when `client` may proceed; otherwise 429 `rate_limited` with `retryAfterSeconds`.
    ///
    /// The rate limit is checked before the quota so throttled requests do not use up the day's quota.
    public func admit(_ client: Client, monotonicNow: UInt64 = MonotonicClock.nanoseconds(), now: Date = Date()) -> PolicyError? {
        if let retryAfter = takeToken(client, now: monotonicNow) {
            return .rateLimited("rate limit of \(client.rateLimit.requestsPerSecond) requests/s exceeded", retryAfterSeconds: retryAfter)
        }
        if let limit = client.dailyQuota, !client.quota.consume(limit: limit, now: now) {
            return .rateLimited("daily quota of \(limit) requests exhausted", retryAfterSeconds: VietnamCalendarDay.secondsUntilNextDay(now))
        }
        return nil
    }

    private func takeToken(_ client: Client, now: UInt64) -> Int? {
        let limit = client.rateLimit
        if entries[client.id]?.configuration != limit {
            // First request of this client on this loop, or its limit changed with a registry reload.
            let bucket = TokenBucket(
                tokensPerSecond: limit.requestsPerSecond / Double(loopCount),
                capacity: max(1, (Double(limit.burst) / Double(loopCount)).rounded(.up)),
                now: now)
            entries[client.id] = Entry(bucket: bucket, configuration: limit)
        }
        return entries[client.id]!.bucket.take(now: now)
    }
}

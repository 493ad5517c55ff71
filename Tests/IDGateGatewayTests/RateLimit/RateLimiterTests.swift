import Foundation
import Testing
@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

@Suite struct RateLimiterTests {
    static func client(rate: Double, burst: Int, quota: Int? = nil) throws -> Client {
        let registry = try ClientRegistry(file: ClientRegistryFile(clients: [ClientConfiguration(
            id: "c", kind: .bank, rateLimit: RateLimitConfiguration(requestsPerSecond: rate, burst: burst), dailyQuota: quota)]))
        return try #require(registry.client(id: "c"))
    }

    @Test func burstThen429WithRetryAfter() throws {
        let client = try Self.client(rate: 2, burst: 5)
        let limiter = ClientRateLimiter(loopCount: 1)
        let start: UInt64 = 1_000_000_000
        for _ in 0..<5 { #expect(limiter.admit(client, monotonicNow: start) == nil) }
        let refused = try #require(limiter.admit(client, monotonicNow: start))
        #expect(refused.status == 429)
        #expect(refused.code == "rate_limited")
        #expect(refused.retryAfterSeconds == 1)
    }

    @Test func tokensRefillWithTime() throws {
        let client = try Self.client(rate: 10, burst: 1)
        let limiter = ClientRateLimiter(loopCount: 1)
        #expect(limiter.admit(client, monotonicNow: 0) == nil)
        #expect(limiter.admit(client, monotonicNow: 50_000_000) != nil)
        #expect(limiter.admit(client, monotonicNow: 100_000_000) == nil)
    }

    @Test func slowRateGivesLongerRetryAfter() throws {
        let client = try Self.client(rate: 0.1, burst: 1)
        let limiter = ClientRateLimiter(loopCount: 1)
        #expect(limiter.admit(client, monotonicNow: 0) == nil)
        #expect(limiter.admit(client, monotonicNow: 0)?.retryAfterSeconds == 10)
    }

    @Test func rateIsSplitAcrossEventLoops() throws {
        let client = try Self.client(rate: 100, burst: 8)
        let loops = (0..<4).map { _ in ClientRateLimiter(loopCount: 4) }
        var admitted = 0
        for limiter in loops {
            for _ in 0..<10 where limiter.admit(client, monotonicNow: 0) == nil { admitted += 1 }
        }
        #expect(admitted == 8)
    }

    @Test func reloadedLimitTakesEffect() throws {
        let limiter = ClientRateLimiter(loopCount: 1)
        let strict = try Self.client(rate: 1, burst: 1)
        #expect(limiter.admit(strict, monotonicNow: 0) == nil)
        #expect(limiter.admit(strict, monotonicNow: 0) != nil)
        let relaxed = try Self.client(rate: 1, burst: 3)
        #expect(limiter.admit(relaxed, monotonicNow: 0) == nil)
    }

    @Test func dailyQuotaExhaustionIs429UntilVietnamMidnight() throws {
        let client = try Self.client(rate: 1000, burst: 1000, quota: 3)
        let limiter = ClientRateLimiter(loopCount: 1)
        // 2026-11-23 16:59:00 UTC is 23:59:00 in Vietnam.
        let lateEvening = Date(timeIntervalSince1970: 1_795_453_140)
        #expect(VietnamCalendarDay.secondsUntilNextDay(lateEvening) == 60)
        for _ in 0..<3 { #expect(limiter.admit(client, monotonicNow: 0, now: lateEvening) == nil) }
        let refused = try #require(limiter.admit(client, monotonicNow: 0, now: lateEvening))
        #expect(refused.status == 429)
        #expect(refused.retryAfterSeconds == 60)
        #expect(refused.message.contains("quota"))
        let nextDay = lateEvening.addingTimeInterval(60)
        #expect(limiter.admit(client, monotonicNow: 0, now: nextDay) == nil)
        #expect(client.quota.used(now: nextDay) == 1)
    }

    @Test func quotaIsExactUnderConcurrency() async throws {
        let counter = DailyQuotaCounter()
        let now = Date()
        let admitted = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<1000).reduce(0) { count, _ in counter.consume(limit: 5000, now: now) ? count + 1 : count } }
            }
            return await group.reduce(0, +)
        }
        #expect(admitted == 5000)
        #expect(counter.used(now: now) == 5000)
    }

    @Test func vietnamDayBoundary() {
        // 2026-11-23 17:00:00 UTC = 2026-11-24 00:00:00 +07.
        let midnight = Date(timeIntervalSince1970: 1_795_453_200)
        #expect(VietnamCalendarDay.dayNumber(midnight) == VietnamCalendarDay.dayNumber(midnight.addingTimeInterval(-1)) + 1)
        #expect(VietnamCalendarDay.secondsUntilNextDay(midnight) == 86400)
    }
}

import Foundation
import IDGateCore
import Prometheus
import Testing
@testable import IDGateGateway

/// The guessing limiter's windows, the counter journal's format and recovery, and quota restore: the pieces the
/// end-to-end restart tests rely on, with explicit times (no clocks).
struct PersistentCounterTests {
    static let subject = SHA256Key(words: (1, 2, 3, 4))
    static let pair = SubjectAttemptLimiter.Pair(subject: subject, clientID: "bank")
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func pairIsRefusedAfterLimitUntilItsWindowEnds() {
        let limiter = SubjectAttemptLimiter(windowSeconds: 100)
        for count in 1...3 {
            #expect(limiter.refusal(Self.pair, limit: 3, now: Self.start) == nil)
            #expect(limiter.recordFailure(Self.pair, now: Self.start.addingTimeInterval(Double(count))) == UInt32(count))
        }
        // The window opened at the first failure (start + 1 s) and lasts 100 s.
        #expect(limiter.refusal(Self.pair, limit: 3, now: Self.start.addingTimeInterval(10)) == 91)
        #expect(limiter.refusal(Self.pair, limit: 4, now: Self.start.addingTimeInterval(10)) == nil)
        let otherClient = SubjectAttemptLimiter.Pair(subject: Self.subject, clientID: "telco")
        #expect(limiter.refusal(otherClient, limit: 3, now: Self.start.addingTimeInterval(10)) == nil)
        #expect(limiter.refusal(Self.pair, limit: 3, now: Self.start.addingTimeInterval(101)) == nil)
        // A failure after the window starts a new count.
        #expect(limiter.recordFailure(Self.pair, now: Self.start.addingTimeInterval(102)) == 1)
        limiter.removeExpired(now: Self.start.addingTimeInterval(500))
        #expect(limiter.trackedPairs == 0)
    }

    @Test func partialMismatchAndNotFoundCountButMatchDoesNot() {
        #expect(SubjectAttemptLimiter.counts(.partial))
        #expect(SubjectAttemptLimiter.counts(.mismatch))
        #expect(SubjectAttemptLimiter.counts(.notFound))
        #expect(!SubjectAttemptLimiter.counts(.match))
    }

    @Test func journalKeepsTheLastValueAndDropsATornTail() throws {
        let entries: [CounterJournal.Entry] = [
            .attempts(Self.pair, .init(windowEndsMillis: 5_000, failures: 2)),
            .quota(clientID: "bank", day: 20_000, used: 7),
            .suspension(clientID: "bank", untilMillis: 9_000),
        ]
        var bytes = CounterJournal.block(entries)
        bytes += CounterJournal.block([.attempts(Self.pair, .init(windowEndsMillis: 5_000, failures: 3))])
        let intact = CounterJournal.read(bytes)
        #expect(intact.entries.count == 4)
        #expect(intact.entries.last == .attempts(Self.pair, .init(windowEndsMillis: 5_000, failures: 3)))
        #expect(intact.discardedBytes == 0)
        // A torn last block (cut short) and a damaged one (a flipped byte) are both dropped; the first block stays.
        let torn = CounterJournal.read(Array(bytes.dropLast(3)))
        #expect(torn.entries == entries)
        #expect(torn.discardedBytes > 0)
        var flipped = bytes
        flipped[flipped.count - 2] ^= 0xFF
        #expect(CounterJournal.read(flipped).entries == entries)
        #expect(CounterJournal.read([1, 2, 3]).entries.isEmpty)
        #expect(CounterJournal.read([]).discardedBytes == 0)
    }

    @Test func journalIsOwnerOnlyAndHeldByOneProcessAtATime() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-journal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (journal, contents) = try CounterJournal.open(directory: directory.path) { _ in [] }
        #expect(contents.entries.isEmpty)
        try journal.append([.quota(clientID: "bank", day: 1, used: 2)])
        #expect(throws: CounterJournalError.self) { _ = try CounterJournal.open(directory: directory.path) { _ in [] } }
        journal.close()
        let attributes = try FileManager.default.attributesOfItem(atPath: journal.path)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: directory.path)[.posixPermissions] as? Int == 0o700)
        let (reopened, again) = try CounterJournal.open(directory: directory.path) { $0.entries }
        #expect(again.entries == [.quota(clientID: "bank", day: 1, used: 2)])
        reopened.close()
    }

    @Test func quotaRestoreNeverHandsOutAFreshQuota() {
        let now = Date()
        let today = VietnamCalendarDay.dayNumber(now)
        let counter = DailyQuotaCounter()
        counter.restore(day: today, used: 5)
        #expect(counter.used(now: now) == 5)
        #expect(counter.consume(limit: 6, now: now))
        #expect(!counter.consume(limit: 6, now: now))
        // An older or smaller count does not lower it.
        counter.restore(day: today, used: 2)
        counter.restore(day: today - 1, used: 100)
        #expect(counter.used(now: now) == 6)
        // Yesterday's count does not use up today's quota.
        let fresh = DailyQuotaCounter()
        fresh.restore(day: today - 1, used: 100)
        #expect(fresh.consume(limit: 1, now: now))
    }

    @Test func clientAlertIsRaisedOncePerWindowAndSuspends() {
        let watch = ClientGuessingWatch(clientID: "bank", registry: PrometheusCollectorRegistry())
        let configuration = ClientGuessingConfiguration(maxFailureRate: 0.5, minimumAnswers: 4, rateWindowSeconds: 60, suspend: true, suspendSeconds: 30)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(watch.observe(.match, configuration: configuration, now: now) == .normal)
        #expect(watch.observe(.notFound, configuration: configuration, now: now) == .normal)
        #expect(watch.observe(.mismatch, configuration: configuration, now: now) == .normal)
        #expect(watch.observe(.notFound, configuration: configuration, now: now) == .alertRaised(rate: 0.75, suspendedUntil: now.addingTimeInterval(30)))
        #expect(watch.observe(.notFound, configuration: configuration, now: now) == .normal)
        #expect(watch.suspensionRemaining(now: now) == 30)
        #expect(watch.suspensionRemaining(now: now.addingTimeInterval(31)) == nil)
        // No rate configured: nothing is watched.
        let quiet = ClientGuessingWatch(clientID: "quiet", registry: PrometheusCollectorRegistry())
        for _ in 0..<10 { #expect(quiet.observe(.notFound, configuration: ClientGuessingConfiguration(), now: now) == .normal) }
    }
}

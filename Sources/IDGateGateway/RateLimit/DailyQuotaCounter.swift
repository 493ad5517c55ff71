import Foundation
import IDGateAudit
import IDGateCore
import IDGateWire
import Synchronization

/// Requests used today by one client, shared by every event loop without locks.
///
/// One atomic word holds both the Vietnam day number (high 24 bits) and the count (low 40 bits), so the midnight
/// reset and the increment are a single compare-and-swap: no request is counted against the wrong day.
public final class DailyQuotaCounter: Sendable {
    private static let countBits: UInt64 = 40
    private static let countMask: UInt64 = (1 << countBits) - 1
    private let state = Atomic<UInt64>(0)

    public init() {}

    /// Counts one request if fewer than `limit` were made today; false when the quota is exhausted.
    public func consume(limit: Int, now: Date) -> Bool {
        let day = UInt64(truncatingIfNeeded: VietnamCalendarDay.dayNumber(now)) & 0xFF_FFFF
        var observed = state.load(ordering: .relaxed)
        while true {
            let sameDay = observed >> Self.countBits == day
            let used = sameDay ? observed & Self.countMask : 0
            guard used < UInt64(limit) else { return false }
            let next = day << Self.countBits | (used + 1)
            let (exchanged, original) = state.compareExchange(
                expected: observed, desired: next, ordering: .relaxed)
            if exchanged { return true }
            observed = original
        }
    }

    /// The day number (low 24 bits) and count held: what the state journal persists.
    public var persistedState: (day: Int64, used: UInt64) {
        let observed = state.load(ordering: .relaxed)
        return (Int64(observed >> Self.countBits), observed & Self.countMask)
    }

    /// Puts back a persisted count at start: kept unless the count held is of a later day or larger (so a restart
    /// never hands out a fresh quota); a count of an earlier day than today is ignored by `consume` anyway.
    public func restore(day: Int64, used: UInt64) {
        let restored = UInt64(truncatingIfNeeded: day) & 0xFF_FFFF
        var observed = state.load(ordering: .relaxed)
        while true {
            let heldDay = observed >> Self.countBits
            if observed != 0 && heldDay > restored { return }  // the count held is of a later day
            if heldDay == restored && observed & Self.countMask >= used { return }
            let (exchanged, original) = state.compareExchange(
                expected: observed, desired: restored << Self.countBits | min(used, Self.countMask), ordering: .relaxed)
            if exchanged { return }
            observed = original
        }
    }

    /// Adds requests other fleet nodes served on `day` (docs/CLIENTS.md, "In a fleet"): to the count held when it is
    /// of that day, as that day's count when the one held is of an earlier day; ignored for an earlier day.
    public func add(_ extra: UInt64, day: Int64) {
        guard extra > 0 else { return }
        let added = UInt64(truncatingIfNeeded: day) & 0xFF_FFFF
        var observed = state.load(ordering: .relaxed)
        while true {
            let heldDay = observed >> Self.countBits
            if observed != 0 && heldDay > added { return }
            let used = heldDay == added ? observed & Self.countMask : 0
            let (exchanged, original) = state.compareExchange(
                expected: observed, desired: added << Self.countBits | min(used + extra, Self.countMask), ordering: .relaxed)
            if exchanged { return }
            observed = original
        }
    }

    /// Requests counted on the Vietnam day of `now`.
    public func used(now: Date = Date()) -> Int {
        let day = UInt64(truncatingIfNeeded: VietnamCalendarDay.dayNumber(now)) & 0xFF_FFFF
        let observed = state.load(ordering: .relaxed)
        return observed >> Self.countBits == day ? Int(observed & Self.countMask) : 0
    }
}

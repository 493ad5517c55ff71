import Foundation

/// Calendar days in Vietnam time (UTC+7, no daylight saving): daily quotas reset at local midnight.
public enum VietnamCalendarDay {
    public static let utcOffsetSeconds: Int64 = 7 * 3600

    /// Days since 1970-01-01 in Vietnam time.
    public static func dayNumber(_ date: Date) -> Int64 {
        let local = Int64(date.timeIntervalSince1970.rounded(.down)) + utcOffsetSeconds
        return local >= 0 ? local / 86400 : (local - 86399) / 86400
    }

    /// Seconds until the next Vietnam midnight (at least 1).
    public static func secondsUntilNextDay(_ date: Date) -> Int {
        let nextMidnight = (dayNumber(date) + 1) * 86400 - utcOffsetSeconds
        return max(1, Int((Double(nextMidnight) - date.timeIntervalSince1970).rounded(.up)))
    }
}

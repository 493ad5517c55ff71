import Foundation
import IDGateHTTP2
import IDGateStore

/// When a request arrived, read once: the monotonic clock for its latency, the wall clock for its audit time,
/// rate-limit day and date of matching (each clock read costs; a request once read them seven times).
struct Arrival: Sendable {
    let monotonic: UInt64
    let now: Date

    static func now() -> Arrival { Arrival(monotonic: MonotonicClock.nanoseconds(), now: Date()) }

    /// Today's date in the registry's calendar, for age and expiry checks.
    var today: PartialDate { PartialDate.today(secondsSinceEpoch: now.timeIntervalSince1970) }
}

/// A request that passed admission: its client, and when it arrived.
struct AdmittedRequest {
    let http: HTTPRequest
    let client: Client
    let arrival: Arrival
}

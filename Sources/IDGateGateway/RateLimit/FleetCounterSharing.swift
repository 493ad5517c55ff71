import Foundation
import IDGateCore
import IDGateFleet
import Synchronization

/// A client's daily quota as last shared with the fleet: the count held here when its delta was last taken or the
/// fleet's count last merged (`base`: what is beyond it is this node's, not yet shared), and the fleet's count this
/// node knows (`fleet`, its own sent requests included).
struct FleetQuotaShare: Sendable {
    var day: Int64
    var base: UInt64
    var fleet: UInt64

    /// The share to count on `day`: the one held when it is of that day, a fresh one when it is of an earlier day
    /// (or there is none), nil when it is of a later day.
    static func on(_ day: Int64, held: FleetQuotaShare?) -> FleetQuotaShare? {
        guard let held, held.day >= day else { return FleetQuotaShare(day: day, base: 0, fleet: 0) }
        return held.day == day ? held : nil
    }
}

/// The node's side of `SharedCounterSync` (docs/CLIENTS.md, "In a fleet"): guessing deltas come from the limiter's
/// unshared failures, the fleet's counts go back into its shards; a quota's delta is what the client's counter grew
/// since it was last shared, the fleet's count adds what other nodes served. Called by the sync's task only.
extension PersistentCounters: SharedCounterStore {
    /// Starts keeping failures for the fleet and binds `sync` to these counters. Quotas restored from the journal
    /// count as shared already (they were, before the restart, or they are this node's own).
    func share(with sync: SharedCounterSync, now: Date = Date()) {
        limiter.enableSharing()
        fleetQuotas.withLock { shares in
            for (id, client) in clients.snapshot.clients where client.dailyQuota != nil {
                let (day, used) = client.quota.persistedState
                shares[id] = FleetQuotaShare(day: day, base: used, fleet: used)
            }
        }
        sync.bind(self)
    }

    func takeUnsharedAttempts(now: Date) -> [SharedAttempts] {
        limiter.takeUnshared(now: now).map {
            SharedAttempts(
                clientID: $0.pair.clientID, subject: $0.pair.subject, windowEndsMillis: $0.windowEndsMillis,
                failures: $0.failures)
        }
    }

    func returnUnsharedAttempts(_ attempts: [SharedAttempts], now: Date) {
        limiter.returnUnshared(
            attempts.map {
                SubjectAttemptLimiter.Unshared(
                    pair: SubjectAttemptLimiter.Pair(subject: $0.subject, clientID: $0.clientID),
                    windowEndsMillis: $0.windowEndsMillis, failures: $0.failures)
            }, now: now)
    }

    func mergeSharedAttempts(_ attempts: [SharedAttempts], now: Date) {
        for item in attempts {
            limiter.mergeShared(
                SubjectAttemptLimiter.Pair(subject: item.subject, clientID: item.clientID),
                windowEndsMillis: item.windowEndsMillis, failures: item.failures, now: now)
        }
    }

    func takeUnsharedQuotas(now: Date) -> [SharedQuota] {
        let snapshot = clients.snapshot
        return fleetQuotas.withLock { shares in
            var taken: [SharedQuota] = []
            for (id, client) in snapshot.clients where client.dailyQuota != nil {
                let (day, used) = client.quota.persistedState
                // nil: nothing served here yet on the fleet's (later) day.
                guard var share = FleetQuotaShare.on(day, held: shares[id]) else { continue }
                if used > share.base {
                    let delta = used - share.base
                    taken.append(SharedQuota(clientID: id, day: day, used: delta))
                    share.base = used
                    share.fleet += delta
                }
                shares[id] = share
            }
            return taken
        }
    }

    func returnUnsharedQuotas(_ quotas: [SharedQuota], now: Date) {
        fleetQuotas.withLock { shares in
            for quota in quotas {
                guard var share = shares[quota.clientID], share.day == quota.day else { continue }
                share.base -= min(share.base, quota.used)
                share.fleet -= min(share.fleet, quota.used)
                shares[quota.clientID] = share
            }
        }
    }

    func mergeSharedQuotas(_ quotas: [SharedQuota], now: Date) {
        let snapshot = clients.snapshot
        fleetQuotas.withLock { shares in
            for quota in quotas {
                guard let client = snapshot.clients[quota.clientID], client.dailyQuota != nil else { continue }
                guard var share = FleetQuotaShare.on(quota.day, held: shares[quota.clientID]) else { continue }
                guard quota.used > share.fleet else { continue }
                let extra = quota.used - share.fleet
                client.quota.add(extra, day: quota.day)
                share.base += extra
                share.fleet = quota.used
                shares[quota.clientID] = share
            }
        }
    }
}

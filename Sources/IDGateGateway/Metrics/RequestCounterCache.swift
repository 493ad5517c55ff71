import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateWire
import Prometheus

/// One event loop's request counters by route index and status, filled from `GatewayMetrics.requestCounter` on
/// first use: the request path then finds its counter with an array index and a short scan.
/// Not Sendable: one per loop (`LoopContext`).
final class RequestCounterCache {
    private var byRoute: [[(status: Int, counter: Counter)]] = []

    func counter(route: CompletedRoute, status: Int, in metrics: GatewayMetrics) -> Counter {
        let slot = route.index + 1  // -1: unmatched
        if slot < byRoute.count, let cached = byRoute[slot].first(where: { $0.status == status }) {
            return cached.counter
        }
        let counter = metrics.requestCounter(route: route.path, status: status)
        if slot >= byRoute.count { byRoute.append(contentsOf: repeatElement([], count: slot + 1 - byRoute.count)) }
        byRoute[slot].append((status, counter))
        return counter
    }
}

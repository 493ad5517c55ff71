import NIOCore
import Synchronization

/// Admission control (total and per-IP connection caps) and the set of open connections, so a shutdown can
/// ask each of them to drain.
final class ConnectionRegistry: Sendable {
    private struct State {
        var accepting = true
        var perAddress: [String: Int] = [:]
        var connections: [ObjectIdentifier: HTTP2Connection] = [:]
    }

    private let state = Mutex(State())
    private let limits: HTTP2Limits
    private let stats: HTTP2ServerStats

    init(limits: HTTP2Limits, stats: HTTP2ServerStats) {
        self.limits = limits
        self.stats = stats
    }

    /// Registers a new connection if the caps allow it; `false` means close it right away.
    func admit(_ connection: HTTP2Connection, address: String) -> Bool {
        let admitted = state.withLock { state -> Bool in
            guard state.accepting,
                  state.connections.count < limits.maxConnections,
                  state.perAddress[address, default: 0] < limits.maxConnectionsPerIP else { return false }
            state.perAddress[address, default: 0] += 1
            state.connections[ObjectIdentifier(connection)] = connection
            return true
        }
        if admitted {
            stats.acceptedConnectionsCounter.wrappingAdd(1, ordering: .relaxed)
            stats.openConnectionsCounter.wrappingAdd(1, ordering: .relaxed)
        } else {
            stats.rejectedConnectionsCounter.wrappingAdd(1, ordering: .relaxed)
        }
        return admitted
    }

    func remove(_ connection: HTTP2Connection, address: String) {
        let removed = state.withLock { state -> Bool in
            guard state.connections.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return false }
            let remaining = state.perAddress[address, default: 1] - 1
            state.perAddress[address] = remaining > 0 ? remaining : nil
            return true
        }
        if removed { stats.openConnectionsCounter.wrappingAdd(-1, ordering: .relaxed) }
    }

    /// Stops admitting and returns the open connections.
    func stopAccepting() -> [HTTP2Connection] {
        state.withLock { state in
            state.accepting = false
            return Array(state.connections.values)
        }
    }

    var openConnections: [HTTP2Connection] {
        state.withLock { Array($0.connections.values) }
    }
}

import NIOCore
import Synchronization

/// The server's listening channels, guarded for `start`/`shutdown` from any task.
final class NIOLockedChannels: Sendable {
    private let state = Mutex<(started: Bool, channels: [any Channel])>((false, []))

    func markStarted() -> Bool {
        state.withLock { state in
            defer { state.started = true }
            return !state.started
        }
    }

    func append(_ channel: any Channel) { state.withLock { $0.channels.append(channel) } }

    var all: [any Channel] { state.withLock { $0.channels } }
}

import Synchronization

/// A sleep another task can end early, so a service's loop reacts at once to new work or to a graceful shutdown
/// instead of polling a flag. A `wake()` while nobody naps is kept: the next nap returns at once.
final class WakeableNap: Sendable {
    private let sleeper = Mutex<(waiting: CheckedContinuation<Void, Never>?, pending: Bool)>((nil, false))

    /// Ends the current nap, or the next one if none is in progress.
    func wake() {
        let waiting = sleeper.withLock { sleeper -> CheckedContinuation<Void, Never>? in
            guard let waiting = sleeper.waiting else {
                sleeper.pending = true
                return nil
            }
            sleeper.waiting = nil
            return waiting
        }
        waiting?.resume()
    }

    /// Sleeps for `duration`, or until `wake()` or the task's cancellation.
    func nap(for duration: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Cancelled once the other task finished: no wake then (it would make the next nap end at once).
                do {
                    try await Task.sleep(for: duration)
                    self.wake()
                } catch {}
            }
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let now = self.sleeper.withLock { sleeper -> Bool in
                            if sleeper.pending {
                                sleeper.pending = false
                                return true
                            }
                            sleeper.waiting = continuation
                            return false
                        }
                        if now { continuation.resume() }
                    }
                } onCancel: {
                    self.wake()
                }
            }
            await group.next()
            group.cancelAll()
            await group.next()
        }
    }
}

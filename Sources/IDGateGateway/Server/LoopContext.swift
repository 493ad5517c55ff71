import IDGateStore
import NIOPosix

/// Per-event-loop state of the request path: the loop's registry reader and its in-flight count.
///
/// Lives in a thread-specific variable, so a handler reaches it without locks. It is `@unchecked Sendable` only
/// because `ThreadSpecificVariable` requires it: each instance is created, used and released by one thread.
final class LoopContext: @unchecked Sendable {
    private var reader: RegistryReader?
    private var readerVersion = -1
    /// Requests accepted on this loop and not yet answered (overload shedding).
    var inFlight = 0

    /// The loop's reader for the holder's current store, renewed after a generation swap.
    func reader(from holder: RegistryHolder) -> RegistryReader? {
        let version = holder.version
        if version != readerVersion || reader == nil {
            reader = holder.store?.makeReader()
            readerVersion = version
        }
        return reader
    }

    private static let perThread = ThreadSpecificVariable<LoopContext>()

    /// The calling thread's context, created on first use.
    static var current: LoopContext {
        if let context = perThread.currentValue { return context }
        let context = LoopContext()
        perThread.currentValue = context
        return context
    }
}

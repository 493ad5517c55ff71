import IDGateAudit
import IDGateCore
import IDGateStore
import IDGateWire
import NIOPosix

/// Per-event-loop state of the request path: the loop's registry reader, match responder (parser, ID generator)
/// and rate limiter.
///
/// Lives in a thread-specific variable, so a handler reaches it without locks. It is `@unchecked Sendable` only
/// because `ThreadSpecificVariable` requires it: each instance is created, used and released by one thread.
final class LoopContext: @unchecked Sendable {
    private var reader: RegistryReader?
    private var readerVersion = -1
    var responder: MatchResponder
    let rateLimiter: ClientRateLimiter
    let apiKeys = APIKeyCache()
    let requestCounters = RequestCounterCache()
    /// This tick's answers waiting to be signed and audited.
    let answers: AnswerBatch
    /// Where match answers (single and batch) are encoded before one copy into the response buffer: raw writes
    /// cost a fraction of `ByteBuffer`'s per-write checks (the encoder was 7% of the request path).
    private var answerScratch = ScratchByteSink(capacity: 16 * 1024)

    private init(gateway: GatewayContext) {
        responder = MatchResponder(engine: gateway.engine)
        rateLimiter = ClientRateLimiter(loopCount: gateway.loopCount)
        answers = AnswerBatch(gateway: gateway)
    }

    /// The loop's reader for the holder's current store, renewed after a generation swap; nil when not open.
    func reader(from holder: RegistryHolder) -> RegistryReader? {
        let version = holder.version
        if version != readerVersion || reader == nil {
            reader = holder.store?.makeReader()
            readerVersion = version
        }
        return reader
    }

    deinit { answerScratch.deallocate() }

    /// Lends the answer scratch, emptied, for one synchronous encoding (`body` must not call this again).
    func withAnswerScratch<R>(_ body: (inout ScratchByteSink) -> R) -> R {
        answerScratch.reset()
        return body(&answerScratch)
    }

    /// A fresh transaction ID from this loop's generator.
    func nextTransactionID() -> TransactionID { responder.transactionIDs.next() }

    private static let perThread = ThreadSpecificVariable<LoopContext>()

    /// The calling thread's context, created on first use.
    static func current(for gateway: GatewayContext) -> LoopContext {
        if let context = perThread.currentValue { return context }
        let context = LoopContext(gateway: gateway)
        perThread.currentValue = context
        return context
    }
}

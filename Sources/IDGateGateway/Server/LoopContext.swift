import IDGateCore
import IDGateHTTP2
import IDGateStore
import IDGateWire
import NIOCore

/// One event loop's state for the requests it serves: its registry reader, match responder (parser, ID generator),
/// rate limiter, API-key cache, request counters, the tick's answer batch and encoding scratch.
///
/// The HTTP/2 server makes one per event loop when the gateway starts (`Gateway` passes `LoopContext.init`) and hands
/// it to every handler, rejection body and completion observer running on that loop: no locks, no thread-local
/// lookups. `@unchecked Sendable` only because the server stores it before its loop runs; from then on one thread
/// uses it.
final class LoopContext: @unchecked Sendable {
    private var reader: RegistryReader?
    private var readerVersion = -1
    var responder: MatchResponder
    let rateLimiter: ClientRateLimiter
    let apiKeys = APIKeyCache()
    let requestCounters = RequestCounterCache()
    /// This loop's share of the request latency histogram.
    let latency: LoopLatencyHistogram
    /// This tick's answers waiting to be signed and audited.
    let answers: AnswerBatch
    /// Whether this loop is behind: requests that waited too long are refused (admission).
    let overload: LoopOverload
    /// Where match answers (single and batch) are encoded before one copy into the response buffer: raw writes
    /// cost a fraction of `ByteBuffer`'s per-write checks (the encoder was 7% of the request path).
    private var answerScratch = ScratchByteSink(capacity: 16 * 1024)

    init(services: GatewayServices) {
        responder = MatchResponder(engine: services.engine)
        rateLimiter = ClientRateLimiter(loopCount: services.loopCount)
        answers = AnswerBatch(audit: services.audit, signer: services.signer, inFlight: services.inFlight)
        latency = services.metrics.makeLatencyShard()
        overload = LoopOverload(services.configuration.overload)
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
}

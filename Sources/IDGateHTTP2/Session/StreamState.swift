import NIOCore

/// Per-stream state of one connection, pooled and reused so a request costs no allocation here: the header and
/// body buffers keep their capacity when the previous request using them has been released by its handler.
final class StreamState {
    /// Body bytes still read (and dropped) after the server rejected a request, before asking the client to stop
    /// with RST_STREAM(NO_ERROR): some clients (curl 7.x) report that reset as an error, so a modest excess
    /// is simply drained.
    static let discardLimit = 4 << 20
    /// Assigned to `response` when a stream ends: drops the reference to the (often shared) body without
    /// allocating, where `clear()` on a shared buffer would allocate a fresh one.
    static let noResponse = ByteBuffer()
    /// A pooled state gives up body buffers larger than this when its stream ends.
    static let retainedBodyCapacity = 16 << 10

    /// Free states a connection keeps: as many as it may have streams (up to 256). Why not fewer: when answers wait
    /// for the audit commit, a client's whole window of streams is open at once, and every state beyond the pool was
    /// allocated again (with its buffers) for the next burst. Bounded memory: 256 × (16 KiB body + headers).
    static func pooledLimit(_ limits: HTTP2Limits) -> Int { min(limits.maxConcurrentStreams, 256) }

    enum Phase {
        /// Headers arriving.
        case receivingHeaders
        /// Headers done, a complete-body route is accumulating the body.
        case receivingBody
        /// A streaming-body handler owns the body.
        case streamingBody
        /// The handler has the request.
        case dispatched
        /// Answered by the server itself (404, 413, ...): remaining body is discarded.
        case rejected
    }

    var id: Int32 = 0
    /// Between HEADERS and stream close. A `ResponseWriter` holds its stream's state directly (no nghttp2 stream map
    /// lookup per response) and checks this and `id`: a closed stream's pooled state may serve another stream.
    var isOpen = false
    var phase = Phase.receivingHeaders
    var method = HTTPMethod.other
    var storage = ByteBuffer()
    var ranges: [HTTPRequestHeaders.FieldRange] = []
    var pathStart: UInt32 = 0
    var pathLength: UInt32 = 0
    var queryStart: UInt32 = 0
    var headerListSize = 0
    var headerListTooLarge = false
    var body = ByteBuffer()
    var routeIndex = -1
    var streamingHandler: (any StreamingBodyHandler)?
    /// Request body bytes handed to a streaming handler but not yet acknowledged (window not re-opened).
    var unconsumedBytes = 0
    var requestComplete = false
    /// Body bytes of a rejected request read and thrown away; past `discardLimit` the client is told to stop.
    var discardedBytes = 0
    /// The response's END_STREAM went out.
    var responseSent = false
    var startNanos: UInt64 = 0

    var responded = false
    var responseStatus = 0
    /// Response body bytes waiting for flow control; read by the nghttp2 data source.
    var response = ByteBuffer()
    /// The memory of bodies given as bytes (`ResponseWriter.respond(status:headers:bodyBytes:)`), kept with the
    /// pooled state: such a response costs a copy but no allocation. `response` shares it while the body is sent.
    var pooledBody = ByteBuffer()
    var responseFinished = false
    /// The response's shared header value, read in place by nghttp2: kept alive until the stream closes.
    var sharedHeaderValue: SharedHeaderValue?
    /// nghttp2 deferred the data source (nothing buffered); `nghttp2_session_resume_data` is needed.
    var dataDeferred = false
    var writePromises: [EventLoopPromise<Void>] = []
    /// Index in the connection's active list, for O(1) removal.
    var activeIndex = 0

    func reset(id: Int32) {
        self.id = id
        isOpen = true
        phase = .receivingHeaders
        method = .other
        storage.clear()
        ranges.removeAll(keepingCapacity: true)
        pathStart = 0
        pathLength = 0
        queryStart = 0
        headerListSize = 0
        headerListTooLarge = false
        body.clear()
        routeIndex = -1
        streamingHandler = nil
        unconsumedBytes = 0
        requestComplete = false
        discardedBytes = 0
        responseSent = false
        responded = false
        responseStatus = 0
        responseFinished = false
        sharedHeaderValue = nil
        dataDeferred = false
    }

    /// Calls `body` with the first value of the header `name` (lowercase) read in place, or nil if absent: the
    /// server's own checks (content type, declared length) need no `HTTPRequestHeaders` value and its retains.
    @inline(__always)
    func withHeaderValue<R>(_ name: StaticString, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        storage.withUnsafeReadableBytes { bytes in
            ranges.withUnsafeBufferPointer { ranges in
                let wanted = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
                let readerIndex = storage.readerIndex
                guard let range = HTTPRequestHeaders.firstRange(
                    named: wanted, in: ranges, bytes: bytes, readerIndex: readerIndex)
                else { return body(nil) }
                let valueStart = Int(range.valueStart) - readerIndex
                return body(UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueStart + Int(range.valueLength)]))
            }
        }
    }

    /// A handler was invoked and has not answered yet: the connection is not idle even if the client is silent.
    var awaitsApplication: Bool { (phase == .dispatched || phase == .streamingBody) && !responded }
}

import NIOCore

/// One stream of a connection: where it is in its life (`phase`, a state machine whose cases carry their data) and
/// the memory it reuses (header bytes, request body, response body, write waiters).
///
/// Why the split: a pooled state serves stream after stream, so its buffers keep their capacity (a request costs no
/// allocation here once the handler released the previous request's buffers), while everything that describes the
/// current stream lives in `phase` and is replaced whole at each transition: nothing to forget to reset, and no
/// combination of flags a stream can never be in.
final class StreamState {
    /// Body bytes still read (and dropped) after the server rejected a request, before asking the client to stop
    /// with RST_STREAM(NO_ERROR): some clients (curl 7.x) report that reset as an error, so a modest excess
    /// is simply drained.
    static let discardLimit = 4 << 20
    /// A pooled state gives up body buffers larger than this when its stream ends.
    static let retainedBodyCapacity = 16 << 10
    /// Replaces a buffer a pooled state gives up: dropping the reference this way allocates nothing.
    private static let releasedBuffer = ByteBuffer()

    /// Free states a connection keeps: as many as it may have streams (up to 256). Why not fewer: when answers wait
    /// for the audit commit, a client's whole window of streams is open at once, and every state beyond the pool was
    /// allocated again (with its buffers) for the next burst. Bounded memory: 256 × (16 KiB bodies + headers).
    static func pooledLimit(_ limits: HTTP2Limits) -> Int { min(limits.maxConcurrentStreams, 256) }

    /// The stream this state serves; meaningful while `phase` is not `.closed`. A `ResponseWriter` holds its stream's
    /// state directly (no nghttp2 stream map lookup per response) and checks this and `isOpen`: a closed stream's
    /// pooled state may serve another stream.
    private(set) var id: Int32 = 0
    /// Index in the connection's active list, for O(1) removal.
    var activeIndex = 0
    var phase = Phase.closed

    // MARK: Pooled memory (keeps its capacity from stream to stream)

    /// Header field names and values and the `:path` value, back to back; shared with the handler's request.
    private(set) var headerBytes = ByteBuffer()
    private(set) var headerRanges: [HTTPRequestHeaders.FieldRange] = []
    /// A complete-body route's body; shared with the handler's request.
    var requestBody = ByteBuffer()
    /// A response body the connection owns: staged bytes (`ResponseBody.staged`) or a streaming response's
    /// unsent chunks (`ResponseBody.streaming`). Never shared, so writing into it never copies its storage.
    var responseBody = ByteBuffer()
    /// `ResponseBodyStream.write` futures waiting for the unsent bytes to fall below the high watermark.
    var writePromises: [EventLoopPromise<Void>] = []

    var isOpen: Bool {
        if case .closed = phase { return false }
        return true
    }

    /// Starts serving stream `id` (HEADERS arrived).
    func open(id: Int32) {
        self.id = id
        headerBytes.clear()
        headerRanges.removeAll(keepingCapacity: true)
        requestBody.clear()
        responseBody.clear()
        phase = .receivingHeaders
    }

    /// Ends the stream: returns the phase it ended in and gives up buffers grown past `retainedBodyCapacity`.
    func close() -> Phase {
        let last = takePhase()
        if requestBody.capacity > Self.retainedBodyCapacity { requestBody = Self.releasedBuffer }
        if responseBody.capacity > Self.retainedBodyCapacity { responseBody = Self.releasedBuffer }
        return last
    }

    /// Moves the phase out, leaving `.closed`: its references change owner instead of being retained and released.
    @inline(__always)
    private func takePhase() -> Phase {
        var taken = Phase.closed
        swap(&taken, &phase)
        return taken
    }

    /// Updates the answer of a responding stream in place (the phase is moved out and back: no reference counting
    /// of its buffers per frame); nil if the stream is not responding. `body` must not touch `phase`.
    @inline(__always)
    func updateResponse<R>(_ body: (_ request: RequestHead, _ response: inout Response) -> R) -> R? {
        guard case .responding = phase, case .responding(let request, var response) = takePhase() else { return nil }
        defer { phase = .responding(request, response) }
        return body(request, &response)
    }

    // MARK: Header block

    /// Stores a regular header field (name and value copied back to back).
    func appendHeaderField(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let nameStart = UInt32(headerBytes.writerIndex)
        headerBytes.writeBytes(name)
        let valueStart = UInt32(headerBytes.writerIndex)
        headerBytes.writeBytes(value)
        headerRanges.append(.init(
            nameStart: nameStart, nameLength: UInt32(name.count), valueStart: valueStart, valueLength: UInt32(value.count)))
    }

    /// Stores the `:path` value and returns where its path and query lie.
    func storeTarget(_ value: UnsafeRawBufferPointer) -> RequestTarget {
        let start = UInt32(headerBytes.writerIndex)
        headerBytes.writeBytes(value)
        return RequestTarget(
            start: start, length: UInt32(value.count),
            queryStart: start + UInt32(value.firstIndex(of: UInt8(ascii: "?")) ?? value.count))
    }

    /// The request's header fields as a handler sees them (sharing this state's memory).
    var requestHeaders: HTTPRequestHeaders { HTTPRequestHeaders(storage: headerBytes, ranges: headerRanges) }

    /// Calls `body` with the bytes of the request path (no query), read in place.
    func withPath<R>(_ target: RequestTarget, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        headerBytes.withUnsafeReadableBytes { bytes in
            body(UnsafeRawBufferPointer(rebasing: bytes[Int(target.start)..<Int(target.queryStart)]))
        }
    }

    /// Calls `body` with the first value of the header `name` (lowercase) read in place, or nil if absent: the
    /// server's own checks (content type, declared length) need no `HTTPRequestHeaders` value and its retains.
    @inline(__always)
    func withHeaderValue<R>(_ name: StaticString, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
        headerBytes.withUnsafeReadableBytes { bytes in
            headerRanges.withUnsafeBufferPointer { ranges in
                let wanted = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
                let readerIndex = headerBytes.readerIndex
                guard let range = HTTPRequestHeaders.firstRange(
                    named: wanted, in: ranges, bytes: bytes, readerIndex: readerIndex)
                else { return body(nil) }
                let valueStart = Int(range.valueStart) - readerIndex
                return body(UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueStart + Int(range.valueLength)]))
            }
        }
    }

    /// The request a handler has and has not answered yet, and what its body does meanwhile.
    var unanswered: (request: RequestHead, input: RequestInput)? {
        switch phase {
        case .handlerHasRequest(let request): (request, .complete)
        case .streamingBody(let request, let upload): (request, .streaming(upload))
        case .closed, .receivingHeaders, .receivingBody, .responding: nil
        }
    }

    /// When the header block of a request that reached its handler completed (uptime nanoseconds): the stream's age
    /// bounds what cancelling it can cost. Nil while no handler has it (headers or a complete-body route's body still
    /// arriving, or answered by the server itself).
    var handledRequestStart: UInt64? {
        switch phase {
        case .handlerHasRequest(let request), .streamingBody(let request, _): request.startNanos
        case .responding(let request, let response): response.byHandler ? request.startNanos : nil
        case .closed, .receivingHeaders, .receivingBody: nil
        }
    }

    /// A handler was invoked and has not answered yet: the connection is not idle even if the client is silent.
    var awaitsApplication: Bool {
        switch phase {
        case .handlerHasRequest, .streamingBody: true
        case .closed, .receivingHeaders, .receivingBody, .responding: false
        }
    }
}

extension StreamState {
    /// Where a stream is in its life. Each case carries what that phase needs and nothing else.
    ///
    /// ```
    /// closed ─HEADERS→ receivingHeaders ─┬→ receivingBody ─END_STREAM→ handlerHasRequest ─respond→ responding
    ///                                    ├→ streamingBody ───────────────────────────────────respond→ responding
    ///                                    └→ responding (answered by the server: 404, 405, 413, 415, 431)
    /// any phase ─stream closed→ closed
    /// ```
    enum Phase {
        /// No stream: the state is in the pool (or its stream just ended).
        case closed
        /// HEADERS (and CONTINUATION) being decoded into the pooled header memory; what the pseudo-headers said
        /// is in the connection's `headerBlock` (header blocks never interleave: one at a time per connection).
        case receivingHeaders
        /// A complete-body route: the body accumulates in `requestBody` until END_STREAM.
        case receivingBody(RequestHead)
        /// A complete-body handler has the whole request and has not answered yet.
        /// (A streaming-body handler is in this phase only while it is being started.)
        case handlerHasRequest(RequestHead)
        /// A streaming-body handler owns the body (and the request) and has not answered yet.
        case streamingBody(RequestHead, Upload)
        /// An answer was submitted (by the handler or by the server itself) and is being sent.
        case responding(RequestHead, Response)
    }

    /// `:path` as offsets in the header memory.
    struct RequestTarget {
        var start: UInt32 = 0
        var length: UInt32 = 0
        var queryStart: UInt32 = 0
    }

    /// What the pseudo-headers said while the header block is decoded, and its size so far.
    struct HeaderBlock {
        var method = HTTPMethod.other
        var target = RequestTarget()
        /// RFC 9113 header list size (name + value + 32 per field). Past the limit nothing more is stored (the
        /// HPACK state must still be decoded) and the request gets 431.
        var listSize = 0
    }

    /// A request whose header block is complete.
    struct RequestHead {
        let method: HTTPMethod
        let target: RequestTarget
        /// The matched route (or the route with this path, for 405), -1 when none.
        let routeIndex: Int
        /// When the header block completed: the start of the request's duration as reported to the observer.
        let startNanos: UInt64
    }

    /// A streaming-body handler and the body it receives.
    struct Upload {
        let handler: any StreamingBodyHandler
        /// Body bytes handed to the handler but not yet acknowledged (window not re-opened).
        var unconsumedBytes = 0
        /// END_STREAM arrived: the handler has the whole body.
        var isComplete = false
    }

    /// An answer being sent, and what still arrives from the client meanwhile.
    struct Response {
        let status: Int
        /// False when the server answered itself (404, 413, ...).
        let byHandler: Bool
        var body: ResponseBody
        /// The response's shared header value, read in place by nghttp2: kept alive until the stream closes.
        var sharedHeaderValue: SharedHeaderValue?
        var input: RequestInput
    }

    /// The response body's source, read by the nghttp2 data source as flow control allows.
    enum ResponseBody {
        /// No body (or a HEAD response): the HEADERS frame carries END_STREAM.
        case empty
        /// END_STREAM is out: the whole answer was sent.
        case sent
        /// A complete body in `StreamState.responseBody` (copied there by `respond(bodyBytes:)`/`stageBody`).
        case staged
        /// A complete body the handler gave as a buffer, sent from its memory (shared, not copied).
        case buffer(ByteBuffer)
        /// A streaming response: chunks accumulate in `StreamState.responseBody` as the handler writes them.
        case streaming(StreamingEnd)
    }

    enum StreamingEnd {
        /// More chunks may come; the data source sends what is there.
        case open
        /// More chunks may come and nothing is buffered: the data source told nghttp2 to wait, and the next
        /// write must resume it (`nghttp2_session_resume_data`).
        case deferred
        /// `finish()` (or `abort()`) was called: what is buffered is the rest of the body.
        case finished
    }

    /// The request side of a stream that is being answered.
    enum RequestInput {
        /// END_STREAM arrived.
        case complete
        /// A streaming-body handler still owns the body (complete or not): it is told if the stream is cancelled.
        case streaming(Upload)
        /// Answered by the server before the body was complete: the rest is read and dropped (bytes so far).
        case draining(discardedBytes: Int)
        /// Drained past `discardLimit`: RST_STREAM(NO_ERROR) asked the client to stop.
        case drainStopped
    }
}

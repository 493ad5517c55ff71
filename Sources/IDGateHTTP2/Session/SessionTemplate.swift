import CIDGateSupport
import CNGHTTP2

/// The nghttp2 callbacks and options shared by all connections of a server: built once, read by
/// `nghttp2_session_server_new` (which copies them) for every new connection.
final class SessionTemplate: @unchecked Sendable {
    // @unchecked: both pointers are written only in init and freed in deinit; nghttp2 only reads them.
    let callbacks: OpaquePointer
    let options: OpaquePointer
    let settings: [nghttp2_settings_entry]
    /// nghttp2's allocator: per-thread free lists of small blocks (CIDGateSupport/block_pool.c), because a loop
    /// submits and frees hundreds of responses' items in one tick, beyond what malloc's thread cache absorbs.
    let memory: UnsafeMutablePointer<nghttp2_mem>

    init(limits: HTTP2Limits) {
        var callbacks: OpaquePointer?
        precondition(nghttp2_session_callbacks_new(&callbacks) == 0, "nghttp2 out of memory")
        self.callbacks = callbacks!
        HTTP2Connection.installCallbacks(into: self.callbacks)

        var options: OpaquePointer?
        precondition(nghttp2_option_new(&options) == 0, "nghttp2 out of memory")
        self.options = options!
        // Request bodies re-open the window only as handlers consume them (bounded memory for slow handlers).
        nghttp2_option_set_no_auto_window_update(self.options, 1)
        // SETTINGS and PING floods: at most this many queued ACKs, more means the client does not read.
        nghttp2_option_set_max_outbound_ack(self.options, 1_000)
        nghttp2_option_set_max_settings(self.options, 32)
        // CONTINUATION flood: a header block may not be split into more frames than this.
        nghttp2_option_set_max_continuations(self.options, 8)
        // Our own rapid-reset limit (ENHANCE_YOUR_CALM) acts first; nghttp2's stays as a looser backstop. nghttp2
        // counts every reset, so it also allows what ours does not count: cancellations of handled streams older than
        // `rapidResetWindowNanos`, at most `maxConcurrentStreams` per window (its bucket refills once a second).
        let cancellationsPerSecond = UInt64(limits.maxConcurrentStreams) * 1_000_000_000
            / HTTP2Connection.rapidResetWindowNanos
        nghttp2_option_set_stream_reset_rate_limit(
            self.options,
            UInt64(limits.resetBurst) * 2 + cancellationsPerSecond + UInt64(limits.maxConcurrentStreams),
            UInt64(limits.resetsPerSecond) * 2 + cancellationsPerSecond)
        // Closed streams kept for RFC 7540 priorities only cost memory: we use RFC 9218 (no priorities).
        nghttp2_option_set_no_closed_streams(self.options, 1)

        memory = .allocate(capacity: 1)
        memory.initialize(to: nghttp2_mem(
            mem_user_data: nil, malloc: idgate_pool_malloc, free: idgate_pool_free, calloc: idgate_pool_calloc,
            realloc: idgate_pool_realloc))

        func entry(_ id: nghttp2_settings_id, _ value: Int) -> nghttp2_settings_entry {
            nghttp2_settings_entry(settings_id: Int32(id.rawValue), value: UInt32(clamping: value))
        }
        settings = [
            entry(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits.maxConcurrentStreams),
            entry(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, limits.initialWindowSize),
            entry(NGHTTP2_SETTINGS_MAX_FRAME_SIZE, limits.maxFrameSize),
            entry(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, limits.maxHeaderListSize),
            entry(NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1),
        ]
    }

    deinit {
        nghttp2_session_callbacks_del(callbacks)
        nghttp2_option_del(options)
        memory.deallocate()
    }
}

import NIOCore

/// Per-stream state kept in a fixed array indexed by the stream's user data, so a request allocates nothing:
/// slots and their response buffers are reused for the life of the connection.
struct H2ClientStreamSlot {
    var streamID: Int32 = 0
    var inUse = false
    var tag: UInt64 = 0
    var startNanos: UInt64 = 0
    var status = 0
    var timedOut = false
    var timedOutAtNanos: UInt64 = 0
    var requestBody: ByteBuffer?
    var responseBody = ByteBuffer()
    /// The buffer still holds the previous response; it is cleared at the first data chunk (by then unshared).
    var responseBodyIsStale = true
    var headers: [(name: String, value: String)] = []
}

/// A header value many responses carry (the gateway's batch signature: a few kilobytes shared by every answer of a
/// connection in one loop tick), handed to nghttp2 without copying.
///
/// Why: a `String` value is copied twice per response (into the header scratch, then by `nghttp2_submit_response`,
/// a large `malloc` outside the allocator's fast path). This storage is immutable and stays alive with each stream
/// that references it until the stream closes, so nghttp2 reads it in place (`NGHTTP2_NV_FLAG_NO_COPY_VALUE`); its
/// HPACK encoder still indexes it, so on the wire it is sent once and then as a table index.
public final class SharedHeaderValue: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer

    public init(_ value: String) {
        var value = value
        let count = value.utf8.count
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 1)
        value.withUTF8 { utf8 in
            if let base = utf8.baseAddress { bytes.baseAddress!.copyMemory(from: base, byteCount: count) }
        }
        self.bytes = bytes
        self.count = count
    }

    /// The value's length in bytes.
    public let count: Int

    deinit { bytes.deallocate() }
}

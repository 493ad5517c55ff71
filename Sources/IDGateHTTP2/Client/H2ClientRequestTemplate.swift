import CNGHTTP2
import NIOCore

/// A request encoded once and submitted many times: the header block is kept as a ready `nghttp2_nv` array and the
/// body as a `ByteBuffer`, so submitting a request allocates nothing on our side (nghttp2 copies the headers).
///
/// `@unchecked Sendable`: immutable after `init`; the raw header memory is written only in `init` and freed in `deinit`.
public final class H2ClientRequestTemplate: @unchecked Sendable {
    public let method: String
    public let path: String
    /// The body sent with every submission that does not supply its own.
    public let body: ByteBuffer?

    let headerCount: Int
    let headers: UnsafeMutablePointer<nghttp2_nv>
    private let headerBytes: UnsafeMutableRawBufferPointer

    /// - Parameters:
    ///   - headers: extra regular headers (lower-case names), e.g. `authorization`, `content-type`.
    ///   - body: the request body; `content-length` is added when present.
    public init(
        method: String, scheme: String, authority: String, path: String,
        headers extra: [(name: String, value: String)] = [], body: ByteBuffer? = nil
    ) {
        self.method = method
        self.path = path
        self.body = body
        var fields: [(String, String)] = [(":method", method), (":scheme", scheme), (":authority", authority), (":path", path)]
        fields += extra.map { ($0.name.lowercased(), $0.value) }
        if let body { fields.append(("content-length", String(body.readableBytes))) }

        let total = fields.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count }
        headerBytes = .allocate(byteCount: Swift.max(total, 1), alignment: 1)
        headers = .allocate(capacity: fields.count)
        headerCount = fields.count
        var offset = 0
        for (index, (name, value)) in fields.enumerated() {
            let namePointer = headerBytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self)
            UnsafeMutableRawBufferPointer(rebasing: headerBytes[offset...]).copyBytes(from: name.utf8)
            offset += name.utf8.count
            let valuePointer = headerBytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self)
            UnsafeMutableRawBufferPointer(rebasing: headerBytes[offset...]).copyBytes(from: value.utf8)
            offset += value.utf8.count
            (headers + index).initialize(to: nghttp2_nv(
                name: namePointer, value: valuePointer,
                namelen: name.utf8.count, valuelen: value.utf8.count, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)))
        }
    }

    deinit {
        headers.deinitialize(count: headerCount)
        headers.deallocate()
        headerBytes.deallocate()
    }
}

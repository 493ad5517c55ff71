#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal HTTP/2 client for measuring the server: one blocking loopback socket, requests pre-encoded once (only
/// their stream IDs are patched per batch), responses parsed just far enough to count finished streams. It
/// allocates nothing while measuring, so the malloc counts of a benchmark are the server's.
///
/// The header block uses only the HPACK static table and literals without indexing: every request encodes to the
/// same bytes whatever was sent before.
final class LoopbackClient: @unchecked Sendable {
    // @unchecked: used by one benchmark thread at a time (setup, measurement, teardown run in sequence).
    enum Failure: Error, CustomStringConvertible {
        case system(String, Int32)
        case protocolError(String)
        var description: String {
            switch self {
            case .system(let call, let code): "\(call) failed: errno \(code)"
            case .protocolError(let message): message
            }
        }
    }

    /// Requests sent per write; the server allows 256 concurrent streams.
    let batchSize: Int
    private var socket: Int32 = -1
    private var requests: [UInt8] = []
    /// Offsets of the stream ID fields in `requests` (each request has a HEADERS and maybe a DATA frame).
    private var streamIDOffsets: [(headers: Int, data: Int?)] = []
    private var nextStreamID: UInt32 = 1
    private let input: UnsafeMutableRawBufferPointer
    private var inputCount = 0
    private var receivedDataBytes = 0
    private var pendingSettingsAcks = 0

    init(batchSize: Int = 100) {
        self.batchSize = batchSize
        input = .allocate(byteCount: 1 << 20, alignment: 8)
    }

    deinit {
        if socket >= 0 { Glibc.close(socket) }
        input.deallocate()
    }

    /// Encodes `batchSize` requests `method path` with `body` (no DATA frame when empty).
    func prepare(method: String, path: String, contentType: String?, body: [UInt8]) {
        var block: [UInt8] = []
        switch method {
        case "GET": block.append(0x82)  // static index 2
        case "POST": block.append(0x83)  // static index 3
        default: preconditionFailure("method \(method)")
        }
        block.append(0x86)  // :scheme http (static index 6)
        func literal(nameIndex: UInt8, _ value: String) {
            // Literal without indexing, indexed name (4-bit prefix), raw (non-Huffman) value of < 127 bytes.
            if nameIndex < 15 {
                block.append(nameIndex)
            } else {
                block.append(0x0f)
                block.append(nameIndex - 15)
            }
            block.append(UInt8(value.utf8.count))
            block.append(contentsOf: value.utf8)
        }
        literal(nameIndex: 4, path)  // :path
        literal(nameIndex: 1, "localhost")  // :authority
        if let contentType { literal(nameIndex: 31, contentType) }  // content-type

        requests.removeAll()
        streamIDOffsets.removeAll()
        for _ in 0..<batchSize {
            let headers = requests.count + 5
            appendFrameHeader(length: block.count, type: 0x1, flags: body.isEmpty ? 0x5 : 0x4, to: &requests)
            requests += block
            var data: Int?
            if !body.isEmpty {
                data = requests.count + 5
                appendFrameHeader(length: body.count, type: 0x0, flags: 0x1, to: &requests)
                requests += body
            }
            streamIDOffsets.append((headers, data))
        }
    }

    /// Connects, exchanges the connection preface and SETTINGS, and opens the connection window wide.
    func connect(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure.system("socket", errno) }
        var noDelay: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure.system("connect", errno) }

        var preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        // SETTINGS: INITIAL_WINDOW_SIZE = 2^31 - 1 (responses never wait for a stream window).
        appendFrameHeader(length: 6, type: 0x4, flags: 0, to: &preface)
        preface += [0x00, 0x04, 0x7f, 0xff, 0xff, 0xff]
        appendWindowUpdate(increment: (1 << 31) - 1 - 65_535, to: &preface)
        try send(preface)
        // The server's SETTINGS (and its ACK of ours) arrive with the first responses; answered as they come.
    }

    /// Sends one batch of requests and waits until every stream of it has ended.
    func roundTrip() throws {
        for (headers, data) in streamIDOffsets {
            writeStreamID(nextStreamID, at: headers)
            if let data { writeStreamID(nextStreamID, at: data) }
            nextStreamID += 2
        }
        try send(requests)
        var finished = 0
        while finished < batchSize {
            finished += try receive()
        }
        if pendingSettingsAcks > 0 {
            var acks: [UInt8] = []  // once per connection: outside the steady state
            for _ in 0..<pendingSettingsAcks { appendFrameHeader(length: 0, type: 0x4, flags: 0x1, to: &acks) }
            pendingSettingsAcks = 0
            try send(acks)
        }
        if receivedDataBytes > 1 << 30 {
            var update: [UInt8] = []
            appendWindowUpdate(increment: receivedDataBytes, to: &update)
            receivedDataBytes = 0
            try send(update)
        }
    }

    func close() {
        if socket >= 0 { Glibc.close(socket) }
        socket = -1
    }

    /// Reads once and returns how many streams ended in the complete frames read.
    private func receive() throws -> Int {
        let count = read(socket, input.baseAddress! + inputCount, input.count - inputCount)
        guard count > 0 else { throw count == 0 ? Failure.protocolError("server closed") : Failure.system("read", errno) }
        inputCount += count
        var offset = 0
        var finished = 0
        while inputCount - offset >= 9 {
            let length = Int(input[offset]) << 16 | Int(input[offset + 1]) << 8 | Int(input[offset + 2])
            guard inputCount - offset >= 9 + length else { break }
            let type = input[offset + 3]
            let flags = input[offset + 4]
            let streamID = (UInt32(input[offset + 5]) << 24 | UInt32(input[offset + 6]) << 16
                | UInt32(input[offset + 7]) << 8 | UInt32(input[offset + 8])) & 0x7fff_ffff
            switch type {
            case 0x0:  // DATA
                receivedDataBytes += length
                if flags & 0x1 != 0 { finished += 1 }
            case 0x1:  // HEADERS
                if flags & 0x1 != 0 { finished += 1 }
            case 0x3:  // RST_STREAM
                throw Failure.protocolError("stream \(streamID) reset")
            case 0x4:  // SETTINGS
                if flags & 0x1 == 0 { pendingSettingsAcks += 1 }
            case 0x7:  // GOAWAY
                throw Failure.protocolError("GOAWAY")
            default:
                break
            }
            offset += 9 + length
        }
        if offset > 0 {
            inputCount -= offset
            if inputCount > 0 { memmove(input.baseAddress!, input.baseAddress! + offset, inputCount) }
        }
        return finished
    }

    private func send(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var sent = 0
            while sent < buffer.count {
                let count = write(socket, buffer.baseAddress! + sent, buffer.count - sent)
                guard count > 0 else { throw Failure.system("write", errno) }
                sent += count
            }
        }
    }

    private func writeStreamID(_ id: UInt32, at offset: Int) {
        requests[offset] = UInt8(truncatingIfNeeded: id >> 24)
        requests[offset + 1] = UInt8(truncatingIfNeeded: id >> 16)
        requests[offset + 2] = UInt8(truncatingIfNeeded: id >> 8)
        requests[offset + 3] = UInt8(truncatingIfNeeded: id)
    }

    private func appendFrameHeader(length: Int, type: UInt8, flags: UInt8, streamID: UInt32 = 0, to bytes: inout [UInt8]) {
        bytes += [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type, flags]
        bytes += [UInt8(streamID >> 24), UInt8(streamID >> 16 & 0xff), UInt8(streamID >> 8 & 0xff), UInt8(streamID & 0xff)]
    }

    private func appendWindowUpdate(increment: Int, to bytes: inout [UInt8]) {
        appendFrameHeader(length: 4, type: 0x8, flags: 0, to: &bytes)
        bytes += [UInt8(increment >> 24 & 0x7f), UInt8(increment >> 16 & 0xff), UInt8(increment >> 8 & 0xff),
                  UInt8(increment & 0xff)]
    }
}

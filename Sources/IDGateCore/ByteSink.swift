/// Where the wire encoders write: a `[UInt8]` (tests, batch assembly) or NIO's `ByteBuffer` (HTTP bodies). Generic
/// encoders specialize per sink, so writing is a plain append.
public protocol ByteSink {
    mutating func write(byte: UInt8)
    mutating func write(bytes: UnsafeRawBufferPointer)
    /// Lets `body` write at most `maximumCount` bytes into raw memory and appends the count it returns: in place
    /// where the sink can (scratch memory, `ByteBuffer`), else through a stack buffer and one `write(bytes:)`.
    mutating func write(maximumCount: Int, _ body: (UnsafeMutableRawPointer) -> Int)
}

extension ByteSink {
    @inlinable
    public mutating func write(maximumCount: Int, _ body: (UnsafeMutableRawPointer) -> Int) {
        // 1 KiB at most on the stack (larger temporary allocations make the runtime look up the stack bounds).
        if maximumCount <= 1024 {
            withUnsafeTemporaryAllocation(byteCount: 1024, alignment: 16) { memory in
                let count = body(memory.baseAddress!)
                write(bytes: UnsafeRawBufferPointer(start: memory.baseAddress!, count: count))
            }
        } else {
            let memory = UnsafeMutableRawPointer.allocate(byteCount: maximumCount, alignment: 16)
            defer { memory.deallocate() }
            let count = body(memory)
            write(bytes: UnsafeRawBufferPointer(start: memory, count: count))
        }
    }

    @inlinable
    public mutating func write(_ string: StaticString) {
        write(bytes: UnsafeRawBufferPointer(start: string.utf8Start, count: string.utf8CodeUnitCount))
    }

    /// Writes a non-negative decimal integer.
    @inlinable
    public mutating func write(decimal value: Int) {
        precondition(value >= 0)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
        withUnsafeMutableBytes(of: &digits) { buffer in
            var remaining = value
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(truncatingIfNeeded: 0x30 + remaining % 10)
                remaining /= 10
            } while remaining > 0
            write(bytes: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Writes `bytes` (valid UTF-8) as a JSON string literal with quotes, escaping `"`, `\` and control characters.
    @inlinable
    public mutating func write(jsonString bytes: UnsafeRawBufferPointer) {
        write(byte: UInt8(ascii: "\""))
        var runStart = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            write(bytes: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
            switch byte {
            case UInt8(ascii: "\""): write("\\\"")
            case UInt8(ascii: "\\"): write("\\\\")
            case 0x0A: write("\\n")
            case 0x0D: write("\\r")
            case 0x09: write("\\t")
            default:
                write("\\u00")
                let hex: StaticString = "0123456789abcdef"
                write(byte: hex.utf8Start[Int(byte >> 4)])
                write(byte: hex.utf8Start[Int(byte & 0xF)])
            }
            runStart = index + 1
        }
        write(bytes: UnsafeRawBufferPointer(rebasing: bytes[runStart...]))
        write(byte: UInt8(ascii: "\""))
    }

    public mutating func write(jsonString string: String) {
        var string = string
        string.withUTF8 { write(jsonString: UnsafeRawBufferPointer($0)) }
    }
}

extension Array: ByteSink where Element == UInt8 {
    @inlinable public mutating func write(byte: UInt8) { append(byte) }
    /// Through a typed buffer pointer: appending the raw buffer itself takes the element-by-element sequence path.
    @inlinable public mutating func write(bytes: UnsafeRawBufferPointer) {
        appendBytes(bytes)
    }
}

/// Raw memory an event loop owns for encoding answers: writes are a bounds check and a copy, without an array's
/// uniqueness checks or its generic append paths. Not copyable in spirit: exactly one owner (`LoopContext`, which
/// lends it through `withAnswerScratch`) allocates, resets and frees it, and nothing keeps `bytes` past the next
/// write.
public struct ScratchByteSink: ByteSink {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    public private(set) var count = 0

    public init(capacity: Int) {
        base = .allocate(byteCount: capacity, alignment: 16)
        self.capacity = capacity
    }

    public func deallocate() { base.deallocate() }

    public mutating func reset() { count = 0 }

    /// The bytes written since the last `reset`.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    @inline(__always)
    public mutating func write(byte: UInt8) {
        if count == capacity { grow(toFit: 1) }
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always)
    public mutating func write(bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity { grow(toFit: bytes.count) }
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    public mutating func write(maximumCount: Int, _ body: (UnsafeMutableRawPointer) -> Int) {
        if count + maximumCount > capacity { grow(toFit: maximumCount) }
        count += body(base + count)
    }

    private mutating func grow(toFit extra: Int) {
        let newCapacity = max(capacity * 2, count + extra)
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}

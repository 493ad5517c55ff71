import IDGateCore
import NIOCore

/// HTTP bodies are `ByteBuffer`s: the wire encoders write into them directly.
extension ByteBuffer: ByteSink {
    @inlinable public mutating func write(byte: UInt8) { writeInteger(byte) }
    @inlinable public mutating func write(bytes: UnsafeRawBufferPointer) { writeBytes(bytes) }
    @inlinable public mutating func write(maximumCount: Int, _ body: (UnsafeMutableRawPointer) -> Int) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: maximumCount) { body($0.baseAddress!) }
    }
}

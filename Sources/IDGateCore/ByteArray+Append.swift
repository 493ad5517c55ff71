extension Array where Element == UInt8 {
    /// Appends raw bytes with one copy. `append(contentsOf:)` given an `UnsafeRawBufferPointer` takes the generic
    /// element-by-element sequence path (seen in profiles of the request path and the audit writer).
    @inlinable
    public mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: bytes.count))
    }
}

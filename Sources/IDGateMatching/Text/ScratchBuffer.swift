/// Lends uninitialized scratch memory for trivial types: on the stack when it fits the standard library's
/// always-safe size (1 KiB), else on the heap. Larger `withUnsafeTemporaryAllocation` requests make the runtime
/// query the thread's stack bounds, which on Linux's main thread reads /proc/self/maps: far too slow per request.
@inline(__always)
func withScratchBuffer<T, R>(of type: T.Type, capacity: Int, _ body: (UnsafeMutableBufferPointer<T>) throws -> R)
    rethrows -> R
{
    if capacity * MemoryLayout<T>.stride <= 1024 {
        return try withUnsafeTemporaryAllocation(of: type, capacity: capacity, body)
    }
    let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: capacity)
    defer { buffer.deallocate() }
    return try body(buffer)
}

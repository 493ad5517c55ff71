import CIDGateSupport

/// Hands memory the process has freed back to the system.
public enum MemoryTrim {
    /// glibc's `malloc_trim(0)`: walks every arena under its lock, so call it off latency-critical threads and
    /// rarely (after a burst, not per request). True when memory was released.
    @discardableResult
    public static func releaseFreeMemory() -> Bool { idgate_malloc_trim() != 0 }
}

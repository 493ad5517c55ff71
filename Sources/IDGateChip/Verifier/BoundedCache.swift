import Foundation

/// A fixed-capacity map with FIFO eviction, safe to share between event-loop threads.
///
/// FIFO rather than LRU: a hit then costs one hash lookup under the lock and no bookkeeping writes.
final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: `entries` and `insertionOrder` are only touched with `lock` held.
    private let lock = NSLock()
    private var entries: [Key: Value]
    private var insertionOrder: [Key?]
    private var nextSlot = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        entries = Dictionary(minimumCapacity: min(self.capacity, 1 << 16))
        insertionOrder = Array(repeating: nil, count: self.capacity)
    }

    func value(for key: Key) -> Value? {
        lock.lock()
        defer { lock.unlock() }
        return entries[key]
    }

    func insert(_ value: Value, for key: Key) {
        lock.lock()
        defer { lock.unlock() }
        guard entries.updateValue(value, forKey: key) == nil else { return }
        if let evicted = insertionOrder[nextSlot] { entries.removeValue(forKey: evicted) }
        insertionOrder[nextSlot] = key
        nextSlot = (nextSlot + 1) % capacity
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }
}

/// A SHA-256 value as a cheap dictionary key.
struct Digest256: Hashable, Sendable {
    let a: UInt64, b: UInt64, c: UInt64, d: UInt64

    init(_ bytes: UnsafeRawBufferPointer) {
        let hash = DigestAlgorithm.sha256.hash(bytes)
        (a, b, c, d) = hash.withUnsafeBytes {
            ($0.loadUnaligned(fromByteOffset: 0, as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
             $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self), $0.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }
}

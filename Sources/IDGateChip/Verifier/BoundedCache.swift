import Foundation

/// A fixed-capacity map with FIFO eviction, safe to share between event-loop threads.
///
/// Split into shards, each with its own lock and its own share of the capacity, chosen by the key's hash: event
/// loops looking up different cards rarely meet on one lock, and no lock is held across a verification. FIFO rather
/// than LRU: a hit then costs one hash lookup under the lock and no bookkeeping writes.
final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let shards: [Shard]
    let capacity: Int

    /// `shardCount` is rounded up to a power of two and lowered so that every shard holds at least one entry.
    init(capacity: Int, shardCount: Int = 16) {
        self.capacity = max(1, capacity)
        var count = 1
        while count < shardCount, count * 2 <= self.capacity { count *= 2 }
        let perShard = (self.capacity + count - 1) / count
        shards = (0..<count).map { _ in Shard(capacity: perShard) }
    }

    private func shard(for key: Key) -> Shard { shards[key.hashValue & (shards.count - 1)] }

    func value(for key: Key) -> Value? { shard(for: key).value(for: key) }

    func insert(_ value: Value, for key: Key) { shard(for: key).insert(value, for: key) }

    var count: Int { shards.reduce(0) { $0 + $1.count } }

    private final class Shard: @unchecked Sendable {
        // @unchecked Sendable: `entries`, `insertionOrder` and `nextSlot` are only touched with `lock` held.
        private let lock = NSLock()
        private var entries: [Key: Value]
        private var insertionOrder: [Key?]
        private var nextSlot = 0

        init(capacity: Int) {
            entries = Dictionary(minimumCapacity: min(capacity, 1 << 14))
            insertionOrder = Array(repeating: nil, count: capacity)
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
            nextSlot = (nextSlot + 1) % insertionOrder.count
        }

        var count: Int {
            lock.lock()
            defer { lock.unlock() }
            return entries.count
        }
    }
}

/// A SHA-256 value as a cheap dictionary key.
struct Digest256: Hashable, Sendable {
    let a: UInt64, b: UInt64, c: UInt64, d: UInt64

    /// The SHA-256 of `bytes`, computed without a heap buffer.
    init(hashing bytes: UnsafeRawBufferPointer) {
        self = withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { buffer in
            DigestAlgorithm.sha256.hash(bytes, into: buffer)
            return Digest256(digest: UnsafeRawBufferPointer(buffer))
        }
    }

    /// From a SHA-256 value already computed (32 bytes).
    init(digest: UnsafeRawBufferPointer) {
        precondition(digest.count == 32)
        a = digest.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        b = digest.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        c = digest.loadUnaligned(fromByteOffset: 16, as: UInt64.self)
        d = digest.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
    }

}

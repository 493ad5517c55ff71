import CIDGateSupport
import Foundation
import Testing

/// nghttp2's allocator (CIDGateSupport/block_pool.c): blocks keep their contents and alignment, freed small blocks
/// are reused, and what a thread caches stays bounded.
@Suite struct BlockPoolTests {
    /// Runs `body` on a thread of its own: the pool's free lists are per thread.
    private func onOwnThread(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.start()
        done.wait()
    }

    @Test func blocksKeepContentsAcrossReallocAndAreAligned() {
        onOwnThread {
            var pointers: [UnsafeMutableRawPointer] = []
            for size in [0, 1, 15, 16, 17, 100, 512, 513, 4096, 100_000] {
                let pointer = idgate_pool_malloc(size, nil)!
                #expect(Int(bitPattern: pointer) % 16 == 0, "size \(size)")
                memset(pointer, Int32(size % 251), size)
                pointers.append(pointer)
            }
            // Growing keeps the old bytes, within and across size classes and for unpooled blocks.
            for (index, size) in [0, 1, 15, 16, 17, 100, 512, 513, 4096, 100_000].enumerated() {
                let grown = idgate_pool_realloc(pointers[index], size * 2 + 40, nil)!
                let bytes = grown.assumingMemoryBound(to: UInt8.self)
                #expect((0..<size).allSatisfy { bytes[$0] == UInt8(size % 251) }, "size \(size)")
                pointers[index] = grown
            }
            for pointer in pointers { idgate_pool_free(pointer, nil) }
            let zeroed = idgate_pool_calloc(10, 30, nil)!.assumingMemoryBound(to: UInt8.self)
            #expect((0..<300).allSatisfy { zeroed[$0] == 0 })
            idgate_pool_free(zeroed, nil)
            #expect(idgate_pool_calloc(Int.max, 4, nil) == nil)
            idgate_pool_free(nil, nil)
        }
    }

    @Test func freedSmallBlocksAreReusedAndTheCacheIsBounded() {
        onOwnThread {
            #expect(idgate_pool_cached_bytes() == 0)
            let first = idgate_pool_malloc(200, nil)!
            idgate_pool_free(first, nil)
            #expect(idgate_pool_cached_bytes() == 16 + 208)
            // Same size class: the same block again.
            let second = idgate_pool_malloc(193, nil)!
            #expect(second == first)
            #expect(idgate_pool_cached_bytes() == 0)
            idgate_pool_free(second, nil)
            // Large blocks go straight back to malloc.
            idgate_pool_free(idgate_pool_malloc(10_000, nil), nil)
            #expect(idgate_pool_cached_bytes() == 16 + 208)
            // A burst of 100,000 blocks of 512 bytes: at most 8 MiB stays cached.
            let burst = (0..<100_000).map { _ in idgate_pool_malloc(512, nil)! }
            for pointer in burst { idgate_pool_free(pointer, nil) }
            #expect(idgate_pool_cached_bytes() <= 8 << 20)
            #expect(idgate_pool_cached_bytes() > 7 << 20)
        }
    }
}

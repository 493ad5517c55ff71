import Foundation

/// A whole input file mapped read-only, split into line-aligned shards that threads parse in parallel.
///
/// Unchecked Sendable: the mapping is read-only and immutable for the object's life; threads only read it.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let bytes: UnsafeRawBufferPointer

    public init(path: String) throws(RegistryError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(path: path, reason: "not a regular file") }
        let size = Int(info.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        madvise(base, size, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    /// The offset just past the first line (for skipping a CSV header).
    public func endOfFirstLine() -> Int {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return bytes.count }
        return newline + 1
    }

    /// Splits `start..<end` into about `count` ranges that each begin at the start of a line.
    public func lineAlignedShards(from start: Int, count: Int) -> [Range<Int>] {
        let length = bytes.count - start
        guard count > 1, length > 0 else { return [start..<bytes.count] }
        var bounds = [start]
        for shard in 1..<count {
            var cut = start + length * shard / count
            while cut < bytes.count, bytes[cut - 1] != 0x0A { cut += 1 }
            if cut > bounds.last! && cut < bytes.count { bounds.append(cut) }
        }
        bounds.append(bytes.count)
        return zip(bounds, bounds.dropFirst()).map { $0..<$1 }
    }
}

/// Iterates over the lines of a byte range: each line without its `\n` (and a `\r` before it).
public struct LineIterator {
    private let bytes: UnsafeRawBufferPointer
    private var index: Int
    private let end: Int

    public init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.bytes = bytes
        self.index = range.lowerBound
        self.end = range.upperBound
    }

    /// The next line and whether a newline ended it (false only for a last line cut short: a truncated file).
    public mutating func next() -> (line: UnsafeRawBufferPointer, isTerminated: Bool)? {
        guard index < end, let base = bytes.baseAddress else { return nil }
        let start = index
        let remaining = end - start
        let found = memchr(base + start, 0x0A, remaining)
        let lineEnd: Int
        let isTerminated: Bool
        if let found {
            lineEnd = UnsafeRawPointer(found) - base
            index = lineEnd + 1
            isTerminated = true
        } else {
            lineEnd = end
            index = end
            isTerminated = false
        }
        var contentEnd = lineEnd
        if contentEnd > start, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
        return (UnsafeRawBufferPointer(rebasing: bytes[start..<contentEnd]), isTerminated)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Spilling a full batch of records to disk, so a sequence of records larger than memory (a 100-million-resident
/// registry generated in process) imports in bounded memory: each batch becomes a sorted run, the runs are merged as
/// the writer appends them (the same k-way merge as the shards of a file import).
extension ResidentBatch {
    /// This batch sorted, with its records rewritten in ID order to an unlinked file under `directory` and read back
    /// through a read-only mapping: the writer then reads each run front to back, and the page cache (not the
    /// process) holds what is not yet appended. The file is unlinked as soon as it is created, so a killed import
    /// leaves nothing behind. Entries and index entries stay in memory (24 bytes per record or index entry).
    func spilled(into directory: String) throws -> ResidentBatch {
        var sorted = self
        sorted.sort()
        let path = directory + "/.import-run-\(getpid())-\(shard)"
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw RegistryError.notWritable(path: path, reason: String(cString: strerror(errno)))
        }
        unlink(path)
        defer { close(descriptor) }

        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.spillBufferBytes)
        var written = 0
        func flush() throws {
            let failure = buffer.withUnsafeBytes { writeAll(descriptor, $0) }
            guard failure == 0 else { throw RegistryError.notWritable(path: path, reason: String(cString: strerror(failure))) }
            written += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        for index in sorted.entries.indices {
            let entry = sorted.entries[index]
            if buffer.count + entry.length > Self.spillBufferBytes { try flush() }
            sorted.entries[index].location = UInt64(shard) << 56 | UInt64(written + buffer.count) << 16 | UInt64(entry.length)
            buffer.append(contentsOf: arena.bytes(at: entry.offset, count: entry.length))
        }
        try flush()
        guard let mapped = ByteArena(mappingReadOnly: descriptor, count: written) else {
            throw RegistryError.notWritable(path: path, reason: "cannot map the sorted run: \(String(cString: strerror(errno)))")
        }
        return ResidentBatch(shard: shard, sequence: sequence, arena: mapped, sorted: sorted)
    }

    static let spillBufferBytes = 4 << 20

    /// `sorted`'s entries over another arena holding the same records.
    private init(shard: Int, sequence: UInt64, arena: ByteArena, sorted: ResidentBatch) {
        self.init(shard: shard, sequence: sequence, arena: arena)
        entries = sorted.entries
        phoneEntries = sorted.phoneEntries
        legacyEntries = sorted.legacyEntries
        rejects = sorted.rejects
    }
}

extension ByteArena {
    /// The first `count` bytes of an open file, mapped read-only and read front to back (the mapping outlives the
    /// descriptor). Nil if the mapping fails.
    convenience init?(mappingReadOnly descriptor: Int32, count: Int) {
        guard count > 0 else {
            self.init()
            return
        }
        let mapped = mmap(nil, count, PROT_READ, MAP_SHARED, descriptor, 0)
        guard let mapped, mapped != MAP_FAILED else { return nil }
        _ = madvise(mapped, count, MADV_SEQUENTIAL)
        self.init(adopting: mapped, count: count)
    }
}

import Foundation
import IDGateCore
import IDGateStore
#if canImport(Glibc)
import Glibc
#endif

/// Builds an empty subject index from all segments as one sorted run, instead of adding them commit by commit.
///
/// Why: through the incremental path every record would be written once per level as the runs merge (and the
/// original single B-tree took a random page per record: hours at 100 million records). Here one pass over the
/// segments spills each record with a subject (`key ‖ length ‖ payload`) into buckets by the key's leading bits;
/// each bucket, small enough to sort in memory, is then sorted and appended with `MDB_APPEND` to one run of the
/// last level, in ascending key order, so every record is written once and every page filled. The segments are
/// read once and verified as for the incremental catch-up (frames whose CRC fails are skipped, as there).
enum AuditSubjectIndexRebuild {
    struct Outcome: Equatable, Sendable {
        var position: AuditSubjectIndex.Position
        var recordsIndexed: Int
        var buckets: Int
    }

    static let spillDirectoryName = "subject-index-spill"
    /// Spill bytes per bucket aimed at: a bucket is read, sorted and appended in memory.
    static let defaultBucketBytes = 128 << 20
    static let maximumBuckets = 512
    private static let spillBufferBytes = 256 << 10

    /// Fills `index` (empty) with the records of the segments in `directory` up to `head`, and stores the position
    /// of the last record read (or `head` when the segments end before it).
    static func build(
        into index: AuditSubjectIndex, directory: URL, upTo head: AuditSubjectIndex.Position,
        bucketBytes: Int = defaultBucketBytes
    ) throws -> Outcome {
        let segments = try AuditDirectory.segmentURLs(in: directory)
        var totalBytes = 0
        for url in segments {
            totalBytes += (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        }
        var bucketBits = 0
        while bucketBits < 9, (1 << bucketBits) < maximumBuckets, totalBytes > bucketBytes << bucketBits { bucketBits += 1 }
        let spill = directory.appendingPathComponent(spillDirectoryName)
        try? FileManager.default.removeItem(at: spill)
        try OwnerOnlyFiles.createDirectory(atPath: spill.path)
        defer { try? FileManager.default.removeItem(at: spill) }

        var writers = try (0..<(1 << bucketBits)).map { try SpillFile(path: spill.appendingPathComponent(String($0)).path) }
        var position = AuditSubjectIndex.Position.start
        var recordsIndexed = 0
        for url in segments {
            let bytes = try FileBytes.read(path: url.path)
            var frames = AuditFrameList(segment: bytes, scan: try AuditSegmentScan(url: url, contents: bytes))
            frames.keep(after: 0, through: head.sequence)
            bytes.withUnsafeBytes { all in
                for frame in frames.frames where frame.hasSubject {
                    let payload = UnsafeRawBufferPointer(rebasing: all[frame.payload])
                    let subjectHash = UnsafeRawBufferPointer(rebasing: payload[AuditFrame.subjectHashRange])
                    let bucket = bucketBits == 0 ? 0 : Int(subjectHash.loadUnaligned(as: UInt16.self).bigEndian) >> (16 - bucketBits)
                    writers[bucket].append(subjectHash: subjectHash, sequence: frame.sequence, payload: payload)
                    recordsIndexed += 1
                }
            }
            // Segments are in log order; the highest sequence read is where the index stands.
            if let last = frames.frames.max(by: { $0.sequence < $1.sequence }), last.sequence > position.sequence {
                position = .init(sequence: last.sequence, hash: frames.chainHash(of: last))
            }
            try writers.indices.forEach { try writers[$0].flushIfFull() }
        }
        try writers.indices.forEach { try writers[$0].close() }

        for bucket in writers.indices {
            let path = spill.appendingPathComponent(String(bucket)).path
            let bytes = try FileBytes.read(path: path)
            unlink(path)
            try index.appendSorted(spilled: bytes)
        }
        let reached = position.sequence < head.sequence ? head : position
        try index.add(AuditFrameList(written: []), position: reached)
        return Outcome(position: reached, recordsIndexed: recordsIndexed, buckets: writers.count)
    }

    /// One bucket's spill file, written through a buffer.
    private struct SpillFile {
        let path: String
        private let descriptor: Int32
        private var buffer: [UInt8] = []

        init(path: String) throws {
            self.path = path
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, OwnerOnlyFiles.fileMode)
            guard descriptor >= 0 else { throw AuditError.storage("create \(path): \(String(cString: strerror(errno)))") }
            buffer.reserveCapacity(AuditSubjectIndexRebuild.spillBufferBytes + 4096)
        }

        /// `subjectHash ‖ sequence (big-endian) ‖ payload length (u32 LE) ‖ payload`: the index key, then the value.
        mutating func append(subjectHash: UnsafeRawBufferPointer, sequence: UInt64, payload: UnsafeRawBufferPointer) {
            buffer.append(contentsOf: subjectHash)
            withUnsafeBytes(of: sequence.bigEndian) { buffer.append(contentsOf: $0) }
            buffer.appendLittleEndian(UInt32(payload.count))
            buffer.append(contentsOf: payload)
        }

        mutating func flushIfFull() throws {
            if buffer.count >= AuditSubjectIndexRebuild.spillBufferBytes { try flush() }
        }

        mutating func close() throws {
            try flush()
            Glibc.close(descriptor)
        }

        private mutating func flush() throws {
            let failure = buffer.withUnsafeBytes { writeAll(descriptor, $0) }
            guard failure == 0 else { throw AuditError.storage("write \(path): \(String(cString: strerror(failure)))") }
            buffer.removeAll(keepingCapacity: true)
        }
    }
}

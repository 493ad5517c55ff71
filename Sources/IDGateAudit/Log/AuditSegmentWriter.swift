import Foundation
import IDGateCore
import IDGateStore
import IDGateWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The writer thread's side of the audit log: the open segment, the chain head and the batch buffer.
///
/// Not `Sendable`: created by `AuditLog.init` (which also runs the startup recovery here) and from then on used only
/// by the writer thread. After any failed write the segment is abandoned (cut back to its last durable record and
/// closed); the next write starts a new segment whose header records where the old one ended.
final class AuditSegmentWriter {
    private let configuration: AuditLogConfiguration
    private(set) var report: AuditStartupReport
    private var descriptor: Int32 = -1
    private(set) var segmentNumber: UInt64
    /// Durable length of the open (or last) segment.
    private var segmentLength: Int = 0
    private var segmentOpenedAt = ContinuousClock.now
    private var segmentRecords = 0
    private(set) var nextSequence: UInt64
    private(set) var chainHash: SHA256Key
    private var nextHeaderFlags: UInt16 = 0
    private var buffer: [UInt8] = []
    private var lastRetentionCheck: ContinuousClock.Instant? = nil
    var minimumFreeBytes: Int64
    /// The last `statvfs` reading, so the reserve is not re-read for every small group commit.
    private var freeSpaceCheck: (at: ContinuousClock.Instant, freeBytes: Int64, minimum: Int64, writtenSince: Int64)?
    private lazy var directoryPath = configuration.directory.path

    /// Reads the directory's last segment to find the chain head, then opens a new segment.
    init(configuration: AuditLogConfiguration) throws {
        self.configuration = configuration
        self.minimumFreeBytes = configuration.minimumFreeBytes
        let directory = configuration.directory
        try OwnerOnlyFiles.createDirectory(atPath: directory.path)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".seg.tmp") {
            // A segment whose header never reached its final name holds no records.
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
        let segments = try AuditDirectory.segmentURLs(in: directory)
        var problems: [String] = []
        segmentNumber = 0
        nextSequence = 1
        chainHash = .zero
        var damage: [AuditDamage] = []
        if let last = segments.last {
            let scan = try AuditSegmentScan(url: last)
            segmentNumber = scan.segmentNumber
            segmentLength = scan.readableLength
            if let header = scan.header {
                nextSequence = header.firstSequence
                chainHash = header.previousHash
                // Continue after the highest intact sequence, wherever it is: damage before intact records must
                // never make the log reuse their numbers.
                if let frame = scan.highestReadableFrame, let entry = frame.entry {
                    nextSequence = entry.sequence + 1
                    chainHash = frame.chainHash
                }
                for range in scan.damagedRanges {
                    damage.append(AuditDamage(segment: scan.segmentNumber, offset: range.lowerBound, length: range.count))
                    problems.append(
                        "segment \(last.lastPathComponent): \(range.count) damaged bytes at offset \(range.lowerBound), "
                            + "followed by intact records; kept as they are, sequence numbers continue after "
                            + "\(nextSequence - 1) in a new segment; `idgate audit verify` fails until acknowledged")
                }
                if scan.hasUnreadableTail {
                    nextHeaderFlags = AuditSegmentHeader.flagRecoveredTail
                    problems.append(
                        "segment \(last.lastPathComponent): \(scan.fileLength - scan.readableLength) unreadable bytes "
                            + "after offset \(scan.readableLength) (after record \(nextSequence - 1)); left in place, "
                            + "the chain continues in a new segment")
                }
            } else {
                nextHeaderFlags = AuditSegmentHeader.flagRecoveredTail
                problems.append("segment \(last.lastPathComponent): damaged header; left in place, the chain restarts")
            }
        }
        let damageFile = AuditDamageFile(directory: directory)
        try damageFile.recordFound(damage)
        let unacknowledged = try damageFile.unacknowledged()
        report = AuditStartupReport(
            existingSegments: segments.count, newSegment: segmentNumber + 1, problems: problems, damage: unacknowledged)
        try openNextSegment()
    }

    /// Encodes, writes and fsyncs one batch: the records `forEachRecord` hands over, in order; on failure nothing of
    /// the batch counts as written. A visitor rather than a sequence: records are read in place (a sequence's
    /// iterator copies each one, a retain and release per string in it), and so is the key.
    func write(_ forEachRecord: ((AuditRecord) -> Void) -> Void) -> Result<Void, AuditError> {
        do {
            if descriptor < 0 {
                try openNextSegment()
            } else if segmentRecords > 0
                && (segmentLength >= configuration.maxSegmentBytes
                    || ContinuousClock.now - segmentOpenedAt >= configuration.maxSegmentAge) {
                try closeSegment()
                try openNextSegment()
            }
            try checkFreeSpace()
            buffer.removeAll(keepingCapacity: true)
            var sequence = nextSequence
            var hash = chainHash
            let key = configuration.key
            forEachRecord { record in
                hash = AuditFrame.append(record, sequence: sequence, previousHash: hash, key: key, to: &buffer)
                sequence += 1
            }
            try writeAll(buffer)
            try sync(descriptor)
            freeSpaceCheck?.writtenSince += Int64(buffer.count)
            segmentLength += buffer.count
            segmentRecords += Int(sequence - nextSequence)
            nextSequence = sequence
            chainHash = hash
            return .success(())
        } catch let error as AuditError {
            abandonSegment()
            return .failure(error)
        } catch {
            abandonSegment()
            return .failure(.storage("\(error)"))
        }
    }

    /// The frames of the last successful `write`, as written (valid until the next `write`): what the follower
    /// (subject index, outbox) reads instead of the segment file.
    var lastWrittenFrames: [UInt8] { buffer }

    /// Opens a segment after a failure, so the log reports healthy again once storage is back.
    func recover() -> Bool {
        guard descriptor < 0 else { return true }
        do {
            try checkFreeSpace()
            try openNextSegment()
            return true
        } catch {
            return false
        }
    }

    /// Deletes segments older than the retention period (checked at most once a minute).
    func applyRetention() {
        guard let days = configuration.retentionDays else { return }
        let now = ContinuousClock.now
        if let last = lastRetentionCheck, now - last < .seconds(60) { return }
        lastRetentionCheck = now
        let cutoff = Date().addingTimeInterval(-Double(days) * 86400)
        guard let segments = try? AuditDirectory.segmentURLs(in: configuration.directory) else { return }
        for url in segments where AuditFormat.segmentNumber(fromName: url.lastPathComponent) != segmentNumber {
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
            if let modified = attributes?[.modificationDate] as? Date, modified < cutoff {
                try? FileManager.default.removeItem(at: url)
            }
        }
    }

    func close() {
        try? closeSegment()
    }

    // MARK: - Segments

    private func openNextSegment() throws {
        let number = segmentNumber + 1
        let header = AuditSegmentHeader(
            flags: nextHeaderFlags, segmentNumber: number,
            createdAtMicros: Int64((Date().timeIntervalSince1970 * 1e6).rounded()), firstSequence: nextSequence,
            previousSegmentLength: UInt64(segmentNumber == 0 ? 0 : segmentLength), previousHash: chainHash,
            nodeID: configuration.nodeID)
        let finalURL = configuration.directory.appendingPathComponent(AuditFormat.segmentName(number))
        let temporaryURL = finalURL.appendingPathExtension("tmp")
        let fd = open(temporaryURL.path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, OwnerOnlyFiles.fileMode)
        guard fd >= 0 else { throw AuditError.storage("cannot create \(temporaryURL.path): \(Self.lastError())") }
        do {
            descriptor = fd
            try writeAll(header.encoded())
            try sync(fd)
            guard rename(temporaryURL.path, finalURL.path) == 0 else {
                throw AuditError.storage("cannot rename \(temporaryURL.lastPathComponent): \(Self.lastError())")
            }
            try sync(directoryAt: configuration.directory)
        } catch {
            Glibc.close(fd)
            descriptor = -1
            unlink(temporaryURL.path)
            throw error
        }
        segmentNumber = number
        segmentLength = header.length
        segmentRecords = 0
        segmentOpenedAt = .now
        nextHeaderFlags = 0
    }

    private func closeSegment() throws {
        guard descriptor >= 0 else { return }
        defer {
            Glibc.close(descriptor)
            descriptor = -1
        }
        try sync(descriptor)
    }

    /// After a failed write: cut the segment back to its durable length and close it.
    private func abandonSegment() {
        guard descriptor >= 0 else { return }
        if ftruncate(descriptor, off_t(segmentLength)) != 0 || fsync(descriptor) != 0 {
            nextHeaderFlags = AuditSegmentHeader.flagRecoveredTail
        }
        Glibc.close(descriptor)
        descriptor = -1
    }

    // MARK: - System calls

    /// Refuses to write when the disk has less than the reserve. Re-reads the file system at most every 50 ms
    /// or 1 MiB written (sooner when the reserve changes or the last reading is within 4 MiB of it).
    private func checkFreeSpace() throws {
        guard minimumFreeBytes > 0 else { return }
        let now = ContinuousClock.now
        if let last = freeSpaceCheck, last.minimum == minimumFreeBytes, now - last.at < .milliseconds(50),
            last.writtenSince < 1 << 20, last.freeBytes - last.writtenSince >= minimumFreeBytes + (4 << 20)
        {
            return
        }
        var stats = statvfs()
        guard statvfs(directoryPath, &stats) == 0 else {
            freeSpaceCheck = nil
            throw AuditError.storage("statvfs: \(Self.lastError())")
        }
        let free = Int64(stats.f_bavail) * Int64(stats.f_frsize)
        guard free >= minimumFreeBytes else {
            freeSpaceCheck = nil
            throw AuditError.diskFull("\(free) bytes free, \(minimumFreeBytes) reserved")
        }
        freeSpaceCheck = (now, free, minimumFreeBytes, 0)
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        if bytes.withUnsafeBytes({ IDGateStore.writeAll(descriptor, $0) }) != 0 {
            throw AuditError.storage("write: \(Self.lastError())")
        }
    }

    private func sync(_ fd: Int32) throws {
        guard fdatasync(fd) == 0 else { throw AuditError.storage("fdatasync: \(Self.lastError())") }
    }

    private func sync(directoryAt url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw AuditError.storage("open \(url.path): \(Self.lastError())") }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw AuditError.storage("fsync \(url.path): \(Self.lastError())") }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

import Foundation
import IDGateCore
import IDGateStore
#if canImport(Glibc)
import Glibc
#endif

/// Where and how much the notification outbox keeps (docs/AUDIT.md, "Notification outbox").
public struct AuditOutboxConfiguration: Sendable, Codable, Equatable {
    /// The file events are appended to (`outbox.ndjson`); rotated files sit beside it as `<name>.<16 digits>`.
    public var file: String
    /// Rotate when the current file reaches this size.
    public var maxFileBytes: Int
    /// Rotated files kept; beyond that the oldest is deleted (its events are lost to a notifier that fell behind).
    public var maxFiles: Int

    public init(file: String, maxFileBytes: Int = 16 << 20, maxFiles: Int = 8) {
        self.file = file
        self.maxFileBytes = maxFileBytes
        self.maxFiles = maxFiles
    }

    private enum CodingKeys: String, CodingKey { case file, maxFileBytes, maxFiles }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(file: try c.decode(String.self, forKey: .file))
        maxFileBytes = try c.decodeIfPresent(Int.self, forKey: .maxFileBytes) ?? maxFileBytes
        maxFiles = try c.decodeIfPresent(Int.self, forKey: .maxFiles) ?? maxFiles
        guard maxFileBytes >= 4096, maxFiles >= 1 else {
            throw DecodingError.dataCorruptedError(
                forKey: .maxFileBytes, in: c, debugDescription: "outbox: maxFileBytes >= 4096 and maxFiles >= 1")
        }
    }
}

/// The notification outbox of a single node: one NDJSON line per durable audit record that has a subject, for a
/// notifier to tell the citizen (MOSIP-style "notification on every authentication"). A line holds the subject's
/// keyed hash, never the ID number nor any submitted value:
/// `{"sequence":…,"time":"…","node":"…","subjectHash":"…","client":"…","operation":"…","purpose":"…","decision":"…","status":…}`.
///
/// Bounded: the current file is rotated at `maxFileBytes` and at most `maxFiles` rotated files are kept. The
/// notifier reads rotated files (and may delete them) and tails the current one; `sequence` orders and de-duplicates
/// events. Written by the follower thread only, after the records are durable in the log, without fsync: the log,
/// not the outbox, is the record of what happened (a crash may lose the last events, never invent one).
final class AuditOutbox {
    private let configuration: AuditOutboxConfiguration
    private let nodeID: String?
    private var descriptor: Int32 = -1
    private var size = 0
    private var line: [UInt8] = []
    /// Rotated files deleted because the notifier did not take them in time.
    private(set) var droppedFiles = 0

    init(configuration: AuditOutboxConfiguration, nodeID: String?) throws {
        self.configuration = configuration
        self.nodeID = nodeID
        let directory = URL(fileURLWithPath: configuration.file).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try open()
    }

    /// Appends one line per record with a subject, rotating where the current file reaches `maxFileBytes` (also
    /// inside a batch: the follower hands over up to a commit interval's records at once).
    func write(_ frames: AuditFrameList) {
        line.removeAll(keepingCapacity: true)
        frames.bytes.withUnsafeBytes { all in
            for frame in frames.frames where frame.hasSubject {
                guard let entry = AuditFrame.decodePayload(UnsafeRawBufferPointer(rebasing: all[frame.payload])) else { continue }
                append(entry)
                if size + line.count >= configuration.maxFileBytes { flushLines() }
            }
        }
        flushLines()
    }

    /// Writes the lines gathered so far and rotates the file when it has reached its limit.
    private func flushLines() {
        guard !line.isEmpty, descriptor >= 0 || (try? open()) != nil else { return }
        if line.withUnsafeBytes({ writeAll(descriptor, $0) }) == 0 { size += line.count }
        line.removeAll(keepingCapacity: true)
        if size >= configuration.maxFileBytes { rotate() }
    }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    private func append(_ entry: AuditEntry) {
        line.write("{\"sequence\":")
        line.write(decimal: Int(entry.sequence))
        line.write(",\"time\":")
        line.write(jsonString: AuditTime.format(entry.time))
        if let nodeID {
            line.write(",\"node\":")
            line.write(jsonString: nodeID)
        }
        line.write(",\"subjectHash\":\"")
        line.append(contentsOf: Array(Hex.encode(entry.subjectHash ?? []).utf8))
        line.write("\",\"client\":")
        line.write(jsonString: entry.clientID)
        line.write(",\"operation\":")
        line.write(jsonString: entry.operation?.rawValue ?? "unknown")
        line.write(",\"purpose\":")
        if let purpose = entry.purpose { line.write(jsonString: purpose) } else { line.write("null") }
        line.write(",\"decision\":")
        line.write(jsonString: entry.decision?.name ?? "unknown")
        line.write(",\"status\":")
        line.write(decimal: Int(entry.status))
        line.write("}\n")
    }

    private func open() throws {
        let fd = Glibc.open(configuration.file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, OwnerOnlyFiles.fileMode)
        guard fd >= 0 else {
            throw AuditError.storage("cannot open outbox \(configuration.file): \(String(cString: strerror(errno)))")
        }
        var stats = stat()
        size = fstat(fd, &stats) == 0 ? Int(stats.st_size) : 0
        descriptor = fd
    }

    /// Renames the current file to the next number and deletes the oldest rotated files beyond `maxFiles`.
    private func rotate() {
        close()
        let url = URL(fileURLWithPath: configuration.file)
        let rotated = Self.rotatedFiles(of: url)
        let next = (rotated.last?.number ?? 0) + 1
        let digits = String(next)
        let name = url.lastPathComponent + "." + String(repeating: "0", count: max(0, 16 - digits.count)) + digits
        _ = Glibc.rename(url.path, url.deletingLastPathComponent().appendingPathComponent(name).path)
        let all = Self.rotatedFiles(of: url)
        for old in all.prefix(max(0, all.count - configuration.maxFiles)) {
            try? FileManager.default.removeItem(at: old.url)
            droppedFiles += 1
        }
        try? open()
    }

    /// The rotated files of `url`, oldest first.
    static func rotatedFiles(of url: URL) -> [(number: UInt64, url: URL)] {
        let directory = url.deletingLastPathComponent()
        let prefix = url.lastPathComponent + "."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name -> (UInt64, URL)? in
            guard name.hasPrefix(prefix), let number = UInt64(name.dropFirst(prefix.count)) else { return nil }
            return (number, directory.appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
    }
}

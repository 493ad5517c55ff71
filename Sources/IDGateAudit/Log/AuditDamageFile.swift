import Foundation
import IDGateStore
import IDGateCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Damaged bytes inside a segment that intact records follow: corruption, not a torn write. The bytes are kept
/// as evidence; the log never reuses the sequence numbers that may have been in them.
public struct AuditDamage: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var segment: UInt64
    /// Byte offset of the first damaged byte in the segment file.
    public var offset: Int
    public var length: Int

    public init(segment: UInt64, offset: Int, length: Int) {
        self.segment = segment
        self.offset = offset
        self.length = length
    }

    public var description: String { "segment \(segment) offset \(offset) (\(length) bytes)" }
}

/// `DIR/audit-damage.jsonl`: what the log found at startup and what operators acknowledged, one JSON object a
/// line, appended only. It makes damage outlive the restart that found it (the newest segment is the only one
/// scanned at startup) until an operator acknowledges it with `idgate audit acknowledge-damage`; verification
/// then reports that damage as a note instead of a failure.
public struct AuditDamageFile: Sendable {
    public static let name = "audit-damage.jsonl"

    private struct Event: Codable {
        /// `found` or `acknowledged`.
        var event: String
        var segment: UInt64
        var offset: Int
        var length: Int?
        var time: String
        var note: String?
    }

    public let url: URL

    public init(directory: URL) {
        url = directory.appendingPathComponent(Self.name)
    }

    /// Damage recorded as found and not acknowledged, in the order found.
    public func unacknowledged() throws -> [AuditDamage] {
        let events = try read()
        let acknowledged = Set(events.filter { $0.event == "acknowledged" }.map { Place(segment: $0.segment, offset: $0.offset) })
        var seen = Set<Place>()
        return events.compactMap { event in
            let place = Place(segment: event.segment, offset: event.offset)
            guard event.event == "found", !acknowledged.contains(place), seen.insert(place).inserted else { return nil }
            return AuditDamage(segment: event.segment, offset: event.offset, length: event.length ?? 0)
        }
    }

    /// Whether an operator acknowledged the damage starting at `offset` of `segment`.
    public func acknowledgements() throws -> Set<Place> {
        Set(try read().filter { $0.event == "acknowledged" }.map { Place(segment: $0.segment, offset: $0.offset) })
    }

    /// Records damage found at startup (once per place).
    func recordFound(_ damage: [AuditDamage]) throws {
        guard !damage.isEmpty else { return }
        let known = Set(try read().filter { $0.event == "found" }.map { Place(segment: $0.segment, offset: $0.offset) })
        let time = AuditTime.format(Date())
        try append(damage.filter { !known.contains(Place(segment: $0.segment, offset: $0.offset)) }.map {
            Event(event: "found", segment: $0.segment, offset: $0.offset, length: $0.length, time: time, note: nil)
        })
    }

    /// Records an operator's acknowledgement of the damage at `offset` of `segment`.
    public func acknowledge(segment: UInt64, offset: Int, note: String?) throws {
        try append([Event(event: "acknowledged", segment: segment, offset: offset, length: nil,
                          time: AuditTime.format(Date()), note: note)])
    }

    /// A damaged range's start, as verification names it.
    public struct Place: Sendable, Hashable {
        public var segment: UInt64
        public var offset: Int

        public init(segment: UInt64, offset: Int) {
            self.segment = segment
            self.offset = offset
        }
    }

    private func read() throws -> [Event] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let decoder = JSONDecoder()
        return try String(decoding: Data(contentsOf: url), as: UTF8.self).split(separator: "\n").enumerated().map { number, line in
            do {
                return try decoder.decode(Event.self, from: Data(line.utf8))
            } catch {
                throw AuditError.invalidDirectory("\(Self.name) line \(number + 1) is not a damage event: \(error)")
            }
        }
    }

    private func append(_ events: [Event]) throws {
        guard !events.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for event in events {
            bytes += try encoder.encode(event)
            bytes.append(UInt8(ascii: "\n"))
        }
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditError.storage("cannot open \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        let complete = bytes.withUnsafeBytes { writeAll(fd, $0) == 0 } && fsync(fd) == 0
        guard complete else { throw AuditError.storage("cannot write \(url.path): \(String(cString: strerror(errno)))") }
    }
}

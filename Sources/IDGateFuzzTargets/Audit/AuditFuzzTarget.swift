import Foundation
import IDGateAudit

/// The audit segment scanner as a fuzz target (Fuzz/Sources/FuzzAudit; replayed by `make test`,
/// `FuzzCorpusReplayTests`). The input is a segment file: written to a scratch file and scanned as startup recovery
/// and `idgate audit verify` scan segments. Damage must be reported as frames, skipped and damaged ranges, never a
/// crash or a read past the file.
public struct AuditFuzzTarget: Sendable {
    /// What the scan found.
    public struct Outcome: Hashable, Sendable {
        /// Frames with a valid CRC and a decodable entry.
        public let readableFrames: Int
        /// Damage followed by intact frames (`damagedRanges` not empty).
        public let damaged: Bool
        /// Bytes after the last readable frame (a torn or damaged tail).
        public let unreadableTail: Bool
    }

    /// The scratch segment, rewritten for every input.
    public let segment: URL

    /// Inputs are written to segment 1 in `directory` (created when missing; the caller removes it).
    public init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        segment = directory.appendingPathComponent(AuditFormat.segmentName(1))
    }

    /// Nil when the scratch file could not be read back.
    public func run(_ input: UnsafeRawBufferPointer) throws -> Outcome? {
        try Data(input).write(to: segment)
        guard let scan = try? AuditSegmentScan(url: segment) else { return nil }
        _ = scan.highestReadableFrame
        return Outcome(
            readableFrames: scan.frames.count(where: { $0.crcValid && $0.entry != nil }), damaged: !scan.damagedRanges.isEmpty,
            unreadableTail: scan.hasUnreadableTail)
    }

    /// libFuzzer's instance: a folder of its own in tmpfs when there is one.
    private static let shared: AuditFuzzTarget = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return try! AuditFuzzTarget(directory: URL(fileURLWithPath: base).appendingPathComponent("idgate-fuzz-audit-\(getpid())"))
    }()

    /// libFuzzer's `LLVMFuzzerTestOneInput`: one input, always 0.
    public static func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        _ = try! shared.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}

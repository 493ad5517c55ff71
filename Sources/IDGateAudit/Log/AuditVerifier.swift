import Foundation
import IDGateCore
import IDGateWire

/// One finding of `AuditVerifier`: where (segment, record index within it) and what.
public struct AuditIssue: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// A record's bytes do not match its CRC: edited or damaged.
        case editedRecord
        /// A record's stored previous hash does not match the record before it: edited, removed or reordered.
        case brokenChain
        /// Sequence numbers jump forward: records removed.
        case missingRecords
        /// Sequence numbers go backwards: records reordered or duplicated.
        case reorderedRecords
        /// The record tag does not match under the audit key: the chain was rebuilt by someone without the key.
        case forgedRecord
        /// Bytes at the end of a segment that are not a whole record: truncated.
        case truncated
        /// A segment number is absent between two present ones.
        case missingSegment
        /// A segment header is damaged or does not continue the previous segment.
        case brokenSegmentHeader
        /// Informational: a crash left an unreadable tail that the restarted log acknowledged and skipped.
        case recoveredTail
        /// Informational: the oldest present segment is not the first (older ones deleted by retention).
        case chainStartsLater
        /// Bytes that are no record, followed by intact records: damage inside the log (never a torn write).
        case damagedBytes
        /// Informational: damage (`damagedBytes` or `editedRecord`) an operator acknowledged with
        /// `idgate audit acknowledge-damage` (recorded in `audit-damage.jsonl`).
        case acknowledgedDamage
    }

    public var kind: Kind
    public var segment: UInt64
    /// Index of the record within its segment (from 0), nil for segment-level findings.
    public var recordIndex: Int?
    public var message: String
    /// Byte offset in the segment file where the damaged bytes start (`damagedBytes`, `editedRecord`): what
    /// `idgate audit acknowledge-damage --offset` takes.
    public var offset: Int? = nil

    /// Informational findings do not fail verification.
    public var isFailure: Bool { kind != .recoveredTail && kind != .chainStartsLater && kind != .acknowledgedDamage }

    public var description: String {
        let place = recordIndex.map { "segment \(segment) record \($0)" } ?? "segment \(segment)"
        let at = offset.map { " (segment \(segment) offset \($0))" } ?? ""
        return "\(isFailure ? "FAIL" : "note") \(place): \(kind.rawValue): \(message)\(at)"
    }
}

/// The outcome of verifying a whole audit directory.
public struct AuditVerificationReport: Sendable {
    public var segments: Int
    public var records: Int
    public var issues: [AuditIssue]
    /// Sequence and chain hash of the last readable record.
    public var head: AuditHead?
    public var tagsChecked: Bool
    /// The node ids the segments' headers name, in segment order without repeats (empty: only version 1 headers).
    public var nodeIDs: [String] = []
    /// Segments with a version 1 header (written before node ids, or by a log without one).
    public var segmentsWithoutNodeID = 0

    /// One line for the operator: whose log this is.
    public var nodeDescription: String {
        let named = nodeIDs.isEmpty ? "node id: none" : "node id: " + nodeIDs.joined(separator: ", ")
        guard segmentsWithoutNodeID > 0, !nodeIDs.isEmpty else {
            return nodeIDs.isEmpty && segments > 0 ? "node id: none (version 1 segments)" : named
        }
        return named + " (\(segmentsWithoutNodeID) older segment(s) without one)"
    }

    public var failures: [AuditIssue] { issues.filter(\.isFailure) }
    public var isIntact: Bool { failures.isEmpty }
}

/// Checks an audit directory: every CRC, the hash chain across records and segments, sequence continuity, segment
/// continuity, and with the audit key every record tag. Reports each problem with its segment and record index.
public enum AuditVerifier {
    /// Reads the segments one after another, holding at most three in memory (previous, current, next).
    public static func verify(directory: URL, key: AuditKey? = nil) throws -> AuditVerificationReport {
        let urls = try AuditDirectory.segmentURLs(in: directory)
        var report = AuditVerificationReport(segments: urls.count, records: 0, issues: [], head: nil, tagsChecked: key != nil)
        let acknowledged = try AuditDamageFile(directory: directory).acknowledgements()
        var previous: AuditSegmentScan? = nil
        var upcoming = try urls.first.map { try AuditSegmentScan(url: $0) }
        for position in urls.indices {
            guard let scan = upcoming else { break }
            let next = position + 1 < urls.count ? try AuditSegmentScan(url: urls[position + 1]) : nil
            checkSegmentContinuity(scan, after: previous, isFirstPresent: position == 0, into: &report)
            if let header = scan.header {
                if let nodeID = header.nodeID {
                    if !report.nodeIDs.contains(nodeID) { report.nodeIDs.append(nodeID) }
                } else {
                    report.segmentsWithoutNodeID += 1
                }
            }
            // Where this segment's chain ends: as recorded by the next segment when that one follows on directly.
            let chainEnd = next.flatMap { next in
                next.segmentNumber == scan.segmentNumber + 1 ? next.header.map { Int($0.previousSegmentLength) } : nil
            } ?? scan.fileLength
            checkRecords(scan, upTo: chainEnd, key: key, acknowledged: acknowledged, into: &report)
            if next == nil && scan.parsedLength < scan.fileLength {
                report.issues.append(AuditIssue(
                    kind: .truncated, segment: scan.segmentNumber, recordIndex: scan.frames.count,
                    message: "\(scan.fileLength - scan.parsedLength) bytes at offset \(scan.parsedLength) are not a whole record (truncated, or a crash the log has not yet recovered from)"))
            }
            if let frame = scan.lastReadableFrame, let entry = frame.entry {
                report.head = AuditHead(sequence: entry.sequence, hash: frame.chainHash, segment: scan.segmentNumber)
            }
            previous = scan
            upcoming = next
        }
        return report
    }

    private static func checkSegmentContinuity(
        _ scan: AuditSegmentScan, after previous: AuditSegmentScan?, isFirstPresent: Bool, into report: inout AuditVerificationReport
    ) {
        let number = scan.segmentNumber
        guard let header = scan.header else {
            report.issues.append(AuditIssue(kind: .brokenSegmentHeader, segment: number, recordIndex: nil,
                                            message: "header is damaged (bad magic, version or CRC)"))
            return
        }
        guard header.segmentNumber == number else {
            report.issues.append(AuditIssue(kind: .brokenSegmentHeader, segment: number, recordIndex: nil,
                                            message: "header says segment \(header.segmentNumber): file renamed or replaced"))
            return
        }
        guard let previous else {
            if number == 1 {
                if header.previousHash != .zero || header.firstSequence != 1 {
                    report.issues.append(AuditIssue(kind: .brokenSegmentHeader, segment: number, recordIndex: nil,
                                                    message: "first segment does not start the chain"))
                }
            } else if isFirstPresent {
                report.issues.append(AuditIssue(kind: .chainStartsLater, segment: number, recordIndex: nil,
                                                message: "segments 1…\(number - 1) are absent (retention); the chain is checked from here, sequence \(header.firstSequence)"))
            }
            return
        }
        if number != previous.segmentNumber + 1 {
            report.issues.append(AuditIssue(kind: .missingSegment, segment: number, recordIndex: nil,
                                            message: "segment(s) \(previous.segmentNumber + 1)…\(number - 1) are missing"))
            return
        }
        let expectedLength = Int(header.previousSegmentLength)
        if previous.fileLength < expectedLength {
            report.issues.append(AuditIssue(kind: .truncated, segment: previous.segmentNumber, recordIndex: previous.frames.count,
                                            message: "segment is \(previous.fileLength) bytes but was \(expectedLength) when segment \(number) started"))
        } else if previous.fileLength > expectedLength && header.flags & AuditSegmentHeader.flagRecoveredTail == 0 {
            report.issues.append(AuditIssue(kind: .truncated, segment: previous.segmentNumber, recordIndex: nil,
                                            message: "\(previous.fileLength - expectedLength) bytes were added after segment \(number) started"))
        } else if previous.fileLength > expectedLength {
            report.issues.append(AuditIssue(kind: .recoveredTail, segment: previous.segmentNumber, recordIndex: nil,
                                            message: "bytes \(expectedLength)…\(previous.fileLength) were unreadable at restart and are not part of the chain"))
        }
        let lastFrame = previous.frames.last { $0.offset + $0.length <= expectedLength }
        let previousHash = lastFrame?.chainHash ?? previous.header?.previousHash
        if previousHash != header.previousHash {
            report.issues.append(AuditIssue(kind: .brokenChain, segment: number, recordIndex: nil,
                                            message: "header's previous hash does not match the last record of segment \(previous.segmentNumber) (records there edited, removed or truncated)"))
        }
        if let last = lastFrame?.entry, last.sequence + 1 != header.firstSequence {
            report.issues.append(AuditIssue(kind: .missingRecords, segment: number, recordIndex: nil,
                                            message: "starts at sequence \(header.firstSequence) but segment \(previous.segmentNumber) ends at \(last.sequence)"))
        }
    }

    private static func checkRecords(
        _ scan: AuditSegmentScan, upTo chainEnd: Int, key: AuditKey?, acknowledged: Set<AuditDamageFile.Place>,
        into report: inout AuditVerificationReport
    ) {
        guard let header = scan.header else { return }
        var expectedHash: SHA256Key? = header.previousHash
        var expectedSequence: UInt64? = header.firstSequence
        var skipped = scan.skippedRanges.filter { $0.upperBound <= chainEnd }[...]
        func damage(_ kind: AuditIssue.Kind, at range: Range<Int>, recordIndex: Int?, _ message: String) {
            let isAcknowledged = acknowledged.contains(AuditDamageFile.Place(segment: scan.segmentNumber, offset: range.lowerBound))
            report.issues.append(AuditIssue(
                kind: isAcknowledged ? .acknowledgedDamage : kind, segment: scan.segmentNumber, recordIndex: recordIndex,
                message: isAcknowledged ? "\(kind.rawValue) acknowledged by an operator: \(message)" : message,
                offset: range.lowerBound))
            expectedHash = nil
            expectedSequence = nil
        }
        func skip(before offset: Int) {
            while let range = skipped.first, range.lowerBound < offset {
                skipped.removeFirst()
                damage(.damagedBytes, at: range, recordIndex: nil,
                       "\(range.count) bytes at offset \(range.lowerBound) are no record but intact records follow: damage (records in them are lost; their sequence numbers are never reused)")
            }
        }
        for frame in scan.frames where frame.offset + frame.length <= chainEnd {
            skip(before: frame.offset)
            report.records += 1
            func issue(_ kind: AuditIssue.Kind, _ message: String) {
                report.issues.append(AuditIssue(kind: kind, segment: scan.segmentNumber, recordIndex: frame.index, message: message))
            }
            guard frame.crcValid, let entry = frame.entry else {
                damage(.editedRecord, at: frame.offset..<frame.offset + frame.length, recordIndex: frame.index,
                       "CRC mismatch: the record's bytes were changed")
                continue
            }
            if let expected = expectedSequence, entry.sequence != expected {
                if entry.sequence > expected {
                    issue(.missingRecords, "sequence \(entry.sequence) where \(expected) was expected: \(entry.sequence - expected) record(s) removed before it")
                } else {
                    issue(.reorderedRecords, "sequence \(entry.sequence) where \(expected) was expected: records reordered or duplicated")
                }
            } else if let expected = expectedHash, frame.storedPreviousHash != expected {
                issue(.brokenChain, "previous-record hash does not match: the record before it was edited or replaced")
            }
            if let key, key.recordTag(chainHash: frame.chainHash) != frame.tag {
                issue(.forgedRecord, "tag does not verify under the audit key: record rewritten with a recomputed chain")
            }
            expectedHash = frame.chainHash
            expectedSequence = entry.sequence + 1
        }
        skip(before: .max)
    }
}

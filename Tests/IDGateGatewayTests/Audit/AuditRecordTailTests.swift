import Foundation
import Testing
@testable import IDGateAudit

/// `AuditRecordTail` (what the fleet's audit shipper reads): every record exactly once, in order, byte-identical to
/// the segments, while the log rotates segments under it and across restarts of the log.
@Suite struct AuditRecordTailTests {
    @Test func readsEveryRecordOnceWhileTheLogWritesAndRotates() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        var tail = AuditRecordTail(directory: directory.url)
        var seen: [AuditStoredRecord] = []
        var log = try AuditLog(configuration: AuditFixture.configuration(directory.url, maxSegmentBytes: 1024))
        var index = 0
        for round in 0..<12 {
            // A few records, then a read in small pieces up to the durable head (never past it).
            for _ in 0..<(round % 4 + 1) {
                index += 1
                try AuditFixture.append(log, AuditFixture.record(index)).get()
            }
            if round == 6 {
                // A restart starts a new segment; the tail goes on from where it was.
                log.close()
                log = try AuditLog(configuration: AuditFixture.configuration(directory.url, maxSegmentBytes: 1024))
            }
            let head = log.head.sequence
            while true {
                let records = try tail.read(after: seen.last?.sequence ?? 0, through: head, limit: 3)
                #expect(records.count <= 3)
                #expect(records.allSatisfy { $0.sequence <= head })
                guard !records.isEmpty else { break }
                seen += records
            }
            #expect(seen.last?.sequence == head)
        }
        log.close()
        #expect(seen.map(\.sequence) == Array(1...UInt64(index)))
        #expect(try AuditDirectory.segmentURLs(in: directory.url).count > 3)

        // The same records, byte for byte, as a scan of the segments finds them; each chain hash links to the next.
        var scanned: [UInt64: [UInt8]] = [:]
        for url in try AuditDirectory.segmentURLs(in: directory.url) {
            let bytes = try [UInt8](Data(contentsOf: url))
            for frame in try AuditSegmentScan(url: url).frames where frame.crcValid {
                scanned[frame.entry!.sequence] = Array(bytes[frame.offset..<frame.offset + frame.length])
            }
        }
        #expect(seen.allSatisfy { scanned[$0.sequence] == $0.frame })
        for (previous, next) in zip(seen, seen.dropFirst()) { #expect(next.previousHash == previous.chainHash) }
        #expect(seen[4].entry.transactionID == "tx-5" && seen[4].entry.clientID == "bank-a")

        // A fresh tail (a restarted shipper) finds its place from a sequence alone.
        var fresh = AuditRecordTail(directory: directory.url)
        let resumed = try fresh.read(after: UInt64(index - 5), through: UInt64(index), limit: 100)
        #expect(resumed.map(\.sequence) == Array(UInt64(index - 4)...UInt64(index)))
    }
}

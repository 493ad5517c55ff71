import Foundation
import IDGateCore
import IDGateWire

/// An investigator's search over an audit directory: by subject (ID number, hashed with the audit key), client
/// and time range. Records are read from the segment files; nothing is indexed.
public struct AuditQuery: Sendable {
    public var subjectIDNumber: String?
    public var clientID: String?
    public var from: Date?
    public var to: Date?

    public init(subjectIDNumber: String? = nil, clientID: String? = nil, from: Date? = nil, to: Date? = nil) {
        self.subjectIDNumber = subjectIDNumber
        self.clientID = clientID
        self.from = from
        self.to = to
    }

    /// Matching entries in log order. `key` is needed only to search by subject.
    public func run(directory: URL, key: AuditKey?) throws -> [AuditEntry] {
        var subjectHash: [UInt8]? = nil
        if let subjectIDNumber {
            guard let key else { throw AuditError.invalidKey("searching by subject needs the audit key") }
            subjectHash = key.subjectHash(subjectIDNumber)
        }
        var results: [AuditEntry] = []
        for url in try AuditDirectory.segmentURLs(in: directory) {
            for frame in try AuditSegmentScan(url: url).frames {
                guard let entry = frame.entry else { continue }
                if let subjectHash, entry.subjectHash != subjectHash { continue }
                if let clientID, entry.clientID != clientID { continue }
                if let from, entry.time < from { continue }
                if let to, entry.time > to { continue }
                results.append(entry)
            }
        }
        return results
    }
}

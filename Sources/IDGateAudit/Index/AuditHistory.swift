import Foundation
import IDGateCore

/// One page of a subject's access history: records newest first, and the cursor of the next page (nil at the end).
public struct AuditHistoryPage: Sendable {
    public var entries: [AuditEntry]
    public var cursor: String?

    public init(entries: [AuditEntry], cursor: String?) {
        self.entries = entries
        self.cursor = cursor
    }
}

/// Why a history page could not be read.
public enum AuditHistoryError: Error, Sendable, Equatable {
    /// The cursor was not issued for this subject by this log's key (another subject's, edited, or garbage).
    case invalidCursor
    /// The subject index is not available (failed, or the log is closing).
    case unavailable(String)
}

/// A subject's audit records as the citizen portal reads them (docs/AUDIT.md, "Subject index"), from the subject
/// index the log keeps as it writes.
///
/// The subject is looked up by its keyed hash only: an ID number nobody ever asked about takes the same path as a
/// known one and finds nothing, so the answer does not tell whether the person exists. Cursors are opaque and bound
/// to the subject: `base64url(sequence ‖ HMAC(cursor key, subject hash ‖ sequence)[0..<16])`, so a cursor from
/// another subject's history, or an edited one, is refused instead of paging through someone else's records.
public final class AuditHistory: Sendable {
    private let key: AuditKey
    private let cursorKey: KeyedSHA256
    /// The running log's follower, or nil for an index opened on its own (`open(directory:key:)`).
    private let follower: AuditFollower?
    private let fixedIndex: AuditSubjectIndex?

    init(key: AuditKey, follower: AuditFollower) {
        self.key = key
        self.follower = follower
        fixedIndex = nil
        // A key of its own for cursors, derived from the subject key with a label that is no ID number.
        cursorKey = KeyedSHA256(key: key.subjectHash("idgate-history-cursor-v1"))
    }

    private init(key: AuditKey, index: AuditSubjectIndex) {
        self.key = key
        follower = nil
        fixedIndex = index
        cursorKey = KeyedSHA256(key: key.subjectHash("idgate-history-cursor-v1"))
    }

    /// Reads the subject index of an audit directory as it is (no catch-up, nothing written to the log): for tools
    /// and benchmarks, also while a gateway writes the log.
    public static func open(directory: URL, key: AuditKey) throws -> AuditHistory {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(AuditSubjectIndex.directoryName).path) else {
            throw AuditError.invalidDirectory("\(directory.path) has no subject index")
        }
        return AuditHistory(key: key, index: try AuditSubjectIndex(auditDirectory: directory))
    }

    /// Runs `body` once every record up to `sequence` (e.g. `AuditLog.head.sequence` when a request arrived) shows
    /// in the index: a citizen sees every use answered before their request.
    public func whenCurrent(through sequence: UInt64, _ body: @escaping @Sendable (Result<Void, AuditError>) -> Void) {
        guard let follower else { return body(.success(())) }
        follower.whenIndexed(through: sequence, body)
    }

    /// The sequence up to which the index holds every record.
    public var indexedSequence: UInt64 { follower?.indexedSequence ?? ((try? fixedIndex?.position().sequence) ?? 0) }

    /// A page of `idNumber`'s records not older than `notBefore`, newest first, after `cursor` (nil: from the
    /// newest).
    public func page(idNumber: String, cursor: String?, limit: Int, notBefore: Date) -> Result<AuditHistoryPage, AuditHistoryError> {
        let subjectHash = key.subjectHash(idNumber)
        var before: UInt64? = nil
        if let cursor {
            guard let sequence = decodeCursor(cursor, subjectHash: subjectHash) else { return .failure(.invalidCursor) }
            before = sequence
        }
        guard let index = fixedIndex ?? follower?.index else {
            return .failure(.unavailable("the subject index is not open"))
        }
        do {
            let (entries, more) = try index.records(
                subjectHash: subjectHash, before: before, notBefore: notBefore, limit: max(1, limit))
            let next = more ? entries.last.map { encodeCursor(sequence: $0.sequence, subjectHash: subjectHash) } : nil
            return .success(AuditHistoryPage(entries: entries, cursor: next))
        } catch {
            return .failure(.unavailable("\(error)"))
        }
    }

    func encodeCursor(sequence: UInt64, subjectHash: [UInt8]) -> String {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: sequence.bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: mac(sequenceBytes: bytes, subjectHash: subjectHash))
        return Base64.encodeURL(bytes)
    }

    func decodeCursor(_ text: String, subjectHash: [UInt8]) -> UInt64? {
        guard text.utf8.count == 32, let bytes = Base64.decodeURL(text), bytes.count == 24 else { return nil }
        let sequenceBytes = Array(bytes[0..<8])
        guard mac(sequenceBytes: sequenceBytes, subjectHash: subjectHash).constantTimeEquals(bytes[8..<24]) else { return nil }
        return sequenceBytes.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }
    }

    private func mac(sequenceBytes: [UInt8], subjectHash: [UInt8]) -> [UInt8] {
        Array(cursorKey.authenticationCode(subjectHash + sequenceBytes).prefix(16))
    }
}

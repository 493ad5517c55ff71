import Foundation
import IDGateStore
import Synchronization
@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

/// Builds audit logs for tests: a real directory, real files, real fsyncs.
enum AuditFixture {
    static let key = try! AuditKey(secret: Array(repeating: 7, count: 32))
    /// Subjects whose numbers must never appear in audit files.
    static let subjects = ["001085012345", "079203001122", "048190998877"]

    static func configuration(_ directory: URL, durability: AuditLogConfiguration.Durability = .beforeResponse,
                              maxSegmentBytes: Int = 64 << 20) -> AuditLogConfiguration {
        AuditLogConfiguration(directory: directory, key: key, durability: durability, maxSegmentBytes: maxSegmentBytes,
                              minimumFreeBytes: 0)
    }

    static func record(_ index: Int, client: String = "bank-a", time: Date = Date()) -> AuditRecord {
        AuditRecord(
            time: time, clientID: client, purpose: "account-opening", operation: .match, transactionID: "tx-\(index)",
            subjectIDNumber: subjects[index % subjects.count], attributes: AttributeSet([.idNumber, .fullName, .dateOfBirth]),
            decision: index % 2 == 0 ? .match : .mismatch, status: 200, latencyMicros: UInt32(100 + index))
    }

    /// Appends and waits for the completion.
    @discardableResult
    static func append(_ log: AuditLog, _ record: AuditRecord) -> Result<Void, AuditError> {
        let done = DispatchSemaphore(value: 0)
        let box = AuditResultBox()
        log.append(record) { result in
            box.set(result)
            done.signal()
        }
        done.wait()
        return box.get()
    }

    /// A closed log of `count` records spread over several small segments.
    static func makeLog(in directory: URL, count: Int, maxSegmentBytes: Int = 2048) throws {
        let log = try AuditLog(configuration: configuration(directory, maxSegmentBytes: maxSegmentBytes))
        for index in 1...count { _ = try append(log, record(index)).get() }
        log.close()
    }
}

/// Carries a completion's result back to the waiting test thread.
final class AuditResultBox: Sendable {
    private let result = Mutex<Result<Void, AuditError>>(.failure(.closed))

    func set(_ value: Result<Void, AuditError>) { result.withLock { $0 = value } }
    func get() -> Result<Void, AuditError> { result.withLock { $0 } }
}

import Foundation
import IDGateStore

/// What the gateway submits for one request. `subjectIDNumber` is only held in memory until the writer thread
/// replaces it with its keyed hash (HMAC-SHA256 with the audit key); the number itself is never written.
public struct AuditRecord: Sendable {
    public var time: Date
    public var clientID: String
    public var purpose: String?
    public var operation: ClientOperation
    public var transactionID: String
    /// The ID number the request was about (nil for e.g. a chip challenge).
    public var subjectIDNumber: String?
    public var attributes: AttributeSet
    public var decision: AuditDecision
    public var status: UInt16
    public var latencyMicros: UInt32

    public init(
        time: Date = Date(), clientID: String, purpose: String?, operation: ClientOperation, transactionID: String,
        subjectIDNumber: String?, attributes: AttributeSet, decision: AuditDecision, status: UInt16, latencyMicros: UInt32
    ) {
        self.time = time
        self.clientID = clientID
        self.purpose = purpose
        self.operation = operation
        self.transactionID = transactionID
        self.subjectIDNumber = subjectIDNumber
        self.attributes = attributes
        self.decision = decision
        self.status = status
        self.latencyMicros = latencyMicros
    }
}

extension AuditRecord: CustomStringConvertible {
    /// Never prints the subject's number, so a stray log line cannot leak it.
    public var description: String {
        "AuditRecord(client: \(clientID), operation: \(operation.rawValue), transaction: \(transactionID), status: \(status))"
    }
}

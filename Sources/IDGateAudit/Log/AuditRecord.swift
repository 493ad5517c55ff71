import Foundation
import IDGateCore
import IDGateStore
import IDGateWire

/// What the gateway submits for one request. `subjectIDNumber` is only held in memory until the writer thread
/// replaces it with its keyed hash (HMAC-SHA256 with the audit key); the number itself is never written.
public struct AuditRecord: Sendable {
    public var time: Date
    public var clientID: String
    public var purpose: String?
    public var operation: ClientOperation
    /// Held unformatted on the hot path (`Text`): the writer thread formats it straight into the frame.
    public var transactionText: Text
    var subjectText: Text?
    public var transactionID: String {
        get { transactionText.string }
        set { transactionText = .string(newValue) }
    }
    /// The ID number the request was about (nil for e.g. a chip challenge).
    public var subjectIDNumber: String? {
        get {
            if case .keyedHash? = subjectText { return nil }
            return subjectText?.string
        }
        set { subjectText = newValue.map(Text.string) }
    }
    /// The subject's keyed hash when the request path already computed it (`AuditKey.subjectKey`): the writer
    /// stores it as is. Setting it replaces the ID number, which then never reaches the writer thread.
    public var subjectHash: SHA256Key? {
        get { if case .keyedHash(let hash)? = subjectText { hash } else { nil } }
        set { if let newValue { subjectText = .keyedHash(newValue) } }
    }
    public var attributes: AttributeSet
    public var decision: AuditDecision
    public var status: UInt16
    public var latencyMicros: UInt32

    public init(
        time: Date = Date(), clientID: String, purpose: String?, operation: ClientOperation, transactionID: String,
        subjectIDNumber: String?, attributes: AttributeSet, decision: AuditDecision, status: UInt16, latencyMicros: UInt32
    ) {
        self.init(
            time: time, clientID: clientID, purpose: purpose, operation: operation,
            transactionText: .string(transactionID), subjectText: subjectIDNumber.map(Text.string),
            attributes: attributes, decision: decision, status: status, latencyMicros: latencyMicros)
    }

    /// Every field assigned once: assigning the texts after delegating to another initializer made a copy of the
    /// record on the request path.
    private init(
        time: Date, clientID: String, purpose: String?, operation: ClientOperation, transactionText: Text,
        subjectText: Text?, attributes: AttributeSet, decision: AuditDecision, status: UInt16, latencyMicros: UInt32
    ) {
        self.time = time
        self.clientID = clientID
        self.purpose = purpose
        self.operation = operation
        self.transactionText = transactionText
        self.subjectText = subjectText
        self.attributes = attributes
        self.decision = decision
        self.status = status
        self.latencyMicros = latencyMicros
    }
}

extension AuditRecord {
    /// The request path's form: no strings formatted or allocated for the transaction and subject.
    public init(
        time: Date = Date(), clientID: String, purpose: String?, operation: ClientOperation,
        transaction: TransactionID, subject: IDNumber?, attributes: AttributeSet, decision: AuditDecision,
        status: UInt16, latencyMicros: UInt32
    ) {
        self.init(
            time: time, clientID: clientID, purpose: purpose, operation: operation,
            transactionText: .transaction(transaction), subjectText: subject.map(Text.idNumber),
            attributes: attributes, decision: decision, status: status, latencyMicros: latencyMicros)
    }

    /// A text field of the record, possibly not yet formatted.
    public enum Text: Sendable {
        case string(String)
        case transaction(TransactionID)
        case idNumber(IDNumber)
        /// A subject already hashed with the audit key (never formatted back into a number).
        case keyedHash(SHA256Key)

        var string: String {
            switch self {
            case .string(let text): text
            case .transaction(let id): id.description
            case .idNumber(let number): number.description
            case .keyedHash(let hash): hash.hex
            }
        }

        /// Calls `body` with the UTF-8 bytes, formatting into stack memory where needed.
        func withUTF8<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            switch self {
            case .string(var text):
                return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
            case .transaction(let id):
                return withUnsafeTemporaryAllocation(byteCount: 26, alignment: 8) { memory in
                    id.store(at: memory.baseAddress!)
                    return body(UnsafeRawBufferPointer(memory))
                }
            case .idNumber(let number):
                return withUnsafeTemporaryAllocation(byteCount: 12, alignment: 8) { memory in
                    var rest = number.value
                    for index in (0..<12).reversed() {
                        memory[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                        rest /= 10
                    }
                    return body(UnsafeRawBufferPointer(memory))
                }
            case .keyedHash(let hash):
                var hex = hash.hex
                return hex.withUTF8 { body(UnsafeRawBufferPointer($0)) }
            }
        }
    }
}

extension AuditRecord: CustomStringConvertible {
    /// Never prints the subject's number, so a stray log line cannot leak it.
    public var description: String {
        "AuditRecord(client: \(clientID), operation: \(operation.rawValue), transaction: \(transactionID), status: \(status))"
    }
}

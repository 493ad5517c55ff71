import IDGateHTTP2
import NIOCore

/// The answers one event loop produced in one tick, finished together: signed with one signature
/// (`BatchResponseSigner`, grouped by connection), their audit records handed to the log in one `append`, and sent
/// when that commit is durable (or at once in async audit mode).
///
/// Why one batch instead of a closure per answer for signing and another for the audit: per answer this is one
/// array slot instead of two closure contexts, record copies and a lock round trip, and the writer thread hops
/// back to the loop once per tick. The first answer of a tick schedules `flush` as a task on the loop, which runs
/// after the tick's reads: every answer of the read burst goes into it, none waits for a later tick.
/// Not Sendable: one per event loop, used only on it.
final class AnswerBatch {
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPResponseHeaders
        var body: ByteBuffer
        let writer: ResponseWriter
        let signed: Bool
    }

    private let gateway: GatewayContext
    private let signer: BatchResponseSigner?
    private var answers: [Answer] = []
    private var records: [AuditRecord] = []
    private var scheduled = false

    init(gateway: GatewayContext) {
        self.gateway = gateway
        signer = gateway.signer.map(BatchResponseSigner.init(signer:))
    }

    /// True when answers must wait for the end of the tick (signing or audit on); else `GatewayContext` answers
    /// at once.
    var isNeeded: Bool { signer != nil || gateway.audit != nil }

    /// Queues an answer and its audit record; `signed` answers get the signature headers.
    func add(_ answer: Answer, record: AuditRecord) {
        answers.append(answer)
        records.append(record)
        guard !scheduled else { return }
        scheduled = true
        let unsafeSelf = UnsafeTransfer(self)
        answer.writer.eventLoop.execute { unsafeSelf.value.flush() }
    }

    private func flush() {
        scheduled = false
        var answers = self.answers
        let records = self.records
        self.answers = []
        self.records = []
        self.answers.reserveCapacity(answers.count)
        self.records.reserveCapacity(records.count)
        if let signer { sign(&answers, with: signer) }
        let signedAnswers = answers
        guard let audit = gateway.audit, let loop = answers.first?.writer.eventLoop else {
            Self.send(signedAnswers, records: records, result: .success(()), gateway: gateway)
            return
        }
        audit.append(contentsOf: records, on: loop) { [gateway] result in
            Self.send(signedAnswers, records: records, result: result, gateway: gateway)
        }
    }

    /// Adds the signature header to the signed answers: one group (Merkle subtree) per connection, split where it
    /// would outgrow what the connection's HPACK table can index.
    private func sign(_ answers: inout [Answer], with signer: BatchResponseSigner) {
        var openGroupOf: [ObjectIdentifier: Int] = [:]
        var members: [[Int]] = []
        var leaves: [[SHA256Key]] = []
        var groupLimit: [Int] = []
        for index in answers.indices where answers[index].signed {
            let leaf = answers[index].body.withUnsafeReadableBytes { MerkleHash.leaf($0) }
            let writer = answers[index].writer
            let connection = writer.connectionID
            if let group = openGroupOf[connection], members[group].count < groupLimit[group] {
                members[group].append(index)
                leaves[group].append(leaf)
            } else {
                let limit = openGroupOf[connection].map { groupLimit[$0] }
                    ?? signer.maximumGroupSize(headerTableSize: writer.headerTableSize)
                openGroupOf[connection] = members.count
                members.append([index])
                leaves.append([leaf])
                groupLimit.append(limit)
            }
        }
        guard !members.isEmpty else { return }
        let values = signer.headerValues(groups: leaves)
        for (group, indices) in members.enumerated() {
            if indices.count == 1 {
                // A lone answer's value is unique: indexing it would only push reusable entries out of the table.
                let index = indices[0]
                answers[index].headers.reserveCapacity(answers[index].headers.count + 1)
                answers[index].headers.add(name: ResponseSigner.headerName, value: values[group], neverIndexed: true)
            } else {
                // Shared by the group: not copied per answer, and HPACK sends it once per connection and tick.
                let shared = SharedHeaderValue(values[group])
                for index in indices { answers[index].headers.add(name: ResponseSigner.headerName, sharedValue: shared) }
            }
        }
    }

    /// Sends the answers, or 503 for each if their audit records could not be written.
    private static func send(
        _ answers: [Answer], records: [AuditRecord], result: Result<Void, AuditError>, gateway: GatewayContext
    ) {
        gateway.inFlight.wrappingSubtract(answers.count, ordering: .relaxed)
        switch result {
        case .success:
            for answer in answers {
                answer.writer.respond(status: HTTPStatus(answer.status), headers: answer.headers, body: answer.body)
            }
        case .failure(let error):
            for (answer, record) in zip(answers, records) {
                gateway.refuseUnaudited(record, error: error, writer: answer.writer)
            }
        }
    }
}

/// Moves a loop-confined value into a task that runs on the same loop.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

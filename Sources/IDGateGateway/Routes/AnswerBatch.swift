import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateWire
import NIOCore

/// The answers one event loop produced in one tick, finished together: signed with one signature
/// (`BatchResponseSigner`, grouped by connection), their audit records handed to the log in one `append`, and sent
/// when that commit is durable (or at once in async audit mode).
///
/// Why one batch instead of a closure per answer for signing and another for the audit: per answer this is one
/// array slot instead of two closure contexts, record copies and a lock round trip, and the writer thread hops
/// back to the loop once per tick. The first answer of a tick schedules `flush` as a task on the loop, which runs
/// after the tick's reads: every answer of the read burst goes into it, none waits for a later tick.
/// Each body is copied into its stream's pooled memory at once (`ResponseWriter.stageBody`), while it is still in
/// cache, and sent from there: no allocation and one copy per answer.
/// Not Sendable: one per event loop, used only on it.
final class AnswerBatch {
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPResponseHeaders
        /// The body waits in the stream's own memory (`ResponseWriter.stageBody`).
        let writer: ResponseWriter
        /// The body's Merkle leaf when the answer is to be signed: hashed in `add`, while the body is still in cache.
        let leaf: SHA256Key?
        /// Its audit record's place in the tick's `records` (which also hold the records of answers already sent).
        let record: Int
    }

    /// One tick's answers and audit records; reused once sent (allocating a tick's storage afresh each time, for
    /// hundreds of answers, showed in malloc's slow paths).
    private final class Tick {
        var answers: [Answer] = []
        var records: [AuditRecord] = []

        func clear() {
            answers.removeAll(keepingCapacity: true)
            records.removeAll(keepingCapacity: true)
        }
    }

    private let audit: AuditLog?
    private let signer: BatchResponseSigner?
    private let inFlight: InFlightRequests
    private var tick = Tick()
    private var spareTicks: [Tick] = []
    private var scheduled = false
    /// The loop this batch serves (known from the first answer or record).
    private var eventLoop: (any EventLoop)?

    init(audit: AuditLog?, signer: ResponseSigner?, inFlight: InFlightRequests) {
        self.audit = audit
        self.signer = signer.map(BatchResponseSigner.init(signer:))
        self.inFlight = inFlight
    }

    /// True when answers must wait for the end of the tick (signing or audit on); else `Answering` answers at once.
    var isNeeded: Bool { signer != nil || audit != nil }

    /// False while the audit log cannot write (disk full, I/O error): then no answer is sent before its record.
    var auditIsHealthy: Bool { audit?.isHealthy ?? true }

    /// Queues an answer (its body copied) and its audit record; `signed` answers get the signature header.
    func add(
        status: Int, headers: HTTPResponseHeaders, body: UnsafeRawBufferPointer, writer: ResponseWriter, signed: Bool,
        record: consuming AuditRecord
    ) {
        // Fails only when the stream is gone or already answered: then nothing will be sent for it either, but the
        // request is still audited.
        _ = writer.stageBody(body)
        let leaf = signed && signer != nil ? MerkleHash.leaf(body) : nil
        tick.answers.append(Answer(status: status, headers: headers, writer: writer, leaf: leaf, record: tick.records.count))
        tick.records.append(consume record)
        schedule(on: writer.eventLoop)
    }

    /// Queues the audit record of an answer already sent, which does not wait for it to be durable (a chip
    /// challenge: no personal data, and the verification that consumes it waits for its own record, later in the
    /// chain). The record joins this tick's commit; without an audit log there is nothing to queue.
    func addRecord(_ record: consuming AuditRecord, on loop: any EventLoop) {
        guard audit != nil else { return }
        tick.records.append(consume record)
        schedule(on: loop)
    }

    private func schedule(on loop: any EventLoop) {
        guard !scheduled else { return }
        scheduled = true
        eventLoop = loop
        let unsafeSelf = UnsafeTransfer(self)
        loop.execute { unsafeSelf.value.flush() }
    }

    private func flush() {
        scheduled = false
        let tick = self.tick
        self.tick = spareTicks.popLast() ?? Tick()
        if let signer { sign(&tick.answers, with: signer) }
        guard let audit, let loop = eventLoop else {
            send(tick, result: .success(()))
            return
        }
        // The completion runs on this loop, where both objects live.
        let confined = UnsafeTransfer((self, tick))
        audit.append(contentsOf: tick.records, on: loop) { result in confined.value.0.send(confined.value.1, result: result) }
    }

    /// Adds the signature header to the signed answers: one group (Merkle subtree) per connection, split where it
    /// would outgrow what the connection's HPACK table can index.
    private func sign(_ answers: inout [Answer], with signer: BatchResponseSigner) {
        struct Group {
            var members: [Int] = []
            var leaves: [SHA256Key] = []
            let limit: Int
        }
        var groups: [Group] = []
        var openGroupOf: [ObjectIdentifier: Int] = [:]
        // Read in place: copying an answer out of the array retains its writer and headers.
        answers.withUnsafeBufferPointer { answers in
            for index in answers.indices {
                guard let leaf = answers[index].leaf else { continue }
                let connectionID = answers[index].writer.connectionID
                var group = openGroupOf[connectionID] ?? -1
                if group < 0 || groups[group].members.count == groups[group].limit {
                    let limit = group >= 0
                        ? groups[group].limit
                        : signer.maximumGroupSize(headerTableSize: answers[index].writer.headerTableSize)
                    group = groups.count
                    groups.append(Group(limit: limit))
                    openGroupOf[connectionID] = group
                }
                groups[group].members.append(index)
                groups[group].leaves.append(leaf)
            }
        }
        guard !groups.isEmpty else { return }
        let values = signer.headerValues(groups: groups.map(\.leaves))
        for (group, value) in zip(groups, values) {
            if group.members.count == 1 {
                // A lone answer's value is unique: indexing it would only push reusable entries out of the table.
                let index = group.members[0]
                answers[index].headers.reserveCapacity(answers[index].headers.count + 1)
                answers[index].headers.add(name: ResponseSigner.headerName, value: value, neverIndexed: true)
            } else {
                // Shared by the group: not copied per answer, and HPACK sends it once per connection and tick.
                let shared = SharedHeaderValue(value)
                for index in group.members { answers[index].headers.add(name: ResponseSigner.headerName, sharedValue: shared) }
            }
        }
    }

    /// Sends the answers, or 503 for each if their audit records could not be written; keeps the storage.
    private func send(_ tick: Tick, result: Result<Void, AuditError>) {
        inFlight.release(tick.answers.count)
        switch result {
        case .success:
            tick.answers.withUnsafeBufferPointer { answers in
                for index in answers.indices {
                    answers[index].writer.respondWithStagedBody(
                        status: HTTPStatus(answers[index].status), headers: answers[index].headers)
                }
            }
        case .failure(let error):
            for answer in tick.answers {
                Self.refuseUnaudited(tick.records[answer.record], error: error, writer: answer.writer)
            }
        }
        tick.clear()
        if spareTicks.count < 4 { spareTicks.append(tick) }
    }
}

extension AnswerBatch {
    /// Answers 503 instead of an answer whose audit record could not be written.
    static func refuseUnaudited(_ record: AuditRecord, error: AuditError, writer: ResponseWriter) {
        var refusal = ByteBuffer()
        refusal.write("{\"transactionId\":")
        refusal.write(jsonString: record.transactionID)
        refusal.write(byte: UInt8(ascii: ","))
        WireError(.overloaded, message: "audit log unavailable (\(error)); request not answered")
            .writeMember(into: &refusal)
        refusal.write(byte: UInt8(ascii: "}"))
        writer.respond(
            status: .serviceUnavailable, headers: ["content-type": "application/json", "retry-after": "5"],
            body: refusal)
    }
}

/// Moves a loop-confined value into a task that runs on the same loop.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

import Foundation
import IDGateAudit
import IDGateCore
import IDGateHTTP2
import IDGateMatching
import IDGateStore
import IDGateWire
import NIOCore
import Synchronization

/// `POST /v1/identity/match:batch` (NDJSON, streamed both ways): one rate-limit token for the upload; each line is
/// authorized and audited on its own. A line's `"kind"` (`identity` by default, `document`, `organization`) says
/// which single endpoint's body it is; it is answered as that endpoint answers, under that endpoint's policy.
struct BatchMatchRoute: GatewayRoute {
    let registry: RegistryHolder
    let audit: AuditLog?
    let inFlight: InFlightRequests
    let admission: Admission
    /// Failed answers per (client, subject): a line about a subject the client used them up for gets a 429 line.
    let subjects: SubjectGuard
    let documents: DocumentVerifyCheck
    let organizations: OrganizationMatchCheck

    /// Its path: an upload streams for as long as the client sends, so its duration says nothing of late answers.
    static let path = "/v1/identity/match:batch"

    init(services: GatewayServices) {
        registry = services.registry
        audit = services.audit
        inFlight = services.inFlight
        admission = Admission(.batch, services: services)
        subjects = SubjectGuard(services: services)
        documents = DocumentVerifyCheck(services: services)
        organizations = OrganizationMatchCheck(services: services)
    }

    func register(on router: inout Router<LoopContext>) {
        router.onStreaming(.POST, Self.path, contentType: "application/x-ndjson", admission: admission) {
            request, writer, loop in
            BatchMatchHandler(route: self, client: request.client, writer: writer, loop: loop)
        }
    }
}

/// Answers an NDJSON batch line by line as the body streams in: each complete line is matched and its answer
/// line appended to the response; the request window is re-opened only after the answers to a chunk have been
/// accepted by the response stream, so memory stays bounded whatever the body size and however slowly the client
/// reads. A bad line is answered in place (`{"line": N, "ref": ..., "error": {...}}`) and never fails the batch.
///
/// Runs on the connection's event loop only (all three callbacks and the write completions).
final class BatchMatchHandler: StreamingBodyHandler {
    /// A line longer than this is answered with `invalid_json` and skipped up to its newline.
    static let maxLineBytes = 64 * 1024

    private let route: BatchMatchRoute
    private let client: Client
    private let writer: ResponseWriter
    private let loop: LoopContext
    private let stream: ResponseBodyStream
    /// When the current body chunk arrived, read once per chunk (clock reads were 3% of a batch line): the lines'
    /// audit time and date of matching; a line's latency runs from its chunk's arrival to its answer.
    private var chunkArrived = (monotonic: UInt64(0), now: Date(), today: PartialDate(year: 1970, month: 1, day: 1)!)
    /// The unfinished last line of the previous chunk.
    private var partial: [UInt8] = []
    private var skippingOverlongLine = false
    private var lineNumber = 0
    /// Set by the end of the body or a reset: the in-flight count is released exactly once.
    private var ended = false
    /// Durability of the batch's audit records: the response ends only when all are on disk.
    private let audits = BatchAuditTracker()
    /// The current chunk's audit records, handed to the log together at the end of the chunk.
    private var records: [AuditRecord] = []
    /// A line with a `"kind"` member, that member blanked (`BatchLineKind.read`).
    private var blanked: [UInt8] = []

    init(route: BatchMatchRoute, client: Client, writer: ResponseWriter, loop: LoopContext) {
        self.route = route
        self.client = client
        self.writer = writer
        self.loop = loop
        stream = writer.startStreaming(status: .ok, headers: .ndjson)
    }

    func didReceive(_ chunk: ByteBuffer) {
        guard !ended else { return }
        markChunkArrival()
        let answers = loop.withAnswerScratch { output -> ByteBuffer? in
            chunk.withUnsafeReadableBytes { bytes in
                var lineStart = 0
                // memchr: the byte loop was the handler's largest own cost.
                while lineStart < bytes.count,
                      let found = memchr(bytes.baseAddress! + lineStart, 0x0A, bytes.count - lineStart) {
                    let index = UnsafeRawPointer(found) - bytes.baseAddress!
                    let piece = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<index])
                    lineStart = index + 1
                    if skippingOverlongLine {
                        skippingOverlongLine = false
                        partial.removeAll(keepingCapacity: true)
                        continue
                    }
                    if partial.isEmpty {
                        answer(line: piece, into: &output)
                    } else {
                        partial.append(contentsOf: piece)
                        partial.withUnsafeBytes { answer(line: $0, into: &output) }
                        partial.removeAll(keepingCapacity: true)
                    }
                }
                keepUnfinished(UnsafeRawBufferPointer(rebasing: bytes[lineStart...]), into: &output)
            }
            return output.count == 0 ? nil : ByteBuffer(bytes: output.bytes)
        }
        appendRecords()
        let consumed = chunk.readableBytes
        let writer = self.writer
        guard let answers else {
            writer.consumed(consumed)
            return
        }
        stream.write(answers).whenComplete { result in
            if case .success = result { writer.consumed(consumed) }
        }
    }

    func didFinish() {
        guard !ended else { return }
        ended = true
        if !partial.isEmpty && !skippingOverlongLine {
            markChunkArrival()
            let answer = loop.withAnswerScratch { output in
                partial.withUnsafeBytes { self.answer(line: $0, into: &output) }
                return ByteBuffer(bytes: output.bytes)
            }
            partial.removeAll()
            stream.write(answer)
        }
        appendRecords()
        // End the response only once every line's audit record is durable (at once without auditing).
        audits.finishWhenDurable(stream)
        route.inFlight.release()
    }

    func didCancel() {
        if !ended { route.inFlight.release() }
        ended = true
    }

    private func markChunkArrival() {
        let now = Date()
        chunkArrived = (MonotonicClock.nanoseconds(), now, PartialDate.today(secondsSinceEpoch: now.timeIntervalSince1970))
    }

    /// Keeps the tail of a chunk that has no newline yet, bounded by `maxLineBytes`.
    private func keepUnfinished(_ tail: UnsafeRawBufferPointer, into output: inout ScratchByteSink) {
        guard !tail.isEmpty, !skippingOverlongLine else { return }
        if partial.count + tail.count > Self.maxLineBytes {
            lineNumber += 1
            writeLineError(
                WireError(.invalidJSON, message: "line longer than \(Self.maxLineBytes) bytes"), into: &output)
            partial.removeAll(keepingCapacity: true)
            skippingOverlongLine = true
            return
        }
        partial.append(contentsOf: tail)
    }

    private func answer(line: UnsafeRawBufferPointer, into output: inout ScratchByteSink) {
        lineNumber += 1
        if line.isEmpty || (line.count == 1 && line[0] == 0x0D) { lineNumber -= 1; return }  // blank lines are skipped
        guard let reader = loop.reader(from: route.registry) else {
            writeLineError(WireError(.overloaded, message: "the registry is not open yet"), into: &output)
            return
        }
        var body = line
        if let last = body.last, last == 0x0D { body = UnsafeRawBufferPointer(rebasing: body.dropLast()) }
        switch BatchLineKind.read(body, blanked: &blanked) {
        case .failure(let refused):
            writeLineError(refused.error, ref: refused.ref, into: &output)
            finishLine(
                AuditRecord(
                    time: chunkArrived.now, clientID: client.id, purpose: nil, operation: .batch,
                    transactionID: "line-\(lineNumber)", subjectIDNumber: nil, attributes: [], decision: .none,
                    status: UInt16(refused.error.status), latencyMicros: 0),
                decision: .none, errorCode: refused.error.code.rawValue)
        case .success(let reading) where reading.isBlanked:
            let blanked = self.blanked
            blanked.withUnsafeBytes { answer(body: $0, kind: reading, reader: reader, into: &output) }
        case .success(let reading):
            answer(body: body, kind: reading, reader: reader, into: &output)
        }
    }

    private func answer(
        body: UnsafeRawBufferPointer, kind: BatchLineKind.Reading, reader: RegistryReader,
        into output: inout ScratchByteSink
    ) {
        switch kind.kind {
        case .identity: answerIdentity(line: body, reader: reader, into: &output)
        case .document: answer(route.documents, body: body, ref: kind.ref, reader: reader, into: &output)
        case .organization: answer(route.organizations, body: body, ref: kind.ref, reader: reader, into: &output)
        }
    }

    /// A document or organization line: as its single endpoint answers it, under that endpoint's policy; audited
    /// under that endpoint's operation.
    private func answer<Check: KindCheck>(
        _ check: Check, body: UnsafeRawBufferPointer, ref: String?, reader: RegistryReader,
        into output: inout ScratchByteSink
    ) {
        let response = check.respond(
            to: body, reader: reader, client: client, subjects: route.subjects, now: chunkArrived.now,
            today: chunkArrived.today, nextTransactionID: loop.nextTransactionID, into: &output)
        switch response.outcome {
        case .success(let answer):
            output.write(byte: 0x0A)
            finishLine(
                check.auditRecord(
                    response.parsed, subjectKey: response.subjectKey, transaction: .transaction(answer.transactionID),
                    decision: AuditDecision(answer.decision), status: 200, time: chunkArrived.now, client: client),
                decision: AuditDecision(answer.decision), errorCode: nil)
        case .failure(let error):
            writeLineError(error, ref: ref, into: &output)
            finishLine(
                check.auditRecord(
                    response.parsed, subjectKey: response.subjectKey, transaction: .string("line-\(lineNumber)"),
                    decision: .none, status: UInt16(error.status), time: chunkArrived.now, client: client),
                decision: .none, errorCode: error.code.rawValue)
        }
    }

    /// Counts a non-identity line and keeps its audit record (latency from its chunk's arrival).
    private func finishLine(_ record: AuditRecord, decision: AuditDecision, errorCode: String?) {
        let latencyMicros = UInt32(clamping: (MonotonicClock.nanoseconds() &- chunkArrived.monotonic) / 1000)
        client.metrics.record(decision: decision, errorCode: errorCode, latencyMicros: Int(latencyMicros))
        guard route.audit != nil else { return }
        var record = record
        record.latencyMicros = latencyMicros
        if records.isEmpty { records.reserveCapacity(256) }
        records.append(record)
    }

    private func answerIdentity(line: UnsafeRawBufferPointer, reader: RegistryReader, into output: inout ScratchByteSink) {
        let today = chunkArrived.today
        let client = self.client
        loop.responder.engine.policy = client.reasonDecisions
        let subjects = route.subjects
        let now = chunkArrived.now
        var subject: SHA256Key? = nil
        let outcome = loop.responder.respond(
            toBatchLine: line, number: lineNumber, lookup: reader, today: today, into: &output
        ) { parsed in
            if let refused = client.authorize(
                operation: .batch, attributes: parsed.attributes.set, purpose: parsed.text(.purpose))
            {
                return WireError(policy: refused)
            }
            subject = subjects.subjectKey(of: parsed, client: client)
            guard let subject else { return nil }
            return subjects.refusal(subject: subject, client: client, now: now)?.error
        }
        let parsed = loop.responder.parser.request
        let answer: MatchAnswer?
        let failure: WireError?
        switch outcome {
        case .success(let answered): (answer, failure) = (answered, nil)
        case .failure(let error): (answer, failure) = (nil, error)
        }
        if let answer { subjects.observe(answer.decision, subject: subject, client: client, now: now) }
        let decision = AuditDecision(answer?.decision)
        let latencyMicros = UInt32(clamping: (MonotonicClock.nanoseconds() &- chunkArrived.monotonic) / 1000)
        client.metrics.record(decision: decision, errorCode: failure?.code.rawValue, latencyMicros: Int(latencyMicros))
        auditLine(
            transaction: answer.map { .transaction($0.transactionID) } ?? .string("line-\(lineNumber)"),
            subject: parsed.idNumber, subjectHash: subject,
            foreignerSubject: parsed.idNumber == nil ? parsed.foreignerSubject : nil, purpose: parsed.text(.purpose),
            attributes: parsed.attributes.set, decision: decision, status: UInt16(failure?.status ?? 200),
            latencyMicros: latencyMicros)
    }

    private func writeLineError(_ error: WireError, ref: String? = nil, into output: inout ScratchByteSink) {
        output.write("{\"line\":")
        output.write(decimal: lineNumber)
        if let ref {
            output.write(",\"ref\":")
            output.write(jsonString: ref)
        }
        output.write(byte: UInt8(ascii: ","))
        error.writeMember(into: &output)
        output.write("}\n")
    }

    private func auditLine(
        transaction: AuditRecord.Text, subject: IDNumber?, subjectHash: SHA256Key?, foreignerSubject: String?,
        purpose: String?,
        attributes: AttributeSet, decision: AuditDecision, status: UInt16, latencyMicros: UInt32
    ) {
        guard route.audit != nil else { return }
        var record = AuditRecord(
            time: chunkArrived.now, clientID: client.id, purpose: purpose, operation: .batch,
            transaction: TransactionID(high: 0, low: 0), subject: subject, attributes: attributes, decision: decision,
            status: status, latencyMicros: latencyMicros)
        record.transactionText = transaction
        record.subjectHash = subjectHash
        if subjectHash == nil, let foreignerSubject { record.subjectIDNumber = foreignerSubject }
        if records.isEmpty { records.reserveCapacity(256) }
        records.append(record)
    }

    /// One append (one lock, one completion) per chunk instead of per line.
    private func appendRecords() {
        guard let audit = route.audit, !records.isEmpty else { return }
        audit.append(contentsOf: records, on: writer.eventLoop, completion: audits.recordsAppended(records.count, stream))
        records = []
    }
}

/// Counts a batch's audit records from append to durable. The response stream finishes once the batch has ended
/// and every record is durable; the first failed record (audit disk full) aborts the stream (RST_STREAM), so the
/// client sees the batch fail rather than a truncated body that looks complete — it must retry.
/// Completions arrive on the writer thread or the loop, hence the atomics (the end-of-body check and the last
/// completion use sequentially consistent order so that one of them always sees the other).
final class BatchAuditTracker: Sendable {
    private let appended = Atomic<Int>(0)
    private let durable = Atomic<Int>(0)
    private let ended = Atomic<Bool>(false)
    private let settled = Atomic<Bool>(false)

    /// Call once per append of `count` records; returns its completion.
    func recordsAppended(_ count: Int, _ stream: ResponseBodyStream) -> AuditLog.Completion {
        appended.add(count, ordering: .relaxed)
        return { [self] result in
            switch result {
            case .success:
                let done = durable.add(count, ordering: .sequentiallyConsistent).newValue
                if ended.load(ordering: .sequentiallyConsistent), done == appended.load(ordering: .relaxed) { settle(stream, finish: true) }
            case .failure:
                settle(stream, finish: false)
            }
        }
    }

    /// The batch body has ended: finish the stream now if every record is durable, else when the last one is.
    func finishWhenDurable(_ stream: ResponseBodyStream) {
        ended.store(true, ordering: .sequentiallyConsistent)
        if durable.load(ordering: .sequentiallyConsistent) == appended.load(ordering: .relaxed) { settle(stream, finish: true) }
    }

    private func settle(_ stream: ResponseBodyStream, finish: Bool) {
        guard settled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return
        }
        if finish { stream.finish() } else { stream.abort() }
    }
}

import Foundation
import IDGateHTTP2
import IDGateMatching
import IDGateStore
import NIOCore

extension GatewayContext {
    /// Admits a batch (one rate-limit token for the upload; each line is authorized and audited on its own) and
    /// returns the handler that streams answers while the body arrives.
    func startBatch(_ request: HTTPRequest, _ writer: ResponseWriter) -> any StreamingBodyHandler {
        let loop = LoopContext.current(for: self)
        guard let client = admit(request, operation: .batch, writer: writer, loop: loop) else {
            return DiscardingBodyHandler(writer: writer)
        }
        return BatchMatchHandler(context: self, client: client, writer: writer, loop: loop)
    }
}

/// Drains the body of a refused streaming request (the answer was already sent).
final class DiscardingBodyHandler: StreamingBodyHandler {
    let writer: ResponseWriter
    init(writer: ResponseWriter) { self.writer = writer }
    func didReceive(_ chunk: ByteBuffer) { writer.consumed(chunk.readableBytes) }
    func didFinish() {}
    func didCancel() {}
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

    private let context: GatewayContext
    private let client: Client
    private let writer: ResponseWriter
    private let loop: LoopContext
    private let stream: ResponseBodyStream
    private let started = MonotonicClock.nanoseconds()
    /// The unfinished last line of the previous chunk.
    private var partial: [UInt8] = []
    private var skippingOverlongLine = false
    private var lineNumber = 0
    /// Set by the end of the body or a reset: the in-flight count is released exactly once.
    private var ended = false
    private var lastAudit: AuditPending?

    init(context: GatewayContext, client: Client, writer: ResponseWriter, loop: LoopContext) {
        self.context = context
        self.client = client
        self.writer = writer
        self.loop = loop
        stream = writer.startStreaming(status: .ok, headers: .ndjson)
    }

    func didReceive(_ chunk: ByteBuffer) {
        guard !ended else { return }
        var output = loop.encodeScratch
        loop.encodeScratch = []  // the loop's scratch comes back below: no copy-on-write while writing
        output.removeAll(keepingCapacity: true)
        defer { loop.encodeScratch = output }
        chunk.withUnsafeReadableBytes { bytes in
            var lineStart = 0
            for index in 0..<bytes.count where bytes[index] == 0x0A {
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
        let consumed = chunk.readableBytes
        let writer = self.writer
        if output.isEmpty {
            writer.consumed(consumed)
            return
        }
        stream.write(ByteBuffer(bytes: output)).whenComplete { result in
            if case .success = result { writer.consumed(consumed) }
        }
    }

    func didFinish() {
        guard !ended else { return }
        ended = true
        if !partial.isEmpty && !skippingOverlongLine {
            var output: [UInt8] = []
            partial.withUnsafeBytes { answer(line: $0, into: &output) }
            partial.removeAll()
            stream.write(ByteBuffer(bytes: output))
        }
        let stream = self.stream
        let finishStream: @Sendable () -> Void = { stream.finish() }
        // End the response only once the last line's audit record is durable.
        if let lastAudit {
            lastAudit.whenDurable(finishStream)
        } else {
            finishStream()
        }
        context.inFlight.wrappingSubtract(1, ordering: .relaxed)
    }

    func didCancel() {
        if !ended { context.inFlight.wrappingSubtract(1, ordering: .relaxed) }
        ended = true
    }

    /// Keeps the tail of a chunk that has no newline yet, bounded by `maxLineBytes`.
    private func keepUnfinished(_ tail: UnsafeRawBufferPointer, into output: inout [UInt8]) {
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

    private func answer(line: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        lineNumber += 1
        if line.isEmpty || (line.count == 1 && line[0] == 0x0D) { lineNumber -= 1; return }  // blank lines are skipped
        guard let reader = loop.reader(from: context.registry) else {
            writeLineError(WireError(.overloaded, message: "the registry is not open yet"), into: &output)
            return
        }
        let lineStarted = MonotonicClock.nanoseconds()
        let today = PartialDate.today(secondsSinceEpoch: Date().timeIntervalSince1970)
        let client = self.client
        let failure = loop.responder.respond(
            toBatchLine: line, number: lineNumber, lookup: reader, today: today, into: &output
        ) { parsed in
            client.authorize(operation: .batch, attributes: parsed.attributes.set, purpose: parsed.text(.purpose))
                .map(WireError.init(policy:))
        }
        let parsed = loop.responder.parser.request
        let decision = failure == nil ? AuditDecision(loop.responder.lastDecision) : .none
        client.metrics.record(
            decision: decision, errorCode: failure?.code.rawValue,
            latencyMicros: Int((MonotonicClock.nanoseconds() &- lineStarted) / 1000))
        auditLine(
            transaction: failure == nil ? .transaction(loop.responder.lastTransactionID) : .string("line-\(lineNumber)"),
            subject: parsed.idNumber, purpose: parsed.text(.purpose), attributes: parsed.attributes.set,
            decision: decision, status: UInt16(failure?.status ?? 200))
    }

    private func writeLineError(_ error: WireError, into output: inout [UInt8]) {
        output.write("{\"line\":")
        output.write(decimal: lineNumber)
        output.write(byte: UInt8(ascii: ","))
        error.writeMember(into: &output)
        output.write("}\n")
    }

    private func auditLine(
        transaction: AuditRecord.Text, subject: IDNumber?, purpose: String?, attributes: AttributeSet,
        decision: AuditDecision, status: UInt16
    ) {
        guard let audit = context.audit else { return }
        let pending = AuditPending(eventLoop: writer.eventLoop)
        var record = AuditRecord(
            clientID: client.id, purpose: purpose, operation: .batch, transaction: TransactionID(high: 0, low: 0),
            subject: subject, attributes: attributes, decision: decision, status: status,
            latencyMicros: UInt32(clamping: (MonotonicClock.nanoseconds() &- started) / 1000))
        record.transactionText = transaction
        audit.append(
            record,
            on: writer.eventLoop
        ) { result in pending.complete(result) }
        lastAudit = pending
    }
}

/// The durability of one audit record, observed on an event loop. A failed record (audit disk full) ends the batch
/// without its final newline-terminated success: the client sees a truncated stream and must retry.
final class AuditPending: Sendable {
    private let promise: EventLoopPromise<Void>
    init(eventLoop: any EventLoop) { promise = eventLoop.makePromise() }
    func complete(_ result: Result<Void, AuditError>) {
        switch result {
        case .success: promise.succeed()
        case .failure(let error): promise.fail(error)
        }
    }
    func whenDurable(_ body: @escaping @Sendable () -> Void) {
        promise.futureResult.whenSuccess { body() }
    }
}

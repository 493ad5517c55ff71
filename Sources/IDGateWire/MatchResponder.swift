import IDGateCore
import IDGateMatching
import IDGateStore

/// The whole match exchange on bytes: parse the body, let the caller's policy look at the request, look the resident
/// up, compare, and write the response. One per event loop (it owns a parser and an ID generator), shared by the
/// single and the batch route and by benchmarks.
public struct MatchResponder: Sendable {
    public var engine: MatchEngine
    public var parser = MatchRequestParser()
    public var transactionIDs = TransactionIDGenerator()
    /// The result of the last answered request (nil when it failed): the gateway audits and counts it.
    /// (Settable only so the inlinable `respond` can record it; callers read it.)
    public var lastResult: MatchResult?
    public var lastDecision: MatchDecision? { lastResult?.decision }
    /// The transaction ID of the last response written.
    public var lastTransactionID = TransactionID(high: 0, low: 0)

    public init(engine: MatchEngine = MatchEngine()) {
        self.engine = engine
    }

    /// Answers one request body. On success writes the 200 response and returns nil; otherwise writes nothing and
    /// returns the error (the route answers it with `error.status` and `error.encode(transactionID:into:)`).
    /// `authorize` sees the parsed request before the lookup (purpose and attribute policy).
    @inlinable
    public mutating func respond<L: ResidentLookup, S: ByteSink>(
        to body: UnsafeRawBufferPointer, lookup: L, today: PartialDate, into sink: inout S,
        authorize: (MatchRequest) -> WireError? = { _ in nil }
    ) -> WireError? {
        lastResult = nil
        if let error = parser.parse(body) { return error }
        if let error = authorize(parser.request) { return error }
        let result = engine.match(parser.request, in: lookup, today: today)
        lastResult = result
        lastTransactionID = transactionIDs.next()
        MatchResponseEncoder.encode(result, for: parser.request, transactionID: lastTransactionID, into: &sink)
        return nil
    }

    /// Answers one NDJSON batch line (`number` counts from 1) with exactly one output line ending in `\n`: the match
    /// response, or `{"line": N, "ref": ..., "error": {...}}` — a bad line never fails the batch. A trailing `\r`
    /// is ignored. Returns the error written, if any.
    @discardableResult @inlinable
    public mutating func respond<L: ResidentLookup, S: ByteSink>(
        toBatchLine line: UnsafeRawBufferPointer, number: Int, lookup: L, today: PartialDate, into sink: inout S,
        authorize: (MatchRequest) -> WireError? = { _ in nil }
    ) -> WireError? {
        var body = line
        if let last = body.last, last == 0x0D { body = UnsafeRawBufferPointer(rebasing: body.dropLast()) }
        let error = respond(to: body, lookup: lookup, today: today, into: &sink, authorize: authorize)
        if let error {
            sink.write("{\"line\":")
            sink.write(decimal: number)
            MatchResponseEncoder.writeRef(of: parser.request, into: &sink)
            sink.write(byte: UInt8(ascii: ","))
            error.writeMember(into: &sink)
            sink.write(byte: UInt8(ascii: "}"))
        }
        sink.write(byte: 0x0A)
        return error
    }
}

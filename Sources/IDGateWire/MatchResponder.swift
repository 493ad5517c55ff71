import IDGateCore
import IDGateMatching
import IDGateStore

/// What one answered match request produced: what the gateway audits, counts and signs.
public struct MatchAnswer: Sendable {
    public let transactionID: TransactionID
    public let result: MatchResult
    public var decision: MatchDecision { result.decision }

    public init(transactionID: TransactionID, result: MatchResult) {
        self.transactionID = transactionID
        self.result = result
    }
}

/// The whole match exchange on bytes: parse the body, let the caller's policy look at the request, look the resident
/// up, compare, and write the response. One per event loop (it owns a parser and an ID generator), shared by the
/// single and the batch route and by benchmarks. Each call returns its outcome; nothing is left behind in fields
/// but the parsed request (`parser.request`, valid until the next call).
public struct MatchResponder: Sendable {
    public var engine: MatchEngine
    public var parser = MatchRequestParser()
    public var transactionIDs = TransactionIDGenerator()

    public init(engine: MatchEngine = MatchEngine()) {
        self.engine = engine
    }

    /// Answers one request body. On success writes the 200 response and returns the answer; otherwise writes
    /// nothing and returns the error (the route answers it with `error.status` and `error.encode(transactionID:into:)`).
    /// `authorize` sees the parsed request before the lookup (purpose and attribute policy).
    @inlinable
    public mutating func respond<L: ResidentLookup, S: ByteSink>(
        to body: UnsafeRawBufferPointer, lookup: L, today: PartialDate, into sink: inout S,
        authorize: (MatchRequest) -> WireError? = { _ in nil }
    ) -> Result<MatchAnswer, WireError> {
        if let error = parser.parse(body) { return .failure(error) }
        if let error = authorize(parser.request) { return .failure(error) }
        let result = engine.match(parser.request, in: lookup, today: today)
        let transactionID = transactionIDs.next()
        MatchResponseEncoder.encode(result, for: parser.request, transactionID: transactionID, into: &sink)
        return .success(MatchAnswer(transactionID: transactionID, result: result))
    }

    /// Answers one NDJSON batch line (`number` counts from 1) with exactly one output line ending in `\n`: the match
    /// response, or `{"line": N, "ref": ..., "error": {...}}` — a bad line never fails the batch. A trailing `\r`
    /// is ignored.
    @discardableResult @inlinable
    public mutating func respond<L: ResidentLookup, S: ByteSink>(
        toBatchLine line: UnsafeRawBufferPointer, number: Int, lookup: L, today: PartialDate, into sink: inout S,
        authorize: (MatchRequest) -> WireError? = { _ in nil }
    ) -> Result<MatchAnswer, WireError> {
        var body = line
        if let last = body.last, last == 0x0D { body = UnsafeRawBufferPointer(rebasing: body.dropLast()) }
        let outcome = respond(to: body, lookup: lookup, today: today, into: &sink, authorize: authorize)
        if case .failure(let error) = outcome {
            sink.write("{\"line\":")
            sink.write(decimal: number)
            MatchResponseEncoder.writeRef(of: parser.request, into: &sink)
            sink.write(byte: UInt8(ascii: ","))
            error.writeMember(into: &sink)
            sink.write(byte: UInt8(ascii: "}"))
        }
        sink.write(byte: 0x0A)
        return outcome
    }
}

import Foundation
import IDGateCore
import IDGateMatching
import IDGateStore
import Synchronization

/// One thread's share of an offline match: a line range of the input, its own reader and responder, its own
/// output file.
struct ShardWorker: Sendable {
    let store: RegistryStore
    let engine: MatchEngine
    let columns: [RequestField?]
    let inputFormat: OfflineMatcher.Format
    let outputFormat: OfflineMatcher.Format

    func run(
        file: MappedFile, range: Range<Int>, firstLine: Int, outputPath: String, done: borrowing Atomic<Int>,
        bytesDone: borrowing Atomic<Int>
    ) throws(OfflineMatcher.Failure) -> OfflineMatcher.Summary {
        guard let out = fopen(outputPath, "we") else {
            throw OfflineMatcher.Failure(description: "cannot create \(outputPath): \(String(cString: strerror(errno)))")
        }
        defer { fclose(out) }
        let reader = store.makeReader()
        var responder = MatchResponder(engine: engine)
        var request = MatchRequest()
        var summary = OfflineMatcher.Summary()
        let today = PartialDate.today(secondsSinceEpoch: Date().timeIntervalSince1970)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var lineNumber = firstLine - 1
        var kinds = KindLines(engine: engine)
        var iterator = LineIterator(file.bytes, range: range)
        var sinceReport = 0
        var bytesSinceReport = 0
        while let (line, _) = iterator.next() {
            lineNumber += 1
            bytesSinceReport += line.count + 1
            if line.isEmpty { continue }
            // A document or organization line (`"kind"`) is answered here; an identity line below, from the line
            // without its `"kind"` member when it had one.
            var blankedIdentity: [UInt8]?
            var answered = false
            if inputFormat == .ndjson {
                switch kinds.answer(
                    line, number: lineNumber, reader: reader, today: today, csv: outputFormat == .csv,
                    transactionIDs: &responder.transactionIDs, summary: &summary, into: &buffer)
                {
                case .answered: answered = true
                case .identity(let blanked): blankedIdentity = blanked
                }
            }
            if !answered {
                let error: WireError?
                let result: MatchResult?
                switch inputFormat {
                case .ndjson:
                    if let blankedIdentity {
                        (result, error, request) = blankedIdentity.withUnsafeBytes { line in
                            identity(line, number: lineNumber, reader: reader, today: today, responder: &responder, into: &buffer)
                        }
                    } else {
                        (result, error, request) = identity(
                            line, number: lineNumber, reader: reader, today: today, responder: &responder, into: &buffer)
                    }
                case .csv:
                    error = fill(&request, csvLine: line)
                    result = error == nil ? engine.match(request, in: reader, today: today) : nil
                }
                if !(inputFormat == .ndjson && outputFormat == .ndjson) {
                    write(result: result, error: error, request: request, line: lineNumber, responder: &responder, into: &buffer)
                }
                count(result: result, error: error, into: &summary)
            }
            if buffer.count >= 1 << 20 {
                try flush(&buffer, to: out, path: outputPath)
            }
            sinceReport += 1
            if sinceReport == 4096 {
                done.wrappingAdd(sinceReport, ordering: .relaxed)
                bytesDone.wrappingAdd(bytesSinceReport, ordering: .relaxed)
                sinceReport = 0
                bytesSinceReport = 0
            }
        }
        done.wrappingAdd(sinceReport, ordering: .relaxed)
        bytesDone.wrappingAdd(bytesSinceReport, ordering: .relaxed)
        try flush(&buffer, to: out, path: outputPath)
        return summary
    }

    /// An identity line of an NDJSON input: answered into `buffer` with NDJSON output, else only matched.
    private func identity(
        _ line: UnsafeRawBufferPointer, number: Int, reader: RegistryReader, today: PartialDate,
        responder: inout MatchResponder, into buffer: inout [UInt8]
    ) -> (MatchResult?, WireError?, MatchRequest) {
        if outputFormat == .ndjson {
            switch responder.respond(toBatchLine: line, number: number, lookup: reader, today: today, into: &buffer) {
            case .success(let answer): return (answer.result, nil, responder.parser.request)
            case .failure(let failure): return (nil, failure, responder.parser.request)
            }
        }
        let error = responder.parser.parse(line)
        let request = responder.parser.request
        return (error == nil ? engine.match(request, in: reader, today: today) : nil, error, request)
    }

    /// Sets the request's fields from one CSV row (columns from the header); nil when it is a valid request.
    private func fill(_ request: inout MatchRequest, csvLine: UnsafeRawBufferPointer) -> WireError? {
        request.reset()
        var column = 0
        var problem: RequestProblem?
        CSVLine.forEachField(csvLine) { value in
            defer { column += 1 }
            guard column < columns.count, let field = columns[column], !value.isEmpty else { return }
            // After a bad field, only `ref` is still read, so the error row can be traced to its caller.
            guard problem == nil || field == .ref else { return }
            let fieldProblem = request.set(field, utf8: value)
            if problem == nil { problem = fieldProblem }
        }
        if let problem { return WireError(problem) }
        if column > columns.count {
            return WireError(.invalidJSON, message: "row has \(column) fields, the header \(columns.count)")
        }
        return request.validate().map(WireError.init)
    }

    private func write(
        result: MatchResult?, error: WireError?, request: MatchRequest, line: Int, responder: inout MatchResponder,
        into buffer: inout [UInt8]
    ) {
        switch outputFormat {
        case .ndjson:
            if let result {
                MatchResponseEncoder.encode(
                    result, for: request, transactionID: responder.transactionIDs.next(), into: &buffer)
            } else if let error {
                buffer.write("{\"line\":")
                buffer.write(decimal: line)
                buffer.write(byte: UInt8(ascii: ","))
                error.writeMember(into: &buffer)
                buffer.write(byte: UInt8(ascii: "}"))
            }
            buffer.write(byte: 0x0A)
        case .csv:
            CSVAnswer.write(line: line, request: request, result: result, error: error, into: &buffer)
        }
    }

    private func count(result: MatchResult?, error: WireError?, into summary: inout OfflineMatcher.Summary) {
        summary.lines += 1
        if let error {
            summary.errors[error.code.rawValue, default: 0] += 1
            return
        }
        guard let result else { return }
        summary.decisions[result.decision.wireNameString, default: 0] += 1
        for attribute in result.fields {
            for reason in result[attribute].reasons { summary.reasons[reason.wireName, default: 0] += 1 }
        }
    }

    private func flush(_ buffer: inout [UInt8], to file: UnsafeMutablePointer<FILE>, path: String) throws(OfflineMatcher.Failure) {
        guard !buffer.isEmpty else { return }
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == buffer.count else {
            throw OfflineMatcher.Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// One CSV answer row: `line,ref,decision,error,<attribute>…,record,card`; an attribute cell is
/// `result:score:reason;reason` when submitted, empty otherwise.
enum CSVAnswer {
    static let attributes: [Attribute] = Attribute.allCases.filter { $0 != .idNumber }
    static let header = "line,ref,decision,error," + attributes.map(\.wireName).joined(separator: ",") + ",record,card\n"

    static func write(line: Int, request: MatchRequest, result: MatchResult?, error: WireError?, into buffer: inout [UInt8]) {
        buffer.write(decimal: line)
        buffer.write(byte: UInt8(ascii: ","))
        if let ref = request.text(.ref) { CSVLine.appendField(ref, to: &buffer) }
        buffer.write(byte: UInt8(ascii: ","))
        if let result { buffer.write(result.decision.wireName) }
        buffer.write(byte: UInt8(ascii: ","))
        if let error { buffer.append(contentsOf: error.code.rawValue.utf8) }
        for attribute in attributes {
            buffer.write(byte: UInt8(ascii: ","))
            guard let result, result.fields.contains(attribute) else { continue }
            let field = result[attribute]
            buffer.write(field.outcome.wireName)
            buffer.write(byte: UInt8(ascii: ":"))
            buffer.write(decimal: Int(field.score))
            buffer.write(byte: UInt8(ascii: ":"))
            var first = true
            for reason in field.reasons {
                if !first { buffer.write(byte: UInt8(ascii: ";")) }
                first = false
                buffer.write(reason.staticWireName)
            }
        }
        buffer.write(byte: UInt8(ascii: ","))
        if let record = result?.recordStatus { buffer.write(record == .active ? "active" : "deceased") }
        buffer.write(byte: UInt8(ascii: ","))
        if let card = result?.cardStatus { buffer.append(contentsOf: card.name.utf8) }
        buffer.write(byte: 0x0A)
    }
}

extension MatchDecision {
    var wireNameString: String {
        switch self {
        case .match: "match"
        case .partial: "partial"
        case .mismatch: "mismatch"
        case .notFound: "not_found"
        }
    }
}

/// Document and organization lines of an NDJSON input (`"kind"`, docs/API.md "Batch"), answered as the gateway's
/// batch answers them (without a client's policy: offline jobs run under the registry operator's authority).
struct KindLines {
    let documents: DocumentMatcher
    let organizations: OrganizationMatcher
    var blanked: [UInt8] = []

    init(engine: MatchEngine) {
        documents = DocumentMatcher(thresholds: engine.thresholds, policy: engine.policy)
        organizations = OrganizationMatcher(thresholds: engine.thresholds, policy: engine.policy)
    }

    enum Outcome {
        /// Written to the output (an answer or an error line).
        case answered
        /// An identity line for the identity path; with the bytes to parse when it had a `"kind"` member.
        case identity(blanked: [UInt8]?)
    }

    /// Answers `line` when it is not an identity line, writing one output line. With CSV output (identity columns
    /// only) such a line gets an error row.
    mutating func answer(
        _ line: UnsafeRawBufferPointer, number: Int, reader: RegistryReader, today: PartialDate, csv: Bool,
        transactionIDs: inout TransactionIDGenerator, summary: inout OfflineMatcher.Summary, into buffer: inout [UInt8]
    ) -> Outcome {
        var body = line
        if let last = body.last, last == 0x0D { body = UnsafeRawBufferPointer(rebasing: body.dropLast()) }
        let reading: BatchLineKind.Reading
        switch BatchLineKind.read(body, blanked: &blanked) {
        case .success(let read):
            guard read.kind != .identity else { return .identity(blanked: read.isBlanked ? blanked : nil) }
            reading = read
        case .failure(let refused):
            write(refused.error, ref: refused.ref, line: number, csv: csv, summary: &summary, into: &buffer)
            return .answered
        }
        if csv {
            let error = WireError(
                .invalidField, message: "\(reading.kind.rawValue) lines need NDJSON output", field: "kind")
            write(error, ref: reading.ref, line: number, csv: csv, summary: &summary, into: &buffer)
            return .answered
        }
        let outcome: Result<MatchDecision, WireError> = blanked.withUnsafeBytes { bytes in
            switch reading.kind {
            case .document:
                DocumentVerifyParser.parse(bytes).map {
                    KindResponder.answer(
                        $0, matcher: documents, reader: reader, today: today, transactionID: transactionIDs.next(),
                        into: &buffer)
                }
            case .organization, .identity:
                OrganizationMatchParser.parse(bytes).map {
                    KindResponder.answer(
                        $0, matcher: organizations, reader: reader, transactionID: transactionIDs.next(), into: &buffer)
                }
            }
        }
        switch outcome {
        case .success(let decision):
            buffer.write(byte: 0x0A)
            summary.lines += 1
            summary.decisions[decision.wireNameString, default: 0] += 1
        case .failure(let error):
            write(error, ref: reading.ref, line: number, csv: false, summary: &summary, into: &buffer)
        }
        return .answered
    }

    private func write(
        _ error: WireError, ref: String?, line: Int, csv: Bool, summary: inout OfflineMatcher.Summary,
        into buffer: inout [UInt8]
    ) {
        summary.lines += 1
        summary.errors[error.code.rawValue, default: 0] += 1
        if csv {
            buffer.write(decimal: line)
            buffer.write(byte: UInt8(ascii: ","))
            if let ref { CSVLine.appendField(ref, to: &buffer) }
            buffer.write(",,")
            buffer.append(contentsOf: error.code.rawValue.utf8)
            buffer.append(contentsOf: [UInt8](repeating: UInt8(ascii: ","), count: CSVAnswer.attributes.count + 2))
            buffer.write(byte: 0x0A)
            return
        }
        buffer.write("{\"line\":")
        buffer.write(decimal: line)
        if let ref {
            buffer.write(",\"ref\":")
            buffer.write(jsonString: ref)
        }
        buffer.write(byte: UInt8(ascii: ","))
        error.writeMember(into: &buffer)
        buffer.write("}\n")
    }
}

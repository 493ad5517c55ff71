extension UpdateBatch {
    /// Parses a batch file's bytes: the `{"sequence": N}` header line, then one operation per line.
    public init(ndjson bytes: UnsafeRawBufferPointer) throws(InputError) {
        var lines = LineIterator(bytes, range: 0..<bytes.count)
        var lineNumber = 0
        var sequence: UInt64?
        var entries: [Entry] = []
        while let (line, isTerminated) = lines.next() {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do throws(InputError) {
                if sequence == nil {
                    sequence = try Self.parseHeader(line, lineNumber: lineNumber)
                } else {
                    entries.append(Entry(line: lineNumber, operation: try Self.parseOperation(line, lineNumber: lineNumber)))
                }
            } catch {
                var error = error
                if !isTerminated { error.reason += " (the file ends in the middle of this line: truncated?)" }
                throw error
            }
        }
        guard let sequence else { throw InputError(line: 1, reason: "empty batch: expected a header line {\"sequence\": N}") }
        self.init(sequence: sequence, entries: entries)
    }

    public init(ndjson text: String) throws(InputError) {
        let bytes = Array(text.utf8)
        var result: Result<UpdateBatch, InputError>!
        bytes.withUnsafeBytes { raw in result = Result { () throws(InputError) in try UpdateBatch(ndjson: raw) } }
        self = try result.get()
    }

    private static func parseHeader(_ line: UnsafeRawBufferPointer, lineNumber: Int) throws(InputError) -> UInt64 {
        var sequence: UInt64?
        try scanObject(line, lineNumber: lineNumber) { key, scanner in
            guard key == "sequence" else { throw InputError(line: lineNumber, field: key, reason: "unknown field in the batch header") }
            sequence = try scanner.unsignedInteger()
        }
        guard let sequence, sequence > 0 else {
            throw InputError(line: lineNumber, field: "sequence", reason: "the header must be {\"sequence\": N} with N ≥ 1")
        }
        return sequence
    }

    private static func parseOperation(_ line: UnsafeRawBufferPointer, lineNumber: Int) throws(InputError) -> UpdateOperation {
        if let update = try KindUpdate.parse(line, lineNumber: lineNumber) { return .kind(update) }
        var op: String?
        var idNumber: IDNumber?
        var recordBytes: UnsafeRawBufferPointer?
        var passportNumber: PassportNumber?
        var nationality: Nationality?
        var cardStatus: StoredCardStatus?
        var recordStatus: RecordStatus?
        try scanObject(line, lineNumber: lineNumber) { key, scanner in
            switch key {
            case "op":
                op = try scanner.withString { String(decoding: $0, as: UTF8.self) }
            case "idNumber":
                let text = try scanner.withString { String(decoding: $0, as: UTF8.self) }
                guard let id = IDNumber(text) else {
                    throw InputError(line: lineNumber, field: key, reason: "'\(text)' is not a 12-digit ID number")
                }
                idNumber = id
            case "record":
                recordBytes = try scanner.rawValue()
            case "passportNumber":
                let text = try scanner.withString { String(decoding: $0, as: UTF8.self) }
                guard let number = PassportNumber(text) else {
                    throw InputError(line: lineNumber, field: key, reason: "'\(text)' is not \(PassportNumber.formatDescription)")
                }
                passportNumber = number
            case "nationality":
                let text = try scanner.withString { String(decoding: $0, as: UTF8.self) }
                guard let code = Nationality(text) else {
                    throw InputError(line: lineNumber, field: key, reason: "'\(text)' is not an ICAO 9303 nationality code")
                }
                nationality = code
            case "cardStatus":
                let text = try scanner.withString { String(decoding: $0, as: UTF8.self) }
                guard let status = StoredCardStatus(name: text) else {
                    throw InputError(line: lineNumber, field: key, reason: "'\(text)' is not valid, revoked or lost")
                }
                cardStatus = status
            case "recordStatus":
                let text = try scanner.withString { String(decoding: $0, as: UTF8.self) }
                guard let status = RecordStatus(name: text) else {
                    throw InputError(line: lineNumber, field: key, reason: "'\(text)' is not active or deceased")
                }
                recordStatus = status
            default:
                throw InputError(line: lineNumber, field: key, reason: "unknown field")
            }
        }
        func require<T>(_ value: T?, _ field: String) throws(InputError) -> T {
            guard let value else { throw InputError(line: lineNumber, field: field, reason: "missing for op '\(op ?? "")'") }
            return value
        }
        switch op {
        case "upsert": return .upsert(try ResidentCodec.decodeNDJSON(try require(recordBytes, "record"), lineNumber: lineNumber))
        case "upsertForeigner":
            return .upsertForeigner(try ForeignerCodec.decodeNDJSON(try require(recordBytes, "record"), lineNumber: lineNumber))
        case "deleteForeigner":
            return .deleteForeigner(
                ForeignerKey(nationality: try require(nationality, "nationality"), passportNumber: try require(passportNumber, "passportNumber")))
        case "delete": return .delete(try require(idNumber, "idNumber"))
        case "setCardStatus": return .setCardStatus(try require(idNumber, "idNumber"), try require(cardStatus, "cardStatus"))
        case "setRecordStatus":
            return .setRecordStatus(try require(idNumber, "idNumber"), try require(recordStatus, "recordStatus"))
        case nil: throw InputError(line: lineNumber, field: "op", reason: "missing")
        case let other?:
            throw InputError(
                line: lineNumber, field: "op",
                reason: "'\(other)' is not one of upsert, delete, setCardStatus, setRecordStatus, upsertForeigner, deleteForeigner")
        }
    }

    /// Walks the keys of one JSON object, letting `value` read each key's value.
    private static func scanObject(
        _ line: UnsafeRawBufferPointer, lineNumber: Int, _ value: (String, inout JSONScanner) throws -> Void
    ) throws(InputError) {
        var scanner = JSONScanner(line)
        do {
            try scanner.beginObject()
            var isFirst = true
            while let key = try scanner.nextKey(isFirst: isFirst) {
                isFirst = false
                try value(String(decoding: key, as: UTF8.self), &scanner)
            }
            try scanner.endOfInput()
        } catch let error as InputError {
            throw error
        } catch let error as JSONScanner.Failure {
            throw InputError(line: lineNumber, reason: "malformed JSON: \(error.reason)")
        } catch {
            throw InputError(line: lineNumber, reason: "\(error)")
        }
    }

    /// Each operation as one NDJSON line, after the header: what `init(ndjson:)` reads.
    public func ndjson() -> String {
        var lines = ["{\"sequence\":\(sequence)}"]
        for entry in entries {
            switch entry.operation {
            case .upsert(let record): lines.append("{\"op\":\"upsert\",\"record\":\(ResidentCodec.ndjson(record))}")
            case .delete(let id): lines.append("{\"op\":\"delete\",\"idNumber\":\"\(id)\"}")
            case .setCardStatus(let id, let status):
                lines.append("{\"op\":\"setCardStatus\",\"idNumber\":\"\(id)\",\"cardStatus\":\"\(status.name)\"}")
            case .setRecordStatus(let id, let status):
                lines.append("{\"op\":\"setRecordStatus\",\"idNumber\":\"\(id)\",\"recordStatus\":\"\(status.name)\"}")
            case .kind(let update): lines.append(update.ndjson())
            case .upsertForeigner(let record):
                lines.append("{\"op\":\"upsertForeigner\",\"record\":\(ForeignerCodec.ndjson(record))}")
            case .deleteForeigner(let key):
                lines.append(
                    "{\"op\":\"deleteForeigner\",\"nationality\":\"\(key.nationality.code)\",\"passportNumber\":\"\(key.passportNumber.text)\"}")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

import IDGateCore
import IDGateStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The attributes submitted for checking, validated, with their submitted text kept for the request digest.
///
/// Built field by field (`set(_:utf8:)`) by the JSON parser, the CSV reader or tests; all text lives in one byte
/// arena, so a parser that resets and refills the same value allocates nothing once warmed up.
public struct MatchRequest: Sendable {
    public private(set) var idNumber: IDNumber?
    public private(set) var dateOfBirth: PartialDate?
    public private(set) var sex: Sex?
    public private(set) var phoneNumber: PhoneNumber?
    /// The submitted phone used an old 11-digit mobile prefix (reported as `legacy_prefix`).
    public private(set) var phoneNumberWasRemapped = false
    public private(set) var cardIssueDate: PartialDate?
    /// With `passportNumber`, the key of a passport-keyed request (`foreignerKey`).
    public private(set) var nationality: Nationality?
    /// The attributes to compare, in submitted order (`idNumber` excluded).
    public private(set) var attributes = AttributeOrder()
    /// Bit n set when `RequestField(rawValue: n)` was submitted.
    public private(set) var submittedFields: UInt16 = 0

    /// Per field (by raw value): start << 16 | count into `text`.
    private var textRanges = SIMD16<UInt32>.zero
    private var text: [UInt8] = []

    public init() {}

    /// Builds a request from strings (tests, the offline CSV path); fields are set in the order given.
    public init(_ fields: KeyValuePairs<RequestField, String>) throws(RequestProblem) {
        for (field, value) in fields {
            var value = value
            if let problem = value.withUTF8({ set(field, utf8: UnsafeRawBufferPointer($0)) }) { throw problem }
        }
        if let problem = validate() { throw problem }
    }

    /// Clears every field but keeps the arena's capacity.
    public mutating func reset() {
        idNumber = nil
        dateOfBirth = nil
        sex = nil
        phoneNumber = nil
        phoneNumberWasRemapped = false
        cardIssueDate = nil
        nationality = nil
        attributes = AttributeOrder()
        submittedFields = 0
        textRanges = .zero
        text.removeAll(keepingCapacity: true)
    }

    public func contains(_ field: RequestField) -> Bool { submittedFields & (1 << UInt16(field.rawValue)) != 0 }

    /// The submitted text of a field (decoded from JSON), empty when absent.
    public func withText<R>(_ field: RequestField, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let range = textRange(rawValue: field.rawValue)
        return try text.withUnsafeBytes { arena in
            try body(UnsafeRawBufferPointer(rebasing: arena[Int(range >> 16)..<Int(range >> 16 + range & 0xFFFF)]))
        }
    }

    /// The byte count of a field's text by the field's raw value (0 when absent).
    func textLength(rawValue: UInt8) -> Int { Int(textRange(rawValue: rawValue) & 0xFFFF) }

    /// One lane of `textRanges`, read and written through memory: a lane update of the SIMD value itself goes
    /// through a whole-vector copy on the stack (a store-forwarding stall per field in profiles).
    @inline(__always)
    private func textRange(rawValue: UInt8) -> UInt32 {
        withUnsafeBytes(of: textRanges) { $0.load(fromByteOffset: 4 * Int(rawValue), as: UInt32.self) }
    }

    public func text(_ field: RequestField) -> String? {
        guard contains(field) else { return nil }
        return withText(field) { String(decoding: $0, as: UTF8.self) }
    }

    /// Validates and stores one field. Returns the problem instead of throwing so the hot path stays cheap.
    public mutating func set(_ field: RequestField, utf8 value: UnsafeRawBufferPointer) -> RequestProblem? {
        func invalid(_ message: String) -> RequestProblem { RequestProblem(.invalidField, field: field.wireName, message: message) }
        guard !contains(field) else { return invalid("\(field.wireName) is given more than once") }
        guard value.count <= field.maximumLength else {
            return invalid("\(field.wireName) is longer than \(field.maximumLength) bytes")
        }
        switch field {
        case .idNumber:
            switch IDNumber.parse(value) {
            case .success(let id): idNumber = id
            case .failure(.notTwelveDigits): return invalid("idNumber must be 12 digits")
            case .failure(.unknownProvince(let code)): return invalid("idNumber has unknown province code \(code)")
            }
        case .dateOfBirth, .cardIssueDate:
            guard let date = PartialDate(iso: value) else {
                return invalid("\(field.wireName) must be a real date as YYYY-MM-DD, YYYY-MM or YYYY")
            }
            if field == .dateOfBirth { dateOfBirth = date } else { cardIssueDate = date }
        case .sex:
            if MatchRequest.equals(value, "male") {
                sex = .male
            } else if MatchRequest.equals(value, "female") {
                sex = .female
            } else {
                return invalid("sex must be \"male\" or \"female\"")
            }
        case .phoneNumber:
            guard let parsed = PhoneNumber.parse(value) else {
                return invalid("phoneNumber must be a Vietnamese number in 0… or +84… form")
            }
            phoneNumber = parsed.number
            phoneNumberWasRemapped = parsed.remapped
        case .fullName, .placeOfOrigin, .placeOfResidence, .purpose:
            switch MatchRequest.classifyText(value) {
            case .control: return invalid("\(field.wireName) contains a control character")
            case .blank: return invalid("\(field.wireName) is empty")
            case .visible: break
            }
        case .residenceCardNumber:
            guard ResidenceCardNumber.isValid(value) else {
                return invalid("residenceCardNumber must be \(ResidenceCardNumber.formatDescription)")
            }
        case .passportNumber:
            guard PassportNumber(utf8: value) != nil else {
                return invalid("passportNumber must be \(PassportNumber.formatDescription)")
            }
        case .nationality:
            guard let code = Nationality(code: value) else {
                return invalid("nationality must be an ICAO 9303 three-letter code (KOR, USA, D, XXA, ...)")
            }
            nationality = code
        case .ref:
            // Echoed in answers, batch error lines and CSV output: a CR/LF there could forge a line.
            if case .control = MatchRequest.classifyText(value) { return invalid("ref contains a control character") }
        }
        let range = UInt32(text.count) << 16 | UInt32(value.count)
        withUnsafeMutableBytes(of: &textRanges) { $0.storeBytes(of: range, toByteOffset: 4 * Int(field.rawValue), as: UInt32.self) }
        text.appendBytes(value)
        submittedFields |= 1 << UInt16(field.rawValue)
        if let attribute = field.attribute, attribute != .idNumber { attributes.appendNew(attribute) }
        return nil
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        bytes.count == word.utf8CodeUnitCount && memcmp(bytes.baseAddress!, word.utf8Start, bytes.count) == 0
    }

    private enum TextClass { case visible, blank, control }

    /// A control character (below 0x20 or 0x7F) anywhere wins; else `blank` when every byte is a space. Eight
    /// bytes at a time.
    private static func classifyText(_ bytes: UnsafeRawBufferPointer) -> TextClass {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var nonSpace: UInt64 = 0
        var index = 0
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            // Bytes below 0x20 (their high bit set after the subtraction, clear in the byte itself) or 0x7F.
            let below = (word &- ones &* 0x20) & ~word
            let delete = word ^ (ones &* 0x7F)
            let isDelete = (delete &- ones) & ~delete
            if (below | isDelete) & highs != 0 { return .control }
            nonSpace |= word ^ (ones &* 0x20)
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x7F { return .control }
            nonSpace |= UInt64(byte ^ 0x20)
            index += 1
        }
        return nonSpace != 0 ? .visible : .blank
    }

    /// Checks the request as a whole: exactly one key (an ID number, or a passport number with its nationality) and
    /// at least one attribute to compare that the key's kind of record holds.
    public func validate() -> RequestProblem? {
        if submittedFields & RequestField.foreignerOnlyBits != 0 { return validatePassportKeyed() }
        guard idNumber != nil else {
            return RequestProblem(
                .missingField, field: "idNumber",
                message: "idNumber is required (or, for a foreign resident, passportNumber with nationality)")
        }
        guard !attributes.isEmpty else {
            return RequestProblem(
                .missingField, field: nil,
                message: "at least one attribute besides idNumber is required (fullName, dateOfBirth, sex, "
                    + "placeOfOrigin, placeOfResidence, phoneNumber, cardIssueDate)")
        }
        return nil
    }

    /// `validate` for a request carrying any of `passportNumber`, `nationality`, `residenceCardNumber`.
    private func validatePassportKeyed() -> RequestProblem? {
        let hasPassport = contains(.passportNumber)
        let hasNationality = contains(.nationality)
        if idNumber != nil {
            guard hasPassport || hasNationality else {
                return RequestProblem(
                    .invalidField, field: "residenceCardNumber",
                    message: "residenceCardNumber is checked only with the passport key (passportNumber, nationality)")
            }
            return RequestProblem(
                .invalidField, field: "idNumber",
                message: "give one key: idNumber, or passportNumber with nationality, not both")
        }
        guard hasPassport else {
            return RequestProblem(.missingField, field: "passportNumber", message: "passportNumber is required with nationality")
        }
        guard hasNationality else {
            return RequestProblem(.missingField, field: "nationality", message: "nationality is required with passportNumber")
        }
        let citizenOnly = submittedFields & RequestField.citizenOnlyBits
        if citizenOnly != 0, let field = RequestField(rawValue: UInt8(citizenOnly.trailingZeroBitCount)) {
            return RequestProblem(
                .invalidField, field: field.wireName,
                message: "\(field.wireName) is not held for foreign residents (passport key)")
        }
        guard !attributes.isEmpty else {
            return RequestProblem(
                .missingField, field: nil,
                message: "at least one attribute besides the passport key is required (fullName, dateOfBirth, sex, "
                    + "residenceCardNumber)")
        }
        return nil
    }

    /// The foreign resident's key of a passport-keyed request; nil for an ID-number-keyed one.
    public var foreignerKey: ForeignerKey? {
        guard let nationality, contains(.passportNumber),
            let number = withText(.passportNumber, { PassportNumber(utf8: $0) })
        else { return nil }
        return ForeignerKey(nationality: nationality, passportNumber: number)
    }

    /// The audit subject (docs/AUDIT.md): `KOR:M12345678` for a passport-keyed request, nil otherwise.
    public var foreignerSubject: String? { foreignerKey?.description }
}

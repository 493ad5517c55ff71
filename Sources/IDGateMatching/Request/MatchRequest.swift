import IDGateStore

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
        attributes = AttributeOrder()
        submittedFields = 0
        textRanges = .zero
        text.removeAll(keepingCapacity: true)
    }

    public func contains(_ field: RequestField) -> Bool { submittedFields & (1 << UInt16(field.rawValue)) != 0 }

    /// The submitted text of a field (decoded from JSON), empty when absent.
    public func withText<R>(_ field: RequestField, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let range = textRanges[Int(field.rawValue)]
        return try text.withUnsafeBytes { arena in
            try body(UnsafeRawBufferPointer(rebasing: arena[Int(range >> 16)..<Int(range >> 16 + range & 0xFFFF)]))
        }
    }

    /// The byte count of a field's text by the field's raw value (0 when absent).
    func textLength(rawValue: UInt8) -> Int { Int(textRanges[Int(rawValue)] & 0xFFFF) }

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
            if value.elementsEqual("male".utf8) {
                sex = .male
            } else if value.elementsEqual("female".utf8) {
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
            var hasVisibleCharacter = false
            for byte in value {
                if byte < 0x20 || byte == 0x7F { return invalid("\(field.wireName) contains a control character") }
                if byte != 0x20 { hasVisibleCharacter = true }
            }
            guard hasVisibleCharacter else { return invalid("\(field.wireName) is empty") }
        case .ref:
            break
        }
        textRanges[Int(field.rawValue)] = UInt32(text.count) << 16 | UInt32(value.count)
        text.appendBytes(value)
        submittedFields |= 1 << UInt16(field.rawValue)
        if let attribute = field.attribute, attribute != .idNumber { attributes.append(attribute) }
        return nil
    }

    /// Checks the request as a whole: an ID number and at least one attribute to compare.
    public func validate() -> RequestProblem? {
        guard idNumber != nil else {
            return RequestProblem(.missingField, field: "idNumber", message: "idNumber is required")
        }
        guard !attributes.isEmpty else {
            return RequestProblem(
                .missingField, field: nil,
                message: "at least one attribute besides idNumber is required (fullName, dateOfBirth, sex, "
                    + "placeOfOrigin, placeOfResidence, phoneNumber, cardIssueDate)")
        }
        return nil
    }
}

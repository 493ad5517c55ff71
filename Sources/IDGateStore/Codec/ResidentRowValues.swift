/// The fields of one input row as they are read (in any order), checked one by one, then checked together and
/// turned into a `ResidentRecord` by `record()`. Shared by the NDJSON and CSV readers.
struct ResidentRowValues {
    let line: Int
    private var seen: UInt32 = 0
    private var idNumber: IDNumber?
    private var fullName: String?
    private var dateOfBirth: PartialDate?
    private var sex: Sex?
    private var nationality: String?
    private var ethnicity: String?
    private var placeOfOrigin: String?
    private var placeOfResidence: String?
    private var legacyIdNumber: String?
    private var phoneNumbers: [String] = []
    private var cardNumber: String?
    private var cardIssueDate: PartialDate?
    private var cardExpiryDate: PartialDate?
    private var cardStatus: StoredCardStatus?
    private var recordStatus: RecordStatus?

    /// Longest accepted text field, in UTF-8 bytes.
    static let maximumTextBytes = 512

    init(line: Int) {
        self.line = line
    }

    private func error(_ field: ResidentField, _ reason: String) -> InputError {
        InputError(line: line, field: field.name, reason: reason)
    }

    /// Records that `field` occurs; a field given twice in one row is an error.
    mutating func markSeen(_ field: ResidentField) throws(InputError) {
        let bit = UInt32(1) << UInt32(field.rawValue)
        guard seen & bit == 0 else { throw error(field, "given more than once") }
        seen |= bit
    }

    /// Sets a scalar field from its text. Empty text means absent.
    mutating func set(_ field: ResidentField, _ bytes: UnsafeRawBufferPointer) throws(InputError) {
        guard !bytes.isEmpty else { return }
        switch field {
        case .idNumber:
            switch IDNumber.parse(bytes) {
            case .success(let id): idNumber = id
            case .failure(.notTwelveDigits): throw error(field, "'\(Self.text(bytes))' is not 12 digits")
            case .failure(.unknownProvince(let code)):
                throw error(field, "'\(Self.text(bytes))' starts with unknown province code \(code)")
            }
        case .fullName: fullName = try text(field, bytes)
        case .nationality: nationality = try text(field, bytes)
        case .ethnicity: ethnicity = try text(field, bytes)
        case .placeOfOrigin: placeOfOrigin = try text(field, bytes)
        case .placeOfResidence: placeOfResidence = try text(field, bytes)
        case .dateOfBirth: dateOfBirth = try date(field, bytes)
        case .cardIssueDate: cardIssueDate = try date(field, bytes)
        case .cardExpiryDate: cardExpiryDate = try date(field, bytes)
        case .sex:
            guard let value = Sex(ascii: bytes) else { throw error(field, "'\(Self.text(bytes))' is not male or female") }
            sex = value
        case .cardStatus:
            guard let value = StoredCardStatus.allCases.first(where: { Self.equals(bytes, $0.name) }) else {
                throw error(field, "'\(Self.text(bytes))' is not valid, revoked or lost")
            }
            cardStatus = value
        case .recordStatus:
            guard let value = RecordStatus.allCases.first(where: { Self.equals(bytes, $0.name) }) else {
                throw error(field, "'\(Self.text(bytes))' is not active or deceased")
            }
            recordStatus = value
        case .legacyIdNumber:
            guard IndexKey.legacyID(bytes) != nil else { throw error(field, "'\(Self.text(bytes))' is not 9 digits") }
            legacyIdNumber = Self.text(bytes)
        case .cardNumber:
            guard bytes.count == 12, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw error(field, "'\(Self.text(bytes))' is not 12 digits")
            }
            cardNumber = Self.text(bytes)
        case .phoneNumbers:
            try addPhoneNumber(bytes)
        }
    }

    /// Adds one phone number, normalized to the national form `0…`.
    mutating func addPhoneNumber(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        guard IndexKey.phone(bytes) != nil else {
            throw error(.phoneNumbers, "'\(Self.text(bytes))' is not a Vietnamese phone number (0… or +84…)")
        }
        let national = bytes.first == UInt8(ascii: "+") ? "0" + Self.text(UnsafeRawBufferPointer(rebasing: bytes[3...])) : Self.text(bytes)
        guard !phoneNumbers.contains(national) else { throw error(.phoneNumbers, "'\(national)' listed twice") }
        guard phoneNumbers.count < RecordLayout.maximumPhoneNumbers else {
            throw error(.phoneNumbers, "more than \(RecordLayout.maximumPhoneNumbers) phone numbers")
        }
        phoneNumbers.append(national)
    }

    /// Checks the fields together and builds the record.
    func record() throws(InputError) -> ResidentRecord {
        for field in ResidentField.required where !isPresent(field) { throw error(field, "missing") }
        guard let idNumber, let fullName, let dateOfBirth, let sex, let placeOfOrigin, let placeOfResidence else {
            throw InputError(line: line, reason: "missing required field")
        }
        if idNumber.encodedSex != sex {
            throw error(.idNumber, "century/sex digit \(idNumber.centurySexDigit) says \(idNumber.encodedSex.name) but sex is \(sex.name)")
        }
        if idNumber.birthYear != Int(dateOfBirth.year) {
            throw error(.idNumber, "encodes birth year \(idNumber.birthYear) but dateOfBirth is \(dateOfBirth)")
        }
        let card = try identityCard(dateOfBirth: dateOfBirth)
        return ResidentRecord(
            idNumber: idNumber, fullName: fullName, dateOfBirth: dateOfBirth, sex: sex,
            nationality: nationality ?? "Việt Nam", ethnicity: ethnicity ?? "Kinh", placeOfOrigin: placeOfOrigin,
            placeOfResidence: placeOfResidence, legacyIdNumber: legacyIdNumber, phoneNumbers: phoneNumbers, card: card,
            recordStatus: recordStatus ?? .active)
    }

    private func isPresent(_ field: ResidentField) -> Bool {
        switch field {
        case .idNumber: idNumber != nil
        case .fullName: fullName != nil
        case .dateOfBirth: dateOfBirth != nil
        case .sex: sex != nil
        case .placeOfOrigin: placeOfOrigin != nil
        case .placeOfResidence: placeOfResidence != nil
        default: true
        }
    }

    private func identityCard(dateOfBirth: PartialDate) throws(InputError) -> IdentityCard? {
        guard let cardNumber else {
            if cardIssueDate != nil || cardExpiryDate != nil || cardStatus != nil {
                throw error(.cardNumber, "missing, but other card fields are given")
            }
            return nil
        }
        guard let cardIssueDate else { throw error(.cardIssueDate, "missing for card \(cardNumber)") }
        guard cardIssueDate.precision == .day else { throw error(.cardIssueDate, "must be a full date (YYYY-MM-DD)") }
        if cardIssueDate.daysSinceEpoch < dateOfBirth.daysSinceEpoch {
            throw error(.cardIssueDate, "\(cardIssueDate) is before the date of birth \(dateOfBirth)")
        }
        if let cardExpiryDate {
            guard cardExpiryDate.precision == .day else { throw error(.cardExpiryDate, "must be a full date (YYYY-MM-DD)") }
            if cardExpiryDate <= cardIssueDate {
                throw error(.cardExpiryDate, "\(cardExpiryDate) is not after the issue date \(cardIssueDate)")
            }
        }
        return IdentityCard(number: cardNumber, issueDate: cardIssueDate, expiryDate: cardExpiryDate, status: cardStatus ?? .valid)
    }

    private func text(_ field: ResidentField, _ bytes: UnsafeRawBufferPointer) throws(InputError) -> String {
        guard bytes.count <= Self.maximumTextBytes else { throw error(field, "longer than \(Self.maximumTextBytes) bytes") }
        let scan = UnicodeNormalization.scan(bytes)
        guard !scan.hasControlCharacters else { throw error(field, "contains control characters") }
        guard let string = String(validating: bytes, as: UTF8.self) else { throw error(field, "not valid UTF-8") }
        return scan.isStableNFC ? string : UnicodeNormalization.nfc(string)
    }

    private func date(_ field: ResidentField, _ bytes: UnsafeRawBufferPointer) throws(InputError) -> PartialDate {
        guard let date = PartialDate(iso: bytes) else {
            throw error(field, "'\(Self.text(bytes))' is not a possible date (YYYY-MM-DD, YYYY-MM or YYYY)")
        }
        return date
    }

    private static func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ string: String) -> Bool {
        string.utf8.elementsEqual(bytes)
    }
}

extension Sex {
    init?(ascii bytes: UnsafeRawBufferPointer) {
        if "male".utf8.elementsEqual(bytes) { self = .male } else if "female".utf8.elementsEqual(bytes) { self = .female } else { return nil }
    }
}

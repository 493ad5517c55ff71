import IDGateCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The fields of one input row as they are read (in any order), checked one by one, then checked together and
/// either turned into a `ResidentRecord` by `record()` or written straight into the binary record format by
/// `encode(into:sequence:)`. Shared by the NDJSON and CSV readers.
///
/// Text is kept as bytes: each field's stored form (unescaped, NFC, phone numbers in the national form) is copied
/// into one buffer that `reset(line:)` empties without freeing, so an importer that reuses one value for all its
/// rows reads them without allocating.
struct ResidentRowValues {
    private(set) var line: Int
    private var seen: UInt32 = 0
    private var idNumber: IDNumber?
    private var dateOfBirth: PartialDate?
    private var sex: Sex?
    private var cardIssueDate: PartialDate?
    private var cardExpiryDate: PartialDate?
    private var cardStatus: StoredCardStatus?
    private var recordStatus: RecordStatus?
    /// The stored bytes of the text fields and phone numbers, in the order they were read.
    private var storage: [UInt8] = []
    /// Where each string slot (`RecordLayout.StringSlot` order) lies in `storage`; start −1 when absent.
    private var slotStart = SIMD8<Int32>(repeating: -1)
    private var slotEnd = SIMD8<Int32>(repeating: 0)
    /// The phone numbers (national form) as ranges of `storage`, and their index keys.
    private var phoneStart: [Int32] = []
    private var phoneEnd: [Int32] = []
    private(set) var phoneKeys: [UInt64] = []

    /// Longest accepted text field, in UTF-8 bytes.
    static let maximumTextBytes = 512
    private static let defaultNationality: [UInt8] = Array("Việt Nam".utf8)
    private static let defaultEthnicity: [UInt8] = Array("Kinh".utf8)

    init(line: Int) {
        self.line = line
        storage.reserveCapacity(512)
        phoneStart.reserveCapacity(4)
        phoneEnd.reserveCapacity(4)
        phoneKeys.reserveCapacity(4)
    }

    /// Forgets the previous row, keeping the buffers' capacity.
    @inline(__always)
    mutating func reset(line: Int) {
        self.line = line
        seen = 0
        idNumber = nil
        dateOfBirth = nil
        sex = nil
        cardIssueDate = nil
        cardExpiryDate = nil
        cardStatus = nil
        recordStatus = nil
        storage.removeAll(keepingCapacity: true)
        slotStart = SIMD8(repeating: -1)
        phoneStart.removeAll(keepingCapacity: true)
        phoneEnd.removeAll(keepingCapacity: true)
        phoneKeys.removeAll(keepingCapacity: true)
    }

    private func error(_ field: ResidentField, _ reason: String) -> InputError {
        InputError(line: line, field: field.name, reason: reason)
    }

    /// Records that `field` occurs; a field given twice in one row is an error.
    @inline(__always)
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
        case .fullName: try setText(.fullName, field, bytes)
        case .nationality: try setText(.nationality, field, bytes)
        case .ethnicity: try setText(.ethnicity, field, bytes)
        case .placeOfOrigin: try setText(.placeOfOrigin, field, bytes)
        case .placeOfResidence: try setText(.placeOfResidence, field, bytes)
        case .dateOfBirth: dateOfBirth = try date(field, bytes)
        case .cardIssueDate: cardIssueDate = try date(field, bytes)
        case .cardExpiryDate: cardExpiryDate = try date(field, bytes)
        case .sex:
            guard let value = Sex(ascii: bytes) else { throw error(field, "'\(Self.text(bytes))' is not male or female") }
            sex = value
        case .cardStatus:
            guard let value = StoredCardStatus(ascii: bytes) else {
                throw error(field, "'\(Self.text(bytes))' is not valid, revoked or lost")
            }
            cardStatus = value
        case .recordStatus:
            guard let value = RecordStatus(ascii: bytes) else {
                throw error(field, "'\(Self.text(bytes))' is not active or deceased")
            }
            recordStatus = value
        case .legacyIdNumber:
            guard IndexKey.legacyID(bytes) != nil else { throw error(field, "'\(Self.text(bytes))' is not 9 digits") }
            setRaw(.legacyIdNumber, bytes)
        case .cardNumber:
            guard bytes.count == 12, Self.allDigits(bytes) else {
                throw error(field, "'\(Self.text(bytes))' is not 12 digits")
            }
            setRaw(.cardNumber, bytes)
        case .phoneNumbers:
            try addPhoneNumber(bytes)
        }
    }

    /// Adds one phone number, normalized to the national form `0…`.
    mutating func addPhoneNumber(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        guard let key = IndexKey.phone(bytes) else {
            throw error(.phoneNumbers, "'\(Self.text(bytes))' is not a Vietnamese phone number (0… or +84…)")
        }
        // Equal national forms have equal keys (the key holds the digit count and value), so keys find repeats.
        guard !phoneKeys.contains(key) else {
            let national = bytes.first == UInt8(ascii: "+")
                ? "0" + Self.text(UnsafeRawBufferPointer(rebasing: bytes[3...])) : Self.text(bytes)
            throw error(.phoneNumbers, "'\(national)' listed twice")
        }
        guard phoneKeys.count < RecordLayout.maximumPhoneNumbers else {
            throw error(.phoneNumbers, "more than \(RecordLayout.maximumPhoneNumbers) phone numbers")
        }
        let start = Int32(storage.count)
        if bytes.first == UInt8(ascii: "+") {
            storage.append(UInt8(ascii: "0"))
            storage.appendBytes(UnsafeRawBufferPointer(rebasing: bytes[3...]))
        } else {
            storage.append(contentsOf: bytes)
        }
        phoneStart.append(start)
        phoneEnd.append(Int32(storage.count))
        phoneKeys.append(key)
    }

    // MARK: Checks across fields

    /// The card fields, checked together (nil without a card).
    private struct CardFields {
        var issueDate: PartialDate
        var expiryDate: PartialDate?
        var status: StoredCardStatus
    }

    /// Checks the fields together; returns the card fields when there is a card.
    private func validate() throws(InputError) -> CardFields? {
        for field in ResidentField.required where !isPresent(field) { throw error(field, "missing") }
        guard let idNumber, let dateOfBirth, let sex else { throw InputError(line: line, reason: "missing required field") }
        if idNumber.encodedSex != sex {
            throw error(.idNumber, "century/sex digit \(idNumber.centurySexDigit) says \(idNumber.encodedSex.name) but sex is \(sex.name)")
        }
        if idNumber.birthYear != Int(dateOfBirth.year) {
            throw error(.idNumber, "encodes birth year \(idNumber.birthYear) but dateOfBirth is \(dateOfBirth)")
        }
        return try identityCard(dateOfBirth: dateOfBirth)
    }

    private func isPresent(_ field: ResidentField) -> Bool {
        switch field {
        case .idNumber: idNumber != nil
        case .fullName: slotStart[RecordLayout.StringSlot.fullName.rawValue] >= 0
        case .dateOfBirth: dateOfBirth != nil
        case .sex: sex != nil
        case .placeOfOrigin: slotStart[RecordLayout.StringSlot.placeOfOrigin.rawValue] >= 0
        case .placeOfResidence: slotStart[RecordLayout.StringSlot.placeOfResidence.rawValue] >= 0
        default: true
        }
    }

    private func identityCard(dateOfBirth: PartialDate) throws(InputError) -> CardFields? {
        guard hasSlot(.cardNumber) else {
            if cardIssueDate != nil || cardExpiryDate != nil || cardStatus != nil {
                throw error(.cardNumber, "missing, but other card fields are given")
            }
            return nil
        }
        guard let cardIssueDate else { throw error(.cardIssueDate, "missing for card \(string(.cardNumber) ?? "")") }
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
        return CardFields(issueDate: cardIssueDate, expiryDate: cardExpiryDate, status: cardStatus ?? .valid)
    }

    // MARK: Output

    /// Checks the fields together and builds the record.
    func record() throws(InputError) -> ResidentRecord {
        let card = try validate()
        let cardNumber = string(.cardNumber) ?? ""
        return ResidentRecord(
            idNumber: idNumber!, fullName: string(.fullName)!, dateOfBirth: dateOfBirth!, sex: sex!,
            nationality: string(.nationality) ?? "Việt Nam", ethnicity: string(.ethnicity) ?? "Kinh",
            placeOfOrigin: string(.placeOfOrigin)!, placeOfResidence: string(.placeOfResidence)!,
            legacyIdNumber: string(.legacyIdNumber), phoneNumbers: phoneKeys.indices.map { phoneString($0) },
            card: card.map {
                IdentityCard(number: cardNumber, issueDate: $0.issueDate, expiryDate: $0.expiryDate, status: $0.status)
            },
            recordStatus: recordStatus ?? .active)
    }

    /// The ID number read so far, valid or not as a whole row.
    var idNumberIfRead: IDNumber? { idNumber }

    /// The ID number of a row that passed `encode` or `record`.
    var validatedIDNumber: IDNumber { idNumber! }

    /// The legacy ID number's index key, if the row has one.
    var legacyKey: UInt64? {
        withSlot(.legacyIdNumber) { IndexKey.legacyID($0) } ?? nil
    }

    /// Checks the fields together and appends the binary record (`RecordLayout`, the same bytes as
    /// `record().encode(into:)` with `sequence` stamped) to `buffer`.
    func encode(into buffer: inout [UInt8], sequence: UInt64) throws(InputError) {
        let card = try validate()
        let size = try encodedSize()
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: size))
        buffer.withUnsafeMutableBytes { write(card, sequence: sequence, to: $0.baseAddress! + start) }
    }

    /// Checks the fields together and appends the binary record to `arena`; returns its size.
    @inline(__always)
    func encode(into arena: ByteArena, sequence: UInt64) throws(InputError) -> Int {
        let card = try validate()
        let size = try encodedSize()
        write(card, sequence: sequence, to: arena.reserve(size))
        arena.commit(size)
        return size
    }

    private func encodedSize() throws(InputError) -> Int {
        var stringBytes = 0
        for slot in 0..<RecordLayout.fixedStringCount { stringBytes += slotLength(slot) }
        for index in 0..<phoneKeys.count { stringBytes += Int(phoneEnd[index] - phoneStart[index]) }
        let size = RecordLayout.stringTableOffset + 2 * (RecordLayout.fixedStringCount + phoneKeys.count) + stringBytes
        guard size <= RecordLayout.maximumRecordSize else {
            throw InputError(line: line, reason: "record too large to store (\(ResidentRecord.EncodingError.recordTooLarge(size)))")
        }
        return size
    }

    /// Writes the record (of `encodedSize()` bytes) at `out`.
    @inline(__always)
    private func write(_ card: CardFields?, sequence: UInt64, to out: UnsafeMutableRawPointer) {
        let phoneCount = phoneKeys.count
        var flags: UInt8 = 0
        if card != nil { flags |= RecordLayout.hasCardFlag }
        if card?.expiryDate != nil { flags |= RecordLayout.hasExpiryFlag }
        out.storeBytes(of: RecordLayout.version, toByteOffset: RecordLayout.versionOffset, as: UInt8.self)
        out.storeBytes(of: flags, toByteOffset: RecordLayout.flagsOffset, as: UInt8.self)
        out.storeBytes(of: sex!.rawValue, toByteOffset: RecordLayout.sexOffset, as: UInt8.self)
        out.storeBytes(of: (recordStatus ?? .active).rawValue, toByteOffset: RecordLayout.recordStatusOffset, as: UInt8.self)
        out.storeBytes(of: card?.status.rawValue ?? 0, toByteOffset: RecordLayout.cardStatusOffset, as: UInt8.self)
        out.storeBytes(of: UInt8(phoneCount), toByteOffset: RecordLayout.phoneCountOffset, as: UInt8.self)
        out.storeBytes(of: 0, toByteOffset: RecordLayout.phoneCountOffset + 1, as: UInt16.self)
        out.storeBytes(of: dateOfBirth!.packed.littleEndian, toByteOffset: RecordLayout.dateOfBirthOffset, as: UInt32.self)
        out.storeBytes(of: (card?.issueDate.packed ?? 0).littleEndian, toByteOffset: RecordLayout.cardIssueDateOffset, as: UInt32.self)
        out.storeBytes(
            of: (card?.expiryDate?.packed ?? 0).littleEndian, toByteOffset: RecordLayout.cardExpiryDateOffset, as: UInt32.self)
        out.storeBytes(of: sequence.littleEndian, toByteOffset: RecordLayout.sequenceOffset, as: UInt64.self)
        var tableOffset = RecordLayout.stringTableOffset
        let areaStart = RecordLayout.stringTableOffset + 2 * (RecordLayout.fixedStringCount + phoneCount)
        var position = areaStart
        storage.withUnsafeBytes { stored in
            @inline(__always) func put(_ from: UnsafeRawPointer?, _ count: Int) {
                if count > 0 {
                    (out + position).copyMemory(from: from!, byteCount: count)
                    position += count
                }
                out.storeBytes(of: UInt16(position - areaStart).littleEndian, toByteOffset: tableOffset, as: UInt16.self)
                tableOffset += 2
            }
            let base = stored.baseAddress
            for slot in 0..<RecordLayout.fixedStringCount {
                let from = Int(slotStart[slot])
                if from >= 0 {
                    put(base! + from, Int(slotEnd[slot]) - from)
                } else if slot == RecordLayout.StringSlot.nationality.rawValue {
                    Self.defaultNationality.withUnsafeBytes { put($0.baseAddress, $0.count) }
                } else if slot == RecordLayout.StringSlot.ethnicity.rawValue {
                    Self.defaultEthnicity.withUnsafeBytes { put($0.baseAddress, $0.count) }
                } else {
                    put(nil, 0)
                }
            }
            for index in 0..<phoneCount {
                let from = Int(phoneStart[index])
                put(base! + from, Int(phoneEnd[index]) - from)
            }
        }
    }

    // MARK: Text

    private func hasSlot(_ slot: RecordLayout.StringSlot) -> Bool { slotStart[slot.rawValue] >= 0 }

    /// The stored length of a slot, with the defaults of absent nationality and ethnicity.
    private func slotLength(_ slot: Int) -> Int {
        let from = slotStart[slot]
        if from >= 0 { return Int(slotEnd[slot] - from) }
        if slot == RecordLayout.StringSlot.nationality.rawValue { return Self.defaultNationality.count }
        if slot == RecordLayout.StringSlot.ethnicity.rawValue { return Self.defaultEthnicity.count }
        return 0
    }

    private func withSlot<T>(_ slot: RecordLayout.StringSlot, _ body: (UnsafeRawBufferPointer) -> T) -> T? {
        let from = Int(slotStart[slot.rawValue])
        guard from >= 0 else { return nil }
        let to = Int(slotEnd[slot.rawValue])
        return storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[from..<to])) }
    }

    private func string(_ slot: RecordLayout.StringSlot) -> String? {
        withSlot(slot) { String(decoding: $0, as: UTF8.self) }
    }

    private func phoneString(_ index: Int) -> String {
        storage.withUnsafeBytes { String(decoding: $0[Int(phoneStart[index])..<Int(phoneEnd[index])], as: UTF8.self) }
    }

    /// Stores bytes already checked to be ASCII digits.
    private mutating func setRaw(_ slot: RecordLayout.StringSlot, _ bytes: UnsafeRawBufferPointer) {
        slotStart[slot.rawValue] = Int32(storage.count)
        storage.append(contentsOf: bytes)
        slotEnd[slot.rawValue] = Int32(storage.count)
    }

    /// Checks a text field (length, control characters, UTF-8) and stores it in NFC.
    private mutating func setText(_ slot: RecordLayout.StringSlot, _ field: ResidentField, _ bytes: UnsafeRawBufferPointer)
        throws(InputError)
    {
        guard bytes.count <= Self.maximumTextBytes else { throw error(field, "longer than \(Self.maximumTextBytes) bytes") }
        let scan = UnicodeNormalization.scan(bytes)
        guard !scan.hasControlCharacters else { throw error(field, "contains control characters") }
        guard scan.isValidUTF8 else { throw error(field, "not valid UTF-8") }
        slotStart[slot.rawValue] = Int32(storage.count)
        if scan.isStableNFC {
            storage.append(contentsOf: bytes)
        } else {
            var normalized = UnicodeNormalization.nfc(String(decoding: bytes, as: UTF8.self))
            normalized.withUTF8 { storage.append(contentsOf: $0) }
        }
        slotEnd[slot.rawValue] = Int32(storage.count)
    }

    private func date(_ field: ResidentField, _ bytes: UnsafeRawBufferPointer) throws(InputError) -> PartialDate {
        guard let date = PartialDate(iso: bytes) else {
            throw error(field, "'\(Self.text(bytes))' is not a possible date (YYYY-MM-DD, YYYY-MM or YYYY)")
        }
        return date
    }

    private static func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }

    @inline(__always)
    private static func allDigits(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for c in bytes where c &- 0x30 > 9 { return false }
        return true
    }
}

/// Whether `bytes` are exactly the ASCII `text` (no allocation, no generic sequence comparison).
@inline(__always)
func equalsASCII(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
    bytes.count == text.utf8CodeUnitCount && memcmp(bytes.baseAddress!, text.utf8Start, bytes.count) == 0
}

extension Sex {
    init?(ascii bytes: UnsafeRawBufferPointer) {
        if equalsASCII(bytes, "male") { self = .male } else if equalsASCII(bytes, "female") { self = .female } else { return nil }
    }
}

extension StoredCardStatus {
    init?(ascii bytes: UnsafeRawBufferPointer) {
        if equalsASCII(bytes, "valid") {
            self = .valid
        } else if equalsASCII(bytes, "revoked") {
            self = .revoked
        } else if equalsASCII(bytes, "lost") {
            self = .lost
        } else {
            return nil
        }
    }
}

extension RecordStatus {
    init?(ascii bytes: UnsafeRawBufferPointer) {
        if equalsASCII(bytes, "active") { self = .active } else if equalsASCII(bytes, "deceased") { self = .deceased } else { return nil }
    }
}

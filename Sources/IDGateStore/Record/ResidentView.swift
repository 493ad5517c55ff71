/// A resident record read in place from the memory map: no copy, no parsing beyond the fields asked for.
///
/// Valid only inside the `RegistryReader.withTransaction` closure that produced it: the bytes belong to LMDB's map
/// and may be reused once the transaction ends. Call `record()` for an owning copy.
public struct ResidentView {
    public let idNumber: IDNumber
    @usableFromInline let bytes: UnsafeRawBufferPointer

    /// Checks the format version and that the offset table fits; nil for a record this code cannot read.
    init?(idNumber: IDNumber, bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= RecordLayout.stringTableOffset, bytes[RecordLayout.versionOffset] == RecordLayout.version
        else { return nil }
        let stringCount = RecordLayout.fixedStringCount + Int(bytes[RecordLayout.phoneCountOffset])
        let stringAreaStart = RecordLayout.stringTableOffset + 2 * stringCount
        guard bytes.count >= stringAreaStart else { return nil }
        let lastEnd = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: stringAreaStart - 2, as: UInt16.self)))
        guard stringAreaStart + lastEnd <= bytes.count else { return nil }
        self.idNumber = idNumber
        self.bytes = bytes
    }

    @inline(__always)
    private func uint32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    private var flags: UInt8 { bytes[RecordLayout.flagsOffset] }

    public var dateOfBirth: PartialDate { PartialDate(storedPacked: uint32(at: RecordLayout.dateOfBirthOffset)) }
    public var sex: Sex { Sex(rawValue: bytes[RecordLayout.sexOffset]) ?? .male }
    public var recordStatus: RecordStatus { RecordStatus(rawValue: bytes[RecordLayout.recordStatusOffset]) ?? .active }

    /// nil when no card has been issued.
    public var storedCardStatus: StoredCardStatus? {
        guard flags & RecordLayout.hasCardFlag != 0 else { return nil }
        return StoredCardStatus(rawValue: bytes[RecordLayout.cardStatusOffset])
    }

    public var cardIssueDate: PartialDate? {
        guard flags & RecordLayout.hasCardFlag != 0 else { return nil }
        return PartialDate(storedPacked: uint32(at: RecordLayout.cardIssueDateOffset))
    }

    /// nil without a card, or for a card valid for life (issued at 60 or later).
    public var cardExpiryDate: PartialDate? {
        guard flags & RecordLayout.hasExpiryFlag != 0 else { return nil }
        return PartialDate(storedPacked: uint32(at: RecordLayout.cardExpiryDateOffset))
    }

    public var sequence: UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: RecordLayout.sequenceOffset, as: UInt64.self))
    }

    public var phoneNumberCount: Int { Int(bytes[RecordLayout.phoneCountOffset]) }

    private var stringAreaStart: Int { RecordLayout.stringTableOffset + 2 * (RecordLayout.fixedStringCount + phoneNumberCount) }

    /// The UTF-8 bytes of string `index` of the offset table.
    @inline(__always)
    private func string(_ index: Int) -> UnsafeRawBufferPointer {
        let start = index == 0 ? 0 : Int(endOffset(index - 1))
        let end = Int(endOffset(index))
        let base = stringAreaStart
        return UnsafeRawBufferPointer(rebasing: bytes[(base + start)..<(base + end)])
    }

    @inline(__always)
    private func endOffset(_ index: Int) -> UInt16 {
        UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: RecordLayout.stringTableOffset + 2 * index, as: UInt16.self))
    }

    public var fullName: UnsafeRawBufferPointer { string(RecordLayout.StringSlot.fullName.rawValue) }
    public var placeOfOrigin: UnsafeRawBufferPointer { string(RecordLayout.StringSlot.placeOfOrigin.rawValue) }
    public var placeOfResidence: UnsafeRawBufferPointer { string(RecordLayout.StringSlot.placeOfResidence.rawValue) }
    public var nationality: UnsafeRawBufferPointer { string(RecordLayout.StringSlot.nationality.rawValue) }
    public var ethnicity: UnsafeRawBufferPointer { string(RecordLayout.StringSlot.ethnicity.rawValue) }
    /// Empty when the resident never had a legacy (CMND) number.
    public var legacyIdNumber: UnsafeRawBufferPointer { string(RecordLayout.StringSlot.legacyIdNumber.rawValue) }
    /// Empty when no card has been issued.
    public var cardNumber: UnsafeRawBufferPointer { string(RecordLayout.StringSlot.cardNumber.rawValue) }

    public func phoneNumber(at index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < phoneNumberCount, "phone number index out of range")
        return string(RecordLayout.fixedStringCount + index)
    }

    /// An owning copy of the whole record.
    public func record() -> ResidentRecord {
        func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }
        let card = storedCardStatus.map { status in
            IdentityCard(
                number: text(cardNumber), issueDate: cardIssueDate ?? dateOfBirth, expiryDate: cardExpiryDate,
                status: status)
        }
        let legacy = legacyIdNumber
        return ResidentRecord(
            idNumber: idNumber, fullName: text(fullName), dateOfBirth: dateOfBirth, sex: sex,
            nationality: text(nationality), ethnicity: text(ethnicity), placeOfOrigin: text(placeOfOrigin),
            placeOfResidence: text(placeOfResidence), legacyIdNumber: legacy.isEmpty ? nil : text(legacy),
            phoneNumbers: (0..<phoneNumberCount).map { text(phoneNumber(at: $0)) }, card: card,
            recordStatus: recordStatus, sequence: sequence)
    }
}

extension PartialDate {
    /// Unpacks a date the store wrote itself (already validated on the way in), without re-validating.
    @inline(__always)
    init(storedPacked packed: UInt32) {
        self.year = UInt16(packed >> 16)
        self.month = UInt8((packed >> 8) & 0xFF)
        self.day = UInt8(packed & 0xFF)
    }
}

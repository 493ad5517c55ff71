/// The binary record format of the `foreigners` database (version 1), keyed by `ForeignerKey.storageKey`
/// (nationality letters, then passport number). See docs/DATA.md, "Foreign residents".
///
/// ```
/// offset size field
///  0     1    format version (1)
///  1     1    sex (Sex raw value)
///  2     1    record status (RecordStatus raw value)
///  3     1    reserved (0)
///  4     4    date of birth (PartialDate.packed, little-endian)
///  8     4    permitted stay from (packed)
/// 12     4    permitted stay until (packed)
/// 16     8    sequence number of the batch that last wrote the record (little-endian)
/// 24     2×3  end offsets of the strings, relative to the string area (UInt16 little-endian)
/// 30     ...  string area: UTF-8 of surname, givenNames, residenceCardNumber, back to back
/// ```
/// A reader meeting another version byte treats the record as unreadable (nil), never guesses: a later version adds
/// fields after these and bumps the byte.
enum ForeignerLayout {
    static let version: UInt8 = 1

    static let versionOffset = 0
    static let sexOffset = 1
    static let recordStatusOffset = 2
    static let dateOfBirthOffset = 4
    static let permittedFromOffset = 8
    static let permittedUntilOffset = 12
    static let sequenceOffset = 16
    static let stringTableOffset = 24

    enum StringSlot: Int, CaseIterable {
        case surname, givenNames, residenceCardNumber
    }
    static let stringCount = StringSlot.allCases.count
    static let stringAreaStart = stringTableOffset + 2 * stringCount
    static let maximumRecordSize = Int(UInt16.max)
}

/// A foreign resident's record read in place from the memory map (valid inside its read transaction only).
public struct ForeignerView {
    public let key: ForeignerKey
    @usableFromInline let bytes: UnsafeRawBufferPointer

    init?(key: ForeignerKey, bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= ForeignerLayout.stringAreaStart, bytes[ForeignerLayout.versionOffset] == ForeignerLayout.version
        else { return nil }
        let lastEnd = Int(
            UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: ForeignerLayout.stringAreaStart - 2, as: UInt16.self)))
        guard ForeignerLayout.stringAreaStart + lastEnd <= bytes.count else { return nil }
        self.key = key
        self.bytes = bytes
    }

    private func uint32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    public var sex: Sex { Sex(rawValue: bytes[ForeignerLayout.sexOffset]) ?? .male }
    public var recordStatus: RecordStatus { RecordStatus(rawValue: bytes[ForeignerLayout.recordStatusOffset]) ?? .active }
    public var dateOfBirth: PartialDate { PartialDate(storedPacked: uint32(at: ForeignerLayout.dateOfBirthOffset)) }
    public var permittedFrom: PartialDate { PartialDate(storedPacked: uint32(at: ForeignerLayout.permittedFromOffset)) }
    public var permittedUntil: PartialDate { PartialDate(storedPacked: uint32(at: ForeignerLayout.permittedUntilOffset)) }
    public var sequence: UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: ForeignerLayout.sequenceOffset, as: UInt64.self))
    }

    private func string(_ slot: ForeignerLayout.StringSlot) -> UnsafeRawBufferPointer {
        func end(_ index: Int) -> Int {
            Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: ForeignerLayout.stringTableOffset + 2 * index, as: UInt16.self)))
        }
        let index = slot.rawValue
        let start = index == 0 ? 0 : end(index - 1)
        let base = ForeignerLayout.stringAreaStart
        return UnsafeRawBufferPointer(rebasing: bytes[(base + start)..<(base + max(start, end(index)))])
    }

    public var surname: UnsafeRawBufferPointer { string(.surname) }
    public var givenNames: UnsafeRawBufferPointer { string(.givenNames) }
    public var residenceCardNumber: UnsafeRawBufferPointer { string(.residenceCardNumber) }

    /// An owning copy.
    public func record() -> ForeignerRecord {
        func text(_ bytes: UnsafeRawBufferPointer) -> String { String(decoding: bytes, as: UTF8.self) }
        return ForeignerRecord(
            key: key, surname: text(surname), givenNames: text(givenNames), dateOfBirth: dateOfBirth, sex: sex,
            residenceCardNumber: text(residenceCardNumber), permittedFrom: permittedFrom, permittedUntil: permittedUntil,
            recordStatus: recordStatus, sequence: sequence)
    }
}

extension ForeignerRecord {
    /// The binary record (see `ForeignerLayout`).
    func encoded() throws(ResidentRecord.EncodingError) -> [UInt8] {
        let strings = [surname, givenNames, residenceCardNumber]
        let size = ForeignerLayout.stringAreaStart + strings.reduce(0) { $0 + $1.utf8.count }
        guard size <= ForeignerLayout.maximumRecordSize else { throw .recordTooLarge(size) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(size)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) } }
        buffer.append(ForeignerLayout.version)
        buffer.append(sex.rawValue)
        buffer.append(recordStatus.rawValue)
        buffer.append(0)
        append(dateOfBirth.packed)
        append(permittedFrom.packed)
        append(permittedUntil.packed)
        append(sequence)
        var end = 0
        for string in strings {
            end += string.utf8.count
            append(UInt16(end))
        }
        for string in strings { buffer.append(contentsOf: string.utf8) }
        return buffer
    }
}

/// The binary record format of the `residents` database (version 1). See docs/DATA.md.
///
/// ```
/// offset size field
///  0     1    format version (1)
///  1     1    flags: bit 0 has card, bit 1 card has expiry date
///  2     1    sex (Sex raw value)
///  3     1    record status (RecordStatus raw value)
///  4     1    stored card status (StoredCardStatus raw value; 0 without card)
///  5     1    phone number count n
///  6     2    reserved (0)
///  8     4    date of birth (PartialDate.packed, little-endian)
/// 12     4    card issue date (packed; 0 without card)
/// 16     4    card expiry date (packed; 0 without expiry)
/// 20     8    sequence number of the batch that last wrote the record (little-endian)
/// 28     2×(7+n) end offsets of the strings, relative to the string area (UInt16 little-endian)
///        ...  string area: UTF-8 of fullName, placeOfOrigin, placeOfResidence, nationality, ethnicity,
///             legacyIdNumber, cardNumber, then the n phone numbers, back to back
/// ```
/// Every field is read in place from the memory map; nothing is parsed or copied to answer a comparison.
enum RecordLayout {
    static let version: UInt8 = 1

    static let versionOffset = 0
    static let flagsOffset = 1
    static let sexOffset = 2
    static let recordStatusOffset = 3
    static let cardStatusOffset = 4
    static let phoneCountOffset = 5
    static let dateOfBirthOffset = 8
    static let cardIssueDateOffset = 12
    static let cardExpiryDateOffset = 16
    static let sequenceOffset = 20
    static let stringTableOffset = 28

    static let hasCardFlag: UInt8 = 1 << 0
    static let hasExpiryFlag: UInt8 = 1 << 1

    /// The fixed strings, in the order of the offset table.
    enum StringSlot: Int, CaseIterable {
        case fullName, placeOfOrigin, placeOfResidence, nationality, ethnicity, legacyIdNumber, cardNumber
    }
    static let fixedStringCount = StringSlot.allCases.count

    /// A record may not exceed what 16-bit string offsets (and the importer's 16-bit lengths) can address.
    static let maximumRecordSize = Int(UInt16.max)
    static let maximumPhoneNumbers = 32
}

import IDGateStore

/// The holder's data as read from the chip, in the registry's model types so the matching engine can compare it
/// with a registry record (match attributes: idNumber, fullName, dateOfBirth, sex, placeOfOrigin,
/// placeOfResidence, cardIssueDate).
public struct ChipPersonalData: Sendable, Equatable {
    public enum Source: String, Sendable { case dg13, dg1 }

    public var source: Source
    /// The 12-digit personal identification number (DG13 item 1, or the TD1 optional data of a Vietnamese card);
    /// for a foreign passport, the document number.
    public var idNumber: String?
    /// As printed: Vietnamese with diacritics from DG13, the MRZ's upper-case transliteration from DG1.
    public var fullName: String?
    public var dateOfBirth: PartialDate?
    public var sex: Sex?
    public var nationality: String?
    public var ethnicity: String?
    public var religion: String?
    public var placeOfOrigin: String?
    public var placeOfResidence: String?
    public var identifyingMarks: String?
    public var cardIssueDate: PartialDate?
    /// nil for a card valid for life ("Không thời hạn") or when unknown.
    public var cardExpiryDate: PartialDate?
    public var fatherName: String?
    public var motherName: String?
    public var spouseName: String?
    /// The old 9-digit ID card (CMND) number.
    public var legacyIdNumber: String?
    /// The MRZ document number (DG1 only).
    public var documentNumber: String?

    public init(source: Source) { self.source = source }

    /// The registry identity number, when `idNumber` is a valid 12-digit one.
    public var registryIDNumber: IDNumber? { idNumber.flatMap(IDNumber.init) }
}

/// Why a data group's content could not be read.
public struct DataGroupParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public let dataGroup: Int
    public let reason: String
    public var description: String { "dg\(dataGroup)_unparsable:\(reason)" }
}

/// One line of `sample.ndjson` (`idgate registry sample`): a stored resident whose attributes build match traffic.
public struct SampleRecord: Decodable, Sendable, Equatable {
    public var idNumber: String
    public var fullName: String?
    public var dateOfBirth: String?
    public var sex: String?
    public var nationality: String?
    public var ethnicity: String?
    public var placeOfOrigin: String?
    public var placeOfResidence: String?
    public var legacyIdNumber: String?
    public var phoneNumbers: [String]?
    public var cardNumber: String?
    public var cardIssueDate: String?
    public var cardExpiryDate: String?
    public var cardStatus: String?
    public var recordStatus: String?
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The attributes of a resident row, named as in NDJSON keys and CSV headers (and in the match API).
public enum ResidentField: Int, CaseIterable, Sendable {
    case idNumber, fullName, dateOfBirth, sex, nationality, ethnicity, placeOfOrigin, placeOfResidence,
        legacyIdNumber, phoneNumbers, cardNumber, cardIssueDate, cardExpiryDate, cardStatus, recordStatus

    public var name: String { Self.names[rawValue] }

    /// Fields a row must carry; the others may be absent, null or empty.
    public static let required: [ResidentField] = [.idNumber, .fullName, .dateOfBirth, .sex, .placeOfOrigin, .placeOfResidence]

    private static let names = [
        "idNumber", "fullName", "dateOfBirth", "sex", "nationality", "ethnicity", "placeOfOrigin", "placeOfResidence",
        "legacyIdNumber", "phoneNumbers", "cardNumber", "cardIssueDate", "cardExpiryDate", "cardStatus", "recordStatus",
    ]
    private static let utf8Names: [[UInt8]] = names.map { Array($0.utf8) }

    public init?(name: String) {
        guard let index = Self.names.firstIndex(of: name) else { return nil }
        self = ResidentField(rawValue: index)!
    }

    /// Matches raw key bytes, trying `hint` first (rows usually list keys in the same order) without allocating.
    static func match(_ bytes: UnsafeRawBufferPointer, hint: Int) -> ResidentField? {
        if hint < utf8Names.count, equals(bytes, utf8Names[hint]) { return ResidentField(rawValue: hint) }
        for index in utf8Names.indices where equals(bytes, utf8Names[index]) { return ResidentField(rawValue: index) }
        return nil
    }

    /// If the bytes at `offset` are this field's name followed by `":`, the offset after the colon.
    @inline(__always)
    func matchesKey(_ base: UnsafeRawPointer, at offset: Int, end: Int) -> Int? {
        let name = Self.quotedNames[rawValue]
        guard offset + name.count <= end,
            name.withUnsafeBytes({ memcmp($0.baseAddress!, base + offset, $0.count) }) == 0
        else { return nil }
        return offset + name.count
    }

    /// Each name followed by `":`, as it appears in a compact JSON row.
    private static let quotedNames: [[UInt8]] = names.map { Array($0.utf8) + [UInt8(ascii: "\""), UInt8(ascii: ":")] }

    @inline(__always)
    private static func equals(_ bytes: UnsafeRawBufferPointer, _ name: [UInt8]) -> Bool {
        guard bytes.count == name.count else { return false }
        return name.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
    }
}

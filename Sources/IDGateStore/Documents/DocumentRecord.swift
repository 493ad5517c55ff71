/// One integrated personal document as the registry holds it, keyed by (type, number) and indexed by holder.
///
/// Type-specific fields are optional and only meaningful for their type: licence classes for driving licences,
/// the plate for vehicle registrations, the other spouse for marriage certificates.
public struct DocumentRecord: Sendable, Hashable {
    public var type: DocumentType
    /// Canonical form (`DocumentType.canonicalNumber`).
    public var number: String
    public var holderIdNumber: IDNumber
    /// The holder's name as printed on the document (NFC).
    public var holderName: String
    public var issuer: String
    public var issueDate: PartialDate
    public var expiryDate: PartialDate?
    public var status: DocumentStatus
    /// Driving licences: the classes held, upper case (`["A1", "B2"]`).
    public var licenceClasses: [String]
    /// Vehicle registrations: the plate as issued (`30A-123.45`).
    public var vehiclePlate: String?
    /// Marriage certificates: the other spouse, who holds the same certificate.
    public var spouseIdNumber: IDNumber?
    /// The import or update batch that last wrote the record.
    public var sequence: UInt64 = 0

    public init(
        type: DocumentType, number: String, holderIdNumber: IDNumber, holderName: String, issuer: String,
        issueDate: PartialDate, expiryDate: PartialDate? = nil, status: DocumentStatus = .valid,
        licenceClasses: [String] = [], vehiclePlate: String? = nil, spouseIdNumber: IDNumber? = nil
    ) {
        self.type = type
        self.number = number
        self.holderIdNumber = holderIdNumber
        self.holderName = holderName
        self.issuer = issuer
        self.issueDate = issueDate
        self.expiryDate = expiryDate
        self.status = status
        self.licenceClasses = licenceClasses
        self.vehiclePlate = vehiclePlate
        self.spouseIdNumber = spouseIdNumber
    }

    /// The registry key: the type byte, then the canonical number.
    public var key: [UInt8] { DocumentKey.bytes(type: type, canonicalNumber: Array(number.utf8)) }

    /// Whether `idNumber` holds this document (the holder, or the other spouse of a marriage certificate).
    public func isHeld(by idNumber: IDNumber) -> Bool { holderIdNumber == idNumber || spouseIdNumber == idNumber }
}

/// Keys of the `documents` database: type byte then canonical number bytes (at most 64), so one database holds
/// every type and a holder-index entry names a document in a few bytes.
public enum DocumentKey {
    public static func bytes(type: DocumentType, canonicalNumber: [UInt8]) -> [UInt8] { [type.rawValue] + canonicalNumber }

    /// The type and number a key names; nil for a malformed key.
    static func parse(_ key: UnsafeRawBufferPointer) -> (DocumentType, String)? {
        guard let first = key.first, let type = DocumentType(rawValue: first) else { return nil }
        return (type, String(decoding: key.dropFirst(), as: UTF8.self))
    }
}

/// The binary document record (docs/DATA.md, "Document record"): fixed fields then length-delimited strings.
enum DocumentRecordCodec {
    static let formatVersion: UInt8 = 1
    static let stringCount = 5
    static let headerSize = 36

    static func encode(_ record: DocumentRecord) throws(RecordStrings.TooLarge) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: headerSize)
        out[0] = formatVersion
        out[1] = record.type.rawValue
        out[2] = record.status.rawValue
        out[3] = (record.expiryDate != nil ? 1 : 0) | (record.spouseIdNumber != nil ? 2 : 0)
        out.storeLittleEndian(record.issueDate.packed, at: 4)
        out.storeLittleEndian(record.expiryDate?.packed ?? 0, at: 8)
        out.storeLittleEndian(record.holderIdNumber.value, at: 12)
        out.storeLittleEndian(record.spouseIdNumber?.value ?? 0, at: 20)
        out.storeLittleEndian(record.sequence, at: 28)
        try RecordStrings.append(
            [record.number, record.issuer, record.holderName, record.licenceClasses.joined(separator: ","),
             record.vehiclePlate ?? ""], to: &out)
        return out
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) -> DocumentRecord? {
        guard bytes.count >= headerSize, bytes[0] == formatVersion, let type = DocumentType(rawValue: bytes[1]),
            let status = DocumentStatus(rawValue: bytes[2]),
            let issued = PartialDate(packed: bytes.loadLittleEndian(UInt32.self, at: 4)),
            let strings = RecordStrings.read(count: stringCount, from: bytes, at: headerSize)
        else { return nil }
        let flags = bytes[3]
        var record = DocumentRecord(
            type: type, number: strings[0], holderIdNumber: IDNumber(unchecked: bytes.loadLittleEndian(UInt64.self, at: 12)),
            holderName: strings[2], issuer: strings[1], issueDate: issued,
            expiryDate: flags & 1 != 0 ? PartialDate(packed: bytes.loadLittleEndian(UInt32.self, at: 8)) : nil,
            status: status, licenceClasses: strings[3].split(separator: ",").map(String.init),
            vehiclePlate: strings[4].isEmpty ? nil : strings[4],
            spouseIdNumber: flags & 2 != 0 ? IDNumber(unchecked: bytes.loadLittleEndian(UInt64.self, at: 20)) : nil)
        record.sequence = bytes.loadLittleEndian(UInt64.self, at: 28)
        return record
    }
}

/// The string area shared by the document and organization records: `count` UInt16 little-endian end offsets
/// (relative to the area after them), then the UTF-8 strings back to back.
enum RecordStrings {
    struct TooLarge: Error, CustomStringConvertible {
        var description: String { "the record's text exceeds 65,535 bytes" }
    }

    static func append(_ strings: [String], to out: inout [UInt8]) throws(TooLarge) {
        var end = 0
        for string in strings {
            end += string.utf8.count
            guard end <= Int(UInt16.max) else { throw TooLarge() }
            out.append(UInt8(end & 0xFF))
            out.append(UInt8(end >> 8))
        }
        for string in strings { out.append(contentsOf: string.utf8) }
    }

    static func read(count: Int, from bytes: UnsafeRawBufferPointer, at offset: Int) -> [String]? {
        let area = offset + 2 * count
        guard bytes.count >= area else { return nil }
        var result: [String] = []
        result.reserveCapacity(count)
        var start = 0
        for index in 0..<count {
            let end = Int(bytes[offset + 2 * index]) | Int(bytes[offset + 2 * index + 1]) << 8
            guard end >= start, area + end <= bytes.count else { return nil }
            result.append(String(decoding: bytes[(area + start)..<(area + end)], as: UTF8.self))
            start = end
        }
        return result
    }
}

extension Array where Element == UInt8 {
    mutating func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
    }
}

extension UnsafeRawBufferPointer {
    func loadLittleEndian<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

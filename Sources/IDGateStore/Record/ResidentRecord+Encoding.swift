extension ResidentRecord {
    /// Why a record cannot be stored in the binary format.
    public enum EncodingError: Error, Equatable, Sendable {
        case tooManyPhoneNumbers(Int)
        case recordTooLarge(Int)
    }

    /// The strings of the record in offset-table order (absent ones as empty strings).
    @inline(__always)
    private func forEachStoredString(_ body: (String) -> Void) {
        body(fullName)
        body(placeOfOrigin)
        body(placeOfResidence)
        body(nationality)
        body(ethnicity)
        body(legacyIdNumber ?? "")
        body(card?.number ?? "")
        for phone in phoneNumbers { body(phone) }
    }

    /// The size of the encoded record.
    var encodedSize: Int {
        var strings = 0
        forEachStoredString { strings += $0.utf8.count }
        return RecordLayout.stringTableOffset + 2 * (RecordLayout.fixedStringCount + phoneNumbers.count) + strings
    }

    /// Appends the binary record (see `RecordLayout`) to `buffer`.
    func encode(into buffer: inout [UInt8]) throws(EncodingError) {
        guard phoneNumbers.count <= RecordLayout.maximumPhoneNumbers else {
            throw .tooManyPhoneNumbers(phoneNumbers.count)
        }
        let size = encodedSize
        guard size <= RecordLayout.maximumRecordSize else { throw .recordTooLarge(size) }
        var flags: UInt8 = 0
        if card != nil { flags |= RecordLayout.hasCardFlag }
        if card?.expiryDate != nil { flags |= RecordLayout.hasExpiryFlag }
        buffer.append(RecordLayout.version)
        buffer.append(flags)
        buffer.append(sex.rawValue)
        buffer.append(recordStatus.rawValue)
        buffer.append(card?.status.rawValue ?? 0)
        buffer.append(UInt8(phoneNumbers.count))
        buffer.append(0)
        buffer.append(0)
        appendLittleEndian(dateOfBirth.packed, to: &buffer)
        appendLittleEndian(card?.issueDate.packed ?? 0, to: &buffer)
        appendLittleEndian(card?.expiryDate?.packed ?? 0, to: &buffer)
        appendLittleEndian(sequence, to: &buffer)

        var end = 0
        forEachStoredString { string in
            end += string.utf8.count
            appendLittleEndian(UInt16(end), to: &buffer)
        }
        forEachStoredString { string in
            var contiguous = string
            contiguous.withUTF8 { buffer.append(contentsOf: $0) }
        }
    }

    /// The encoded record as a fresh array.
    func encoded() throws(EncodingError) -> [UInt8] {
        var buffer: [UInt8] = []
        try encode(into: &buffer)
        return buffer
    }
}

@inline(__always)
private func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { buffer.appendBytes($0) }
}

import IDGateCore
import IDGateStore

extension MatchRequest {
    /// SHA-256 over the canonical form of the submitted attributes (`requestDigest`), so a caller can later prove
    /// what was checked. Canonical form (docs/MATCHING.md): for each submitted attribute in the fixed order idNumber,
    /// fullName, dateOfBirth, sex, placeOfOrigin, placeOfResidence, phoneNumber, cardIssueDate, residenceCardNumber,
    /// passportNumber, nationality (the last three only in passport-keyed requests), the bytes
    /// `<wireName>=<value as submitted, JSON-unescaped UTF-8>\n`. `purpose` and `ref` are not attributes and are left
    /// out. Values cannot contain a newline (control characters are rejected), so the form is unambiguous.
    public func requestDigest() -> SHA256Key {
        withCanonicalForm { SHA256Key.hashing($0) }
    }

    /// Lends the canonical form hashed by `requestDigest()` (on the stack when it fits 1 KiB).
    public func withCanonicalForm<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let submitted = submittedFields & RequestField.digestBits  // the attributes' and keys' bits
        var length = 0
        var bits = submitted
        while bits != 0 {
            let raw = UInt8(bits.trailingZeroBitCount)
            bits &= bits &- 1
            length += RequestField(rawValue: raw)!.staticWireName.utf8CodeUnitCount + 2 + textLength(rawValue: raw)
        }
        return try withScratchBuffer(of: UInt8.self, capacity: max(length, 1)) { scratch in
            var target = UnsafeMutableRawPointer(scratch.baseAddress!)
            var bits = submitted
            while bits != 0 {
                let field = RequestField(rawValue: UInt8(bits.trailingZeroBitCount))!
                bits &= bits &- 1
                let name = field.staticWireName
                target.copyMemory(from: name.utf8Start, byteCount: name.utf8CodeUnitCount)
                target += name.utf8CodeUnitCount
                target.storeBytes(of: UInt8(ascii: "="), as: UInt8.self)
                target += 1
                withText(field) { value in
                    if let source = value.baseAddress { target.copyMemory(from: source, byteCount: value.count) }
                    target += value.count
                }
                target.storeBytes(of: UInt8(ascii: "\n"), as: UInt8.self)
                target += 1
            }
            return try body(UnsafeRawBufferPointer(start: scratch.baseAddress, count: length))
        }
    }
}

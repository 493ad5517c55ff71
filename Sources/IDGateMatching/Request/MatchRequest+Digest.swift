import Crypto
import IDGateStore

extension MatchRequest {
    /// SHA-256 over the canonical form of the submitted attributes (`requestDigest`), so a caller can later prove
    /// what was checked. Canonical form (docs/MATCHING.md): for each submitted attribute in the fixed order idNumber,
    /// fullName, dateOfBirth, sex, placeOfOrigin, placeOfResidence, phoneNumber, cardIssueDate, the bytes
    /// `<wireName>=<value as submitted, JSON-unescaped UTF-8>\n`. `purpose` and `ref` are not attributes and are left
    /// out. Values cannot contain a newline (control characters are rejected), so the form is unambiguous.
    public func requestDigest() -> SHA256Digest {
        var hasher = SHA256()
        withUnsafeTemporaryAllocation(byteCount: 1024, alignment: 1) { scratch in
            var used = 0
            func flush() {
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: scratch[0..<used]))
                used = 0
            }
            func append(_ bytes: UnsafeRawBufferPointer) {
                if used + bytes.count > scratch.count { flush() }
                if bytes.count > scratch.count {
                    hasher.update(bufferPointer: bytes)
                    return
                }
                UnsafeMutableRawBufferPointer(rebasing: scratch[used..<(used + bytes.count)]).copyMemory(from: bytes)
                used += bytes.count
            }
            for field in RequestField.everyField where field.attribute != nil && contains(field) {
                let name = field.staticWireName
                append(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
                withUnsafeBytes(of: UInt8(ascii: "=")) { append($0) }
                withText(field) { append($0) }
                withUnsafeBytes(of: UInt8(ascii: "\n")) { append($0) }
            }
            flush()
        }
        return hasher.finalize()
    }
}

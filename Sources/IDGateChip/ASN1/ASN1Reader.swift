/// Reads consecutive TLVs from a byte range, accepting BER (indefinite lengths, constructed strings) as well as DER.
struct ASN1Reader {
    private let bytes: ArraySlice<UInt8>
    private var position: Int
    private let depth: Int

    init(_ bytes: ArraySlice<UInt8>, depth: Int) {
        self.bytes = bytes
        self.position = bytes.startIndex
        self.depth = depth
    }

    var isAtEnd: Bool { position == bytes.endIndex }

    /// The next element, or nil at the end of the range.
    mutating func next() throws(ASN1Error) -> ASN1Element? {
        guard position < bytes.endIndex else { return nil }
        guard depth <= ASN1Element.maxDepth else { throw .tooDeep }
        let start = position
        let first = try byte()
        var tag = UInt32(first)
        if first & 0x1F == 0x1F {
            var count = 0
            while true {
                let b = try byte()
                count += 1
                guard count <= 3 else { throw .badTag }
                tag = tag << 8 | UInt32(b)
                if b & 0x80 == 0 { break }
            }
        }
        let constructed = first & 0x20 != 0
        let lengthByte = try byte()
        if lengthByte == 0x80 {
            // Indefinite length: only for constructed encodings; the end is found by walking the children to 00 00.
            guard constructed else { throw .badLength }
            let contentStart = position
            var inner = ASN1Reader(bytes[contentStart...], depth: depth + 1)
            while true {
                guard inner.position + 1 < bytes.endIndex else { throw .truncated }
                if bytes[inner.position] == 0, bytes[inner.position + 1] == 0 { break }
                guard try inner.next() != nil else { throw .truncated }
            }
            let contentEnd = inner.position
            position = contentEnd + 2
            return ASN1Element(
                tag: tag, isConstructed: true, encoded: bytes[start..<position],
                content: bytes[contentStart..<contentEnd], depth: depth)
        }
        var length: Int
        if lengthByte & 0x80 == 0 {
            length = Int(lengthByte)
        } else {
            let count = Int(lengthByte & 0x7F)
            guard count <= 4 else { throw .badLength }
            length = 0
            for _ in 0..<count { length = length << 8 | Int(try byte()) }
        }
        guard length <= bytes.endIndex - position else { throw .truncated }
        let contentStart = position
        position += length
        guard tag != 0 else { throw .unexpected("end-of-contents outside an indefinite length") }
        return ASN1Element(
            tag: tag, isConstructed: constructed, encoded: bytes[start..<position],
            content: bytes[contentStart..<position], depth: depth)
    }

    private mutating func byte() throws(ASN1Error) -> UInt8 {
        guard position < bytes.endIndex else { throw .truncated }
        defer { position += 1 }
        return bytes[position]
    }
}

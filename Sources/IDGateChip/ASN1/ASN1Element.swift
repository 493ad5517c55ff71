/// Why parsing an ASN.1 structure failed. Lengths are never trusted: every one is checked against the bytes present.
public enum ASN1Error: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated
    case tooDeep
    case tooLarge
    case badLength
    case badTag
    case unexpected(String)

    public var description: String {
        switch self {
        case .truncated: "truncated"
        case .tooDeep: "nested too deeply"
        case .tooLarge: "too large"
        case .badLength: "bad length encoding"
        case .badTag: "bad tag encoding"
        case .unexpected(let what): "unexpected structure: \(what)"
        }
    }
}

/// One BER/DER TLV as a view into the caller's bytes (no copy).
///
/// `encoded` is the whole TLV (header, content and, for an indefinite length, the end-of-contents octets);
/// `content` is the value only. Children are parsed on demand, one level at a time, so a hostile file costs only
/// as much as the structure the caller walks; `depth` travels with each element and is capped.
public struct ASN1Element: Sendable {
    /// The tag with its class and constructed bits, multi-byte tags accumulated (e.g. `0x5F1F`).
    public let tag: UInt32
    public let isConstructed: Bool
    public let encoded: ArraySlice<UInt8>
    public let content: ArraySlice<UInt8>
    public let depth: Int

    /// The maximum nesting depth walked by any caller (the SOD is about 12 levels deep).
    public static let maxDepth = 32

    /// Parses exactly one element filling `bytes`; trailing bytes are an error.
    public static func parse(_ bytes: ArraySlice<UInt8>, maxSize: Int = 1 << 20) throws(ASN1Error) -> ASN1Element {
        guard bytes.count <= maxSize else { throw .tooLarge }
        var reader = ASN1Reader(bytes, depth: 0)
        guard let element = try reader.next() else { throw .truncated }
        guard reader.isAtEnd else { throw .unexpected("trailing bytes") }
        return element
    }

    public static func parse(_ bytes: [UInt8], maxSize: Int = 1 << 20) throws(ASN1Error) -> ASN1Element {
        try parse(bytes[...], maxSize: maxSize)
    }

    /// The elements inside a constructed element.
    public func children() throws(ASN1Error) -> [ASN1Element] {
        guard isConstructed else { throw .unexpected("primitive element where constructed expected") }
        var reader = ASN1Reader(content, depth: depth + 1)
        var result: [ASN1Element] = []
        while let child = try reader.next() { result.append(child) }
        return result
    }

    /// Visits the elements inside a constructed element without collecting them (no allocation).
    public func forEachChild(_ body: (ASN1Element) throws(ASN1Error) -> Void) throws(ASN1Error) {
        guard isConstructed else { throw .unexpected("primitive element where constructed expected") }
        var reader = ASN1Reader(content, depth: depth + 1)
        while let child = try reader.next() { try body(child) }
    }

    /// Children, checking this element's tag first.
    public func children(expecting expectedTag: UInt32) throws(ASN1Error) -> [ASN1Element] {
        try expect(expectedTag)
        return try children()
    }

    public func expect(_ expectedTag: UInt32) throws(ASN1Error) {
        guard tag == expectedTag else {
            throw .unexpected("tag 0x\(String(tag, radix: 16)) where 0x\(String(expectedTag, radix: 16)) expected")
        }
    }

    /// The single element inside an explicitly tagged wrapper (`[n] EXPLICIT`, application tags such as 0x77).
    public func unwrapped() throws(ASN1Error) -> ASN1Element {
        let inner = try children()
        guard inner.count == 1 else { throw .unexpected("wrapper holds \(inner.count) elements") }
        return inner[0]
    }

    /// A small non-negative INTEGER (versions, data-group numbers, salt lengths).
    public func smallInteger() throws(ASN1Error) -> Int {
        try expect(ASN1Tag.integer)
        guard !content.isEmpty, content.count <= 8, content.first! & 0x80 == 0 else {
            throw .unexpected("integer out of range")
        }
        var value = 0
        for byte in content { value = value << 8 | Int(byte) }
        return value
    }

    /// The content of a primitive OCTET STRING, or the concatenated segments of a constructed (BER) one.
    public func octetStringBytes() throws(ASN1Error) -> ArraySlice<UInt8> {
        guard tag & ~UInt32(0x20) == ASN1Tag.octetString else { throw .unexpected("not an OCTET STRING") }
        if !isConstructed { return content }
        var joined: [UInt8] = []
        for segment in try children() { joined += try segment.octetStringBytes() }
        return joined[...]
    }
}

/// Universal tags used by the chip structures.
public enum ASN1Tag {
    public static let boolean: UInt32 = 0x01
    public static let integer: UInt32 = 0x02
    public static let bitString: UInt32 = 0x03
    public static let octetString: UInt32 = 0x04
    public static let null: UInt32 = 0x05
    public static let objectIdentifier: UInt32 = 0x06
    public static let utf8String: UInt32 = 0x0C
    public static let printableString: UInt32 = 0x13
    public static let sequence: UInt32 = 0x30
    public static let set: UInt32 = 0x31
    /// Context-specific constructed `[n]`.
    public static func context(_ n: UInt32) -> UInt32 { 0xA0 | n }
    /// Context-specific primitive `[n]` (IMPLICIT on a primitive type).
    public static func contextPrimitive(_ n: UInt32) -> UInt32 { 0x80 | n }
}

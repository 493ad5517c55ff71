/// Builds DER encodings for the structures the test card generator writes (SOD, data groups, signed attributes).
///
/// Reading goes through the typed structures (`SignedData`, `LDSSecurityObject`, ...) on swift-asn1; this writer
/// only assembles TLVs for generated cards and for tests that need hand-made bad input.
public enum DERWriter {
    public static func tlv(_ tag: UInt32, _ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(content.count + 6)
        if tag > 0xFFFF { out.append(UInt8(tag >> 16)) }
        if tag > 0xFF { out.append(UInt8(truncatingIfNeeded: tag >> 8)) }
        out.append(UInt8(truncatingIfNeeded: tag))
        let n = content.count
        if n < 0x80 {
            out.append(UInt8(n))
        } else {
            var lengthBytes: [UInt8] = []
            var rest = n
            while rest > 0 { lengthBytes.insert(UInt8(rest & 0xFF), at: 0); rest >>= 8 }
            out.append(0x80 | UInt8(lengthBytes.count))
            out += lengthBytes
        }
        return out + content
    }

    public static func sequence(_ items: [[UInt8]]) -> [UInt8] { tlv(ASN1Tag.sequence, items.flatMap { $0 }) }

    /// A DER SET OF: members sorted by their encodings.
    public static func set(_ items: [[UInt8]]) -> [UInt8] {
        tlv(ASN1Tag.set, items.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { $0 })
    }

    public static func integer(_ value: Int) -> [UInt8] {
        precondition(value >= 0)
        var bytes: [UInt8] = []
        var rest = value
        repeat { bytes.insert(UInt8(rest & 0xFF), at: 0); rest >>= 8 } while rest > 0
        return unsignedInteger(bytes)
    }

    /// An INTEGER from big-endian magnitude bytes (leading zeros stripped, a zero added when the top bit is set).
    public static func unsignedInteger<C: Collection<UInt8>>(_ magnitude: C) -> [UInt8] {
        var bytes = Array(magnitude.drop { $0 == 0 })
        if bytes.isEmpty || bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return tlv(ASN1Tag.integer, bytes)
    }

    public static func octetString<C: Collection<UInt8>>(_ bytes: C) -> [UInt8] { tlv(ASN1Tag.octetString, Array(bytes)) }
    public static func utf8String(_ string: String) -> [UInt8] { tlv(ASN1Tag.utf8String, Array(string.utf8)) }
    public static func printableString(_ string: String) -> [UInt8] { tlv(ASN1Tag.printableString, Array(string.utf8)) }
    public static func null() -> [UInt8] { [0x05, 0x00] }
    public static func oid(_ oid: OID) -> [UInt8] { tlv(ASN1Tag.objectIdentifier, oid.bytes) }
    public static func explicit(_ n: UInt32, _ content: [UInt8]) -> [UInt8] { tlv(ASN1Tag.context(n), content) }
    /// An AlgorithmIdentifier with absent parameters (hash algorithms get an explicit NULL, as ICAO samples do).
    public static func algorithm(_ oid: OID, nullParameters: Bool = false) -> [UInt8] {
        sequence([DERWriter.oid(oid)] + (nullParameters ? [null()] : []))
    }
}

/// The tags the writer uses, with their class and constructed bits as they appear on the wire.
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

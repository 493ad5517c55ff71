import SwiftASN1

/// An OBJECT IDENTIFIER held as its DER content bytes, so that matching a parsed OID is a byte comparison.
public struct OID: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init<C: Collection<UInt8>>(contentBytes: C) { self.bytes = Array(contentBytes) }

    /// From dotted form; only for the constants below and tests (traps on a malformed literal).
    public init(_ dotted: String) {
        let arcs = dotted.split(separator: ".").map { UInt64($0)! }
        var out: [UInt8] = []
        func base128(_ value: UInt64) {
            var chunk: [UInt8] = [UInt8(value & 0x7F)]
            var rest = value >> 7
            while rest > 0 { chunk.insert(UInt8(rest & 0x7F) | 0x80, at: 0); rest >>= 7 }
            out += chunk
        }
        base128(arcs[0] * 40 + arcs[1])
        for arc in arcs.dropFirst(2) { base128(arc) }
        self.bytes = out
    }

    public var description: String {
        var arcs: [UInt64] = []
        var value: UInt64 = 0
        for byte in bytes {
            value = value << 7 | UInt64(byte & 0x7F)
            if byte & 0x80 == 0 {
                if arcs.isEmpty {
                    let first = min(value / 40, 2)
                    arcs += [first, value - first * 40]
                } else {
                    arcs.append(value)
                }
                value = 0
            }
        }
        return arcs.map(String.init).joined(separator: ".")
    }
}

/// Read as a swift-asn1 value: the content is validated by `ASN1ObjectIdentifier` (base-128 arcs, minimal) and kept
/// as bytes.
extension OID: BERImplicitlyTaggable {
    public static var defaultIdentifier: ASN1Identifier { .objectIdentifier }

    public init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        _ = try ASN1ObjectIdentifier(derEncoded: node, withIdentifier: identifier)
        try self.init(validated: node)
    }

    public init(berEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        _ = try ASN1ObjectIdentifier(berEncoded: node, withIdentifier: identifier)
        try self.init(validated: node)
    }

    private init(validated node: ASN1Node) throws {
        guard case .primitive(let content) = node.content, content.count <= 64 else {
            throw ASN1StructureError("object identifier too long")
        }
        self.init(contentBytes: content)
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        coder.appendPrimitiveNode(identifier: identifier) { $0.append(contentsOf: bytes) }
    }
}

/// The object identifiers of CMS, ICAO 9303 and the algorithms they use.
extension OID {
    public static let signedData = OID("1.2.840.113549.1.7.2")
    public static let data = OID("1.2.840.113549.1.7.1")
    public static let ldsSecurityObject = OID("2.23.136.1.1.1")
    public static let cscaMasterList = OID("2.23.136.1.1.2")
    public static let contentTypeAttribute = OID("1.2.840.113549.1.9.3")
    public static let messageDigestAttribute = OID("1.2.840.113549.1.9.4")
    public static let signingTimeAttribute = OID("1.2.840.113549.1.9.5")

    public static let sha1 = OID("1.3.14.3.2.26")
    public static let sha224 = OID("2.16.840.1.101.3.4.2.4")
    public static let sha256 = OID("2.16.840.1.101.3.4.2.1")
    public static let sha384 = OID("2.16.840.1.101.3.4.2.2")
    public static let sha512 = OID("2.16.840.1.101.3.4.2.3")

    public static let rsaEncryption = OID("1.2.840.113549.1.1.1")
    public static let sha1WithRSA = OID("1.2.840.113549.1.1.5")
    public static let sha224WithRSA = OID("1.2.840.113549.1.1.14")
    public static let sha256WithRSA = OID("1.2.840.113549.1.1.11")
    public static let sha384WithRSA = OID("1.2.840.113549.1.1.12")
    public static let sha512WithRSA = OID("1.2.840.113549.1.1.13")
    public static let rsassaPSS = OID("1.2.840.113549.1.1.10")
    public static let mgf1 = OID("1.2.840.113549.1.1.8")

    public static let ecPublicKey = OID("1.2.840.10045.2.1")
    public static let ecdsaWithSHA1 = OID("1.2.840.10045.4.1")
    public static let ecdsaWithSHA224 = OID("1.2.840.10045.4.3.1")
    public static let ecdsaWithSHA256 = OID("1.2.840.10045.4.3.2")
    public static let ecdsaWithSHA384 = OID("1.2.840.10045.4.3.3")
    public static let ecdsaWithSHA512 = OID("1.2.840.10045.4.3.4")
    /// BSI TR-03111 ecdsa-plain-signatures arc (0.4.0.127.0.7.1.1.4.1.n): r‖s instead of a DER SEQUENCE.
    public static func ecdsaPlain(_ n: Int) -> OID { OID("0.4.0.127.0.7.1.1.4.1.\(n)") }
}

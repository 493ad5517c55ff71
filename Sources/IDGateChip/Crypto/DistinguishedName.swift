import COpenSSL
import SwiftASN1

/// A distinguished name compared as a set of (attribute type, value) pairs.
///
/// Document signers in the field encode the same name with RDNs in a different order, or with a different string
/// type, than their CSCA or the SignerInfo; comparing sorted, case-folded, trimmed pairs tolerates both.
///
/// ```
/// Name ::= SEQUENCE OF RelativeDistinguishedName
/// RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
/// AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value DirectoryString (or another string type) }
/// ```
struct DistinguishedName: ASN1Structure, Hashable {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    /// Each attribute as type OID bytes, a 0x00 separator and the trimmed, ASCII-lower-cased value; sorted.
    let attributes: [[UInt8]]
    /// The name as encoded (not part of equality: two encodings of one name are equal).
    let encoded: ArraySlice<UInt8>

    static func == (lhs: DistinguishedName, rhs: DistinguishedName) -> Bool { lhs.attributes == rhs.attributes }
    func hash(into hasher: inout Hasher) { hasher.combine(attributes) }

    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
        guard node.identifier == identifier, case .constructed(let rdns) = node.content else {
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
        var pairs: [[UInt8]] = []
        for rdn in rdns {
            guard rdn.identifier == .set, case .constructed(let members) = rdn.content else {
                throw ASN1StructureError("relative distinguished name")
            }
            var count = 0
            for member in members {
                count += 1
                pairs.append(try DER.sequence(member, identifier: .sequence) { nodes in
                    let type: OID = try rules.decode(&nodes)
                    guard let valueNode = nodes.next(), DistinguishedName.stringTags.contains(valueNode.identifier) else {
                        throw ASN1StructureError("attribute value is not a string")
                    }
                    var value = try valueNode.primitiveContent()
                    while value.first == 0x20 { value = value.dropFirst() }
                    while value.last == 0x20 { value = value.dropLast() }
                    return type.bytes + [0] + value.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
                })
            }
            guard count > 0 else { throw ASN1StructureError("empty relative distinguished name") }
        }
        attributes = pairs.sorted { $0.lexicographicallyPrecedes($1) }
        encoded = node.encodedBytes
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        coder.serializeRawBytes(encoded)
    }

    /// Parses a DER Name; nil when malformed.
    init?(strictDER der: ArraySlice<UInt8>) {
        guard let name = try? DistinguishedName(bytes: der, rules: .der) else { return nil }
        self = name
    }

    /// The ASN.1 string types a DirectoryString and its relatives use (UTF8String, NumericString, PrintableString,
    /// TeletexString, IA5String, VisibleString, UniversalString, BMPString).
    private static let stringTags: Set<ASN1Identifier> = Set([0x0C, 0x12, 0x13, 0x14, 0x16, 0x1A, 0x1C, 0x1E].map {
        ASN1Identifier(tagWithNumber: $0, tagClass: .universal)
    })

    private init(attributes: [[UInt8]]) {
        self.attributes = attributes
        encoded = []
    }

    init(x509Name: OpaquePointer?) {
        var der: UnsafePointer<UInt8>? = nil
        var length = 0
        guard X509_NAME_get0_der(x509Name, &der, &length) == 1, let der else {
            self.init(attributes: [])
            return
        }
        self = DistinguishedName(strictDER: Array(UnsafeBufferPointer(start: der, count: length))[...])
            ?? DistinguishedName(attributes: [])
    }
}

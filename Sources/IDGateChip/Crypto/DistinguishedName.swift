import COpenSSL

/// A distinguished name compared as a set of (attribute type, value) pairs.
///
/// Document signers in the field encode the same name with RDNs in a different order, or with a different string
/// type, than their CSCA or the SignerInfo; comparing sorted, case-folded, trimmed pairs tolerates both.
struct DistinguishedName: Hashable, Sendable {
    /// Each attribute as type OID bytes, a 0x00 separator and the trimmed, ASCII-lower-cased value; sorted.
    let attributes: [[UInt8]]

    /// Parses a DER Name: SEQUENCE OF SET OF SEQUENCE { type, value } with string values; nil when malformed.
    init?(strictDER der: ArraySlice<UInt8>) {
        guard let name = try? ASN1Element.parse(der), let rdns = try? name.children(expecting: ASN1Tag.sequence) else {
            return nil
        }
        var pairs: [[UInt8]] = []
        for rdn in rdns {
            guard let members = try? rdn.children(expecting: ASN1Tag.set), !members.isEmpty else { return nil }
            for member in members {
                guard let parts = try? member.children(expecting: ASN1Tag.sequence), parts.count == 2,
                    parts[0].tag == ASN1Tag.objectIdentifier, DistinguishedName.stringTags.contains(parts[1].tag)
                else { return nil }
                var value = parts[1].content
                while value.first == 0x20 { value = value.dropFirst() }
                while value.last == 0x20 { value = value.dropLast() }
                pairs.append(Array(parts[0].content) + [0] + value.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 })
            }
        }
        attributes = pairs.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// The ASN.1 string types a DirectoryString and its relatives use.
    private static let stringTags: Set<UInt32> = [0x0C, 0x12, 0x13, 0x14, 0x16, 0x1A, 0x1C, 0x1E]

    private init(attributes: [[UInt8]]) { self.attributes = attributes }

    init(x509Name: OpaquePointer?) {
        var der: UnsafePointer<UInt8>? = nil
        var length = 0
        guard X509_NAME_get0_der(x509Name, &der, &length) == 1, let der else {
            self.init(attributes: [])
            return
        }
        self = DistinguishedName(strictDER: Array(UnsafeBufferPointer(start: der, count: length))[...]) ?? DistinguishedName(attributes: [])
    }
}

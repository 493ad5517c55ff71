import COpenSSL
import Foundation

/// A distinguished name compared as a set of (attribute type, value) pairs.
///
/// Document signers in the field encode the same name with RDNs in a different order, or with a different string
/// type, than their CSCA or the SignerInfo; comparing sorted, case-folded, trimmed pairs tolerates both.
struct DistinguishedName: Hashable, Sendable {
    let attributes: [String]

    /// Parses a DER Name: SEQUENCE OF SET OF SEQUENCE { type, value } with string values; nil when malformed.
    init?(strictDER der: ArraySlice<UInt8>) {
        guard let name = try? ASN1Element.parse(der), let rdns = try? name.children(expecting: ASN1Tag.sequence) else {
            return nil
        }
        var pairs: [String] = []
        for rdn in rdns {
            guard let members = try? rdn.children(expecting: ASN1Tag.set), !members.isEmpty else { return nil }
            for member in members {
                guard let parts = try? member.children(expecting: ASN1Tag.sequence), parts.count == 2,
                    let type = try? OID(element: parts[0]), DistinguishedName.stringTags.contains(parts[1].tag)
                else { return nil }
                let value = String(decoding: parts[1].content, as: UTF8.self)
                    .trimmingCharacters(in: .whitespaces).lowercased()
                pairs.append("\(type)=\(value)")
            }
        }
        attributes = pairs.sorted()
    }

    /// The ASN.1 string types a DirectoryString and its relatives use.
    private static let stringTags: Set<UInt32> = [0x0C, 0x12, 0x13, 0x14, 0x16, 0x1A, 0x1C, 0x1E]

    private init(attributes: [String]) { self.attributes = attributes }

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

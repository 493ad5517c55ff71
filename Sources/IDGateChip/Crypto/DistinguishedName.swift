import COpenSSL
import Foundation

/// A distinguished name compared as a set of (attribute type, value) pairs.
///
/// Document signers in the field encode the same name with RDNs in a different order, or with a different string
/// type, than their CSCA or the SignerInfo; comparing sorted, case-folded, trimmed pairs tolerates both.
struct DistinguishedName: Hashable, Sendable {
    let attributes: [String]

    init(der: ArraySlice<UInt8>) {
        var pairs: [String] = []
        if let name = try? ASN1Element.parse(der), let rdns = try? name.children(expecting: ASN1Tag.sequence) {
            for rdn in rdns {
                guard let members = try? rdn.children() else { continue }
                for member in members {
                    guard let parts = try? member.children(), parts.count == 2,
                        let type = try? OID(element: parts[0])
                    else { continue }
                    let value = String(decoding: parts[1].content, as: UTF8.self)
                        .trimmingCharacters(in: .whitespaces).lowercased()
                    pairs.append("\(type)=\(value)")
                }
            }
        }
        attributes = pairs.sorted()
    }

    init(x509Name: OpaquePointer?) {
        var der: UnsafePointer<UInt8>? = nil
        var length = 0
        guard X509_NAME_get0_der(x509Name, &der, &length) == 1, let der else {
            self.init(der: [][...])
            return
        }
        self.init(der: Array(UnsafeBufferPointer(start: der, count: length))[...])
    }
}

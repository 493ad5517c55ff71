import SwiftASN1

/// `ContentInfo ::= SEQUENCE { contentType ContentType, content [0] EXPLICIT ANY DEFINED BY contentType }`
/// (RFC 5652 §3): the outer envelope of EF.SOD and of a CSCA master list.
struct ContentInfo: ASN1Structure {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var contentType: OID
    var content: ASN1Node

    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
        (contentType, content) = try DER.sequence(node, identifier: identifier) { nodes in
            let contentType: OID = try rules.decode(&nodes)
            let content = try DER.explicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { $0 }
            return (contentType, content)
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(contentType)
            coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { $0.serialize(content) }
        }
    }
}

/// `EncapsulatedContentInfo ::= SEQUENCE { eContentType ContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL }`.
///
/// The content is required here: a detached signature would leave nothing to check the data groups against.
struct EncapsulatedContentInfo: ASN1Structure {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var eContentType: OID
    /// The signed bytes (joined when BER split them into segments).
    var eContent: ArraySlice<UInt8>

    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
        (eContentType, eContent) = try DER.sequence(node, identifier: identifier) { nodes in
            let eContentType: OID = try rules.decode(&nodes)
            let eContent = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try rules.octetString($0)
            }
            guard let eContent else { throw ASN1StructureError("no encapsulated content") }
            return (eContentType, eContent)
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(eContentType)
            try coder.serialize(ASN1OctetString(contentBytes: eContent), explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
        }
    }
}

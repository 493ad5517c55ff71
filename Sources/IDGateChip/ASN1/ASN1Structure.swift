import SwiftASN1

/// The encoding rules a structure is read under.
///
/// ICAO 9303 asks for DER, but issued documents carry BER (indefinite lengths, constructed OCTET STRINGs), so chip
/// files are read with `.ber`. The node tree already enforces which lengths are allowed; the rules only change how
/// leaf values (strings, integers) are read from it.
enum ASN1Rules: Sendable {
    case der, ber

    /// The root node of `bytes`, which must hold exactly one element (trailing bytes are an error).
    func parse(_ bytes: ArraySlice<UInt8>) throws -> ASN1Node {
        switch self {
        case .der: try DER.parse(bytes)
        case .ber: try BER.parse(bytes)
        }
    }

    func decode<T: BERImplicitlyTaggable>(
        _ node: ASN1Node, as type: T.Type = T.self, identifier: ASN1Identifier = T.defaultIdentifier
    ) throws -> T {
        switch self {
        case .der: try T(derEncoded: node, withIdentifier: identifier)
        case .ber: try T(berEncoded: node, withIdentifier: identifier)
        }
    }

    /// The next field of a constructed value; a missing field is an error.
    func decode<T: BERImplicitlyTaggable>(
        _ nodes: inout ASN1NodeCollection.Iterator, as type: T.Type = T.self,
        identifier: ASN1Identifier = T.defaultIdentifier
    ) throws -> T {
        guard let node = nodes.next() else { throw ASN1StructureError("\(T.self) missing") }
        return try decode(node, identifier: identifier)
    }

    /// The members of a SEQUENCE OF or SET OF. SET OF order is not checked: issuers do not all sort their sets.
    func collection<T: BERImplicitlyTaggable>(
        of type: T.Type = T.self, identifier: ASN1Identifier, _ node: ASN1Node
    ) throws -> [T] {
        guard node.identifier == identifier, case .constructed(let members) = node.content else {
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
        return try members.map { try decode($0) }
    }

    /// The content of an OCTET STRING, joined from its segments when constructed (BER only).
    func octetString(_ node: ASN1Node, identifier: ASN1Identifier = .octetString) throws -> ArraySlice<UInt8> {
        try decode(node, as: ASN1OctetString.self, identifier: identifier).bytes
    }

    /// A non-negative INTEGER small enough for `Int` (versions, data-group numbers, salt lengths).
    func smallInteger(_ node: ASN1Node) throws -> Int {
        let value: Int = try decode(node)
        guard value >= 0 else { throw ASN1StructureError("negative integer") }
        return value
    }
}

/// A chip structure that reads the same under DER and BER apart from its leaf values.
///
/// Conforming types implement one initializer taking the rules; the swift-asn1 entry points (`init(derEncoded:)`,
/// `init(berEncoded:)` and their iterator forms) all lead to it, so a structure is written once, fields in order.
protocol ASN1Structure: BERImplicitlyTaggable, Sendable {
    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws
}

extension ASN1Structure {
    init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        try self.init(node: node, identifier: identifier, rules: .der)
    }

    init(berEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        try self.init(node: node, identifier: identifier, rules: .ber)
    }

    /// Reads `bytes` as exactly one `Self`: trailing bytes and leftover fields are errors.
    init(bytes: ArraySlice<UInt8>, rules: ASN1Rules) throws {
        try self.init(node: rules.parse(bytes), identifier: Self.defaultIdentifier, rules: rules)
    }
}

/// A structure that parsed as ASN.1 but is not what the grammar allows (wrong version, missing field, ...).
struct ASN1StructureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ASN1Identifier {
    /// `[n]` in the context-specific class (IMPLICIT or EXPLICIT alike: the constructed bit is in the node).
    static func context(_ number: UInt) -> ASN1Identifier { ASN1Identifier(tagWithNumber: number, tagClass: .contextSpecific) }

    /// `[APPLICATION n]`: the ICAO elementary-file wrappers (0x61 DG1, 0x6D DG13, 0x6F DG15, 0x77 EF.SOD).
    static func application(_ number: UInt) -> ASN1Identifier {
        ASN1Identifier(tagWithNumber: number, tagClass: .application)
    }
}

/// A short reason for a parse failure, fit for the machine-readable `errors` of a result.
///
/// swift-asn1's own descriptions end in a source path and line; only its error code is reported.
func parseFailureReason(_ error: any Error) -> String {
    switch error {
    case let error as ASN1StructureError: return error.description
    case let error as ASN1Error:
        switch error.code {
        case .unexpectedFieldType: return "unexpected tag"
        case .truncatedASN1Field: return "truncated"
        case .unsupportedFieldLength: return "bad length encoding"
        case .invalidASN1IntegerEncoding: return "bad integer"
        case .invalidASN1Object: return "malformed ASN.1"
        case .tooFewOIDComponents: return "bad object identifier"
        default: return "\(error.code)"
        }
    default: return "\(error)"
    }
}

/// Reading the content of a primitive node whose type the caller has already checked.
extension ASN1Node {
    /// The content of a primitive node; a constructed node is an error.
    func primitiveContent() throws -> ArraySlice<UInt8> {
        guard case .primitive(let bytes) = content else { throw ASN1StructureError("constructed where primitive expected") }
        return bytes
    }

    /// The single element inside an explicit tag or an application wrapper with `identifier`.
    func onlyChild(of identifier: ASN1Identifier) throws -> ASN1Node {
        guard self.identifier == identifier else { throw ASN1Error.unexpectedFieldType(self.identifier) }
        guard case .constructed(let children) = content else { throw ASN1StructureError("primitive wrapper") }
        var iterator = children.makeIterator()
        guard let child = iterator.next() else { throw ASN1StructureError("empty wrapper") }
        guard iterator.next() == nil else { throw ASN1StructureError("wrapper holds more than one element") }
        return child
    }
}

import SwiftASN1

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY DEFINED BY algorithm OPTIONAL }`
/// (RFC 5280 §4.1.1.2).
///
/// Parameters stay undecoded until the algorithm is known (RSASSA-PSS reads its own); equality compares the
/// encodings, which is what "the same algorithm identifier" means in CMS.
struct AlgorithmIdentifier: ASN1Structure, Hashable {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var algorithm: OID
    var parameters: ASN1Any?

    init(algorithm: OID, parameters: ASN1Any? = nil) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
        self = try DER.sequence(node, identifier: identifier) { nodes in
            let algorithm: OID = try rules.decode(&nodes)
            let parameters = nodes.next().map(ASN1Any.init(berEncoded:))
            return AlgorithmIdentifier(algorithm: algorithm, parameters: parameters)
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(algorithm)
            if let parameters { try coder.serialize(parameters) }
        }
    }

    /// Absent or NULL, as a hash AlgorithmIdentifier's parameters must be (RFC 5754 §2).
    var hasNoParameters: Bool {
        guard let parameters else { return true }
        return (try? ASN1Null(berASN1Any: parameters)) != nil
    }

    /// The hash this identifier names, when it is a plain hash identifier.
    var digest: DigestAlgorithm? { hasNoParameters ? DigestAlgorithm(oid: algorithm) : nil }
}

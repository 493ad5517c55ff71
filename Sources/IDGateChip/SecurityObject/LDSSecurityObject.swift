import SwiftASN1

/// The signed content of EF.SOD: the hash algorithm and one hash per data group (ICAO 9303-10 §4.6.2).
///
/// ```
/// LDSSecurityObject ::= SEQUENCE {
///   version LDSSecurityObjectVersion,            -- v0(0), v1(1) adds ldsVersionInfo
///   hashAlgorithm DigestAlgorithmIdentifier,
///   dataGroupHashValues SEQUENCE SIZE (2..ub-DataGroups) OF DataGroupHash,
///   ldsVersionInfo LDSVersionInfo OPTIONAL }
/// DataGroupHash ::= SEQUENCE { dataGroupNumber INTEGER (1..16), dataGroupHashValue OCTET STRING }
/// LDSVersionInfo ::= SEQUENCE { ldsVersion PrintableString, unicodeVersion PrintableString }
/// ```
public struct LDSSecurityObject: Sendable, Equatable {
    public let version: Int
    public let hashAlgorithm: DigestAlgorithm
    /// Data-group number (1...16) → hash.
    public let dataGroupHashes: [Int: [UInt8]]
    /// "0107" style LDS version from ldsVersionInfo (v1 only).
    public let ldsVersion: String?

    public enum ParseError: Error, Equatable, Sendable {
        case malformed(String)
        case unsupportedVersion(Int)
        case unsupportedHashAlgorithm(String)
    }

    /// The largest LDSSecurityObject read: 16 hashes of at most 64 bytes and their framing fit in far less.
    static let maxSize = 64 * 1024

    public init(der bytes: ArraySlice<UInt8>) throws(ParseError) {
        guard bytes.count <= LDSSecurityObject.maxSize else { throw .malformed("too large") }
        do {
            let structure = try Structure(bytes: bytes, rules: .ber)
            version = structure.version
            hashAlgorithm = structure.hashAlgorithm
            ldsVersion = structure.versionInfo?.ldsVersion
            var hashes: [Int: [UInt8]] = [:]
            for entry in structure.dataGroupHashes {
                guard entry.hash.count == hashAlgorithm.outputLength, hashes[entry.number] == nil else {
                    throw ASN1StructureError("data group hash entry")
                }
                hashes[entry.number] = Array(entry.hash)
            }
            dataGroupHashes = hashes
        } catch let error as ParseError {
            throw error
        } catch {
            throw .malformed(parseFailureReason(error))
        }
    }

    /// The structure field by field; the checks that have their own `ParseError` throw it from here.
    private struct Structure: ASN1Structure {
        static var defaultIdentifier: ASN1Identifier { .sequence }

        var version: Int
        var hashAlgorithm: DigestAlgorithm
        var dataGroupHashes: [DataGroupHash]
        var versionInfo: LDSVersionInfo?

        init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
            self = try DER.sequence(node, identifier: identifier) { nodes in
                guard let versionNode = nodes.next(), let version = try? rules.smallInteger(versionNode) else {
                    throw ParseError.malformed("version")
                }
                guard version == 0 || version == 1 else { throw ParseError.unsupportedVersion(version) }
                guard let algorithm = try? rules.decode(&nodes, as: AlgorithmIdentifier.self) else {
                    throw ParseError.malformed("hash algorithm")
                }
                guard let hashAlgorithm = DigestAlgorithm(oid: algorithm.algorithm) else {
                    throw ParseError.unsupportedHashAlgorithm(algorithm.algorithm.description)
                }
                guard let hashesNode = nodes.next(),
                    let hashes = try? rules.collection(of: DataGroupHash.self, identifier: .sequence, hashesNode),
                    (1...16).contains(hashes.count)
                else { throw ParseError.malformed("dataGroupHashValues") }
                let versionInfo = try nodes.next().map { node in
                    do { return try rules.decode(node, as: LDSVersionInfo.self) } catch {
                        throw ParseError.malformed("ldsVersionInfo")
                    }
                }
                guard (version == 1) == (versionInfo != nil) else {
                    throw ParseError.malformed("ldsVersionInfo does not match version")
                }
                return Structure(
                    version: version, hashAlgorithm: hashAlgorithm, dataGroupHashes: hashes, versionInfo: versionInfo)
            }
        }

        private init(version: Int, hashAlgorithm: DigestAlgorithm, dataGroupHashes: [DataGroupHash], versionInfo: LDSVersionInfo?) {
            self.version = version
            self.hashAlgorithm = hashAlgorithm
            self.dataGroupHashes = dataGroupHashes
            self.versionInfo = versionInfo
        }

        func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
            try coder.appendConstructedNode(identifier: identifier) { coder in
                try coder.serialize(version)
                try coder.serialize(AlgorithmIdentifier(algorithm: hashAlgorithm.oid, parameters: ASN1Any(erasing: ASN1Null())))
                try coder.serializeSequenceOf(dataGroupHashes)
                if let versionInfo { try coder.serialize(versionInfo) }
            }
        }
    }

    /// DER encoding (version 0), for the test card generator.
    public static func encode(hashAlgorithm: DigestAlgorithm, dataGroupHashes: [Int: [UInt8]]) -> [UInt8] {
        DERWriter.sequence([
            DERWriter.integer(0),
            DERWriter.algorithm(hashAlgorithm.oid, nullParameters: true),
            DERWriter.sequence(dataGroupHashes.keys.sorted().map {
                DERWriter.sequence([DERWriter.integer($0), DERWriter.octetString(dataGroupHashes[$0]!)])
            }),
        ])
    }
}

/// `DataGroupHash ::= SEQUENCE { dataGroupNumber DataGroupNumber (1..16), dataGroupHashValue OCTET STRING }`.
struct DataGroupHash: ASN1Structure {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var number: Int
    var hash: ArraySlice<UInt8>

    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
        (number, hash) = try DER.sequence(node, identifier: identifier) { nodes in
            let number: Int = try rules.decode(&nodes)
            guard (1...16).contains(number) else { throw ASN1StructureError("data group number \(number)") }
            guard let hashNode = nodes.next() else { throw ASN1StructureError("data group hash missing") }
            return (number, try rules.octetString(hashNode))
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(number)
            try coder.serialize(ASN1OctetString(contentBytes: hash))
        }
    }
}

/// `LDSVersionInfo ::= SEQUENCE { ldsVersion PrintableString, unicodeVersion PrintableString }` (LDS 1.8 and later).
struct LDSVersionInfo: ASN1Structure {
    static var defaultIdentifier: ASN1Identifier { .sequence }

    var ldsVersion: String
    var unicodeVersion: String

    init(node: ASN1Node, identifier: ASN1Identifier, rules: ASN1Rules) throws {
        (ldsVersion, unicodeVersion) = try DER.sequence(node, identifier: identifier) { nodes in
            let lds: ASN1PrintableString = try rules.decode(&nodes)
            let unicode: ASN1PrintableString = try rules.decode(&nodes)
            return (String(lds), String(unicode))
        }
    }

    func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(ASN1PrintableString(ldsVersion))
            try coder.serialize(ASN1PrintableString(unicodeVersion))
        }
    }
}

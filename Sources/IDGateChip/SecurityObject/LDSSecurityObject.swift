/// The signed content of EF.SOD: the hash algorithm and one hash per data group (ICAO 9303-10 §4.6.2).
///
/// ```
/// LDSSecurityObject ::= SEQUENCE {
///   version LDSSecurityObjectVersion,            -- v0(0), v1(1) adds ldsVersionInfo
///   hashAlgorithm DigestAlgorithmIdentifier,
///   dataGroupHashValues SEQUENCE SIZE (2..ub-DataGroups) OF DataGroupHash,
///   ldsVersionInfo LDSVersionInfo OPTIONAL }
/// DataGroupHash ::= SEQUENCE { dataGroupNumber INTEGER (1..16), dataGroupHashValue OCTET STRING }
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

    public init(der bytes: ArraySlice<UInt8>) throws(ParseError) {
        let fields: [ASN1Element]
        do {
            fields = try ASN1Element.parse(bytes, maxSize: 64 * 1024).children(expecting: ASN1Tag.sequence)
        } catch {
            throw .malformed(error.description)
        }
        guard fields.count == 3 || fields.count == 4 else { throw .malformed("\(fields.count) fields") }
        guard let version = try? fields[0].smallInteger() else { throw .malformed("version") }
        guard version == 0 || version == 1 else { throw .unsupportedVersion(version) }
        guard (version == 1) == (fields.count == 4) else { throw .malformed("ldsVersionInfo does not match version") }
        self.version = version
        guard let algorithm = try? fields[1].children(expecting: ASN1Tag.sequence), let first = algorithm.first,
            let oid = try? OID(element: first)
        else { throw .malformed("hash algorithm") }
        guard let hashAlgorithm = DigestAlgorithm(oid: oid) else { throw .unsupportedHashAlgorithm(oid.description) }
        self.hashAlgorithm = hashAlgorithm
        guard let entries = try? fields[2].children(expecting: ASN1Tag.sequence), (1...16).contains(entries.count) else {
            throw .malformed("dataGroupHashValues")
        }
        var hashes: [Int: [UInt8]] = [:]
        for entry in entries {
            guard let parts = try? entry.children(expecting: ASN1Tag.sequence), parts.count == 2,
                let number = try? parts[0].smallInteger(), (1...16).contains(number),
                let hash = try? parts[1].octetStringBytes(), hash.count == hashAlgorithm.outputLength,
                hashes[number] == nil
            else { throw .malformed("data group hash entry") }
            hashes[number] = Array(hash)
        }
        dataGroupHashes = hashes
        if fields.count == 4 {
            guard let info = try? fields[3].children(expecting: ASN1Tag.sequence), info.count == 2 else {
                throw .malformed("ldsVersionInfo")
            }
            ldsVersion = String(decoding: info[0].content, as: UTF8.self)
        } else {
            ldsVersion = nil
        }
    }

    /// DER encoding (version 0), for the test card generator.
    public static func encode(hashAlgorithm: DigestAlgorithm, dataGroupHashes: [Int: [UInt8]]) -> [UInt8] {
        DER.sequence([
            DER.integer(0),
            DER.algorithm(hashAlgorithm.oid, nullParameters: true),
            DER.sequence(dataGroupHashes.keys.sorted().map { DER.sequence([DER.integer($0), DER.octetString(dataGroupHashes[$0]!)]) }),
        ])
    }
}

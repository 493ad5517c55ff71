import Foundation

/// The CSCA certificates (and link certificates) a verifier trusts, with their CRLs.
///
/// Every certificate in the store is a trust anchor, as in ICAO PKD practice: a CSCA, a link certificate (a new CSCA
/// key signed by the old one) or a master-list entry. Loaded once at start-up; immutable and shared afterwards.
public final class TrustStore: Sendable {
    public let anchors: [Certificate]
    private let anchorsBySubject: [DistinguishedName: [Certificate]]
    private let revocationLists: [DistinguishedName: [RevocationList]]
    /// Non-fatal findings while loading (an unverifiable CRL, a file that was not a certificate).
    public let loadWarnings: [String]

    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(path: String)
        case unrecognized(path: String)
        case masterList(path: String, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let path): "cannot read trust path \(path)"
            case .unrecognized(let path): "\(path) is neither a certificate, a CRL nor a master list"
            case .masterList(let path, let reason): "master list \(path) rejected: \(reason)"
            }
        }
    }

    /// Loads PEM bundles, DER certificates, CRLs (PEM or DER), ICAO master lists (`.ml`) and directories of them.
    public convenience init(paths: [String]) throws {
        var certificates: [Certificate] = []
        var crls: [RevocationList] = []
        var warnings: [String] = []
        for path in paths {
            try TrustStore.load(path: path, certificates: &certificates, crls: &crls, warnings: &warnings)
        }
        self.init(certificates: certificates, revocationLists: crls, warnings: warnings)
    }

    public convenience init(certificates: [Certificate], crlDER: [[UInt8]] = []) throws {
        self.init(certificates: certificates, revocationLists: try crlDER.map { try RevocationList(der: $0) }, warnings: [])
    }

    init(certificates: [Certificate], revocationLists crls: [RevocationList], warnings: [String]) {
        var unique: [Certificate] = []
        var seen = Set<[UInt8]>()
        for certificate in certificates where seen.insert(certificate.der).inserted { unique.append(certificate) }
        anchors = unique
        anchorsBySubject = Dictionary(grouping: unique, by: \.subjectName)
        var warnings = warnings
        var lists: [DistinguishedName: [RevocationList]] = [:]
        // A CRL counts only when a trusted CSCA of its issuer name signed it.
        for crl in crls {
            if (anchorsBySubject[crl.issuerName] ?? []).contains(where: crl.isSigned(by:)) {
                lists[crl.issuerName, default: []].append(crl)
            } else {
                warnings.append("crl_not_verified")
            }
        }
        revocationLists = lists
        loadWarnings = warnings
    }

    /// The trusted certificate whose key signed `certificate` (matching names in any RDN order), if any.
    func issuer(of certificate: Certificate) -> Certificate? {
        if let candidates = anchorsBySubject[certificate.issuerName],
            let found = candidates.first(where: certificate.isSigned(by:))
        {
            return found
        }
        // Issuer names that differ in more than order (string types, spacing): fall back on the key identifier.
        guard let authorityKey = certificate.authorityKeyIdentifier else { return nil }
        return anchors.first { $0.subjectKeyIdentifier == authorityKey && certificate.isSigned(by: $0) }
    }

    func isRevoked(_ certificate: Certificate) -> Bool {
        revocationLists[certificate.issuerName]?.contains { $0.revokes(certificate) } ?? false
    }

    private static func load(
        path: String, certificates: inout [Certificate], crls: inout [RevocationList], warnings: inout [String]
    ) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LoadError.unreadable(path: path)
        }
        if isDirectory.boolValue {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            for entry in entries.sorted() where !entry.hasPrefix(".") && !entry.hasSuffix(".key.pem") {
                let child = (path as NSString).appendingPathComponent(entry)
                do {
                    try load(path: child, certificates: &certificates, crls: &crls, warnings: &warnings)
                } catch LoadError.unrecognized {
                    warnings.append("skipped:\(entry)")
                }
            }
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw LoadError.unreadable(path: path) }
        let bytes = [UInt8](data)
        if path.hasSuffix(".ml") {
            do {
                certificates += try MasterList(bytes: bytes).certificates
            } catch {
                throw LoadError.masterList(path: path, reason: "\(error)")
            }
            return
        }
        if bytes.firstRange(of: Array("-----BEGIN".utf8)) != nil {
            let found = (try? Certificate.load(pemOrDER: bytes)) ?? []
            let lists = (try? RevocationList.load(pemOrDER: bytes)) ?? []
            guard !found.isEmpty || !lists.isEmpty else { throw LoadError.unrecognized(path: path) }
            certificates += found
            crls += lists
            return
        }
        if let certificate = try? Certificate(der: bytes) {
            certificates.append(certificate)
        } else if let crl = try? RevocationList(der: bytes) {
            crls.append(crl)
        } else if let masterList = try? MasterList(bytes: bytes) {
            certificates += masterList.certificates
        } else {
            throw LoadError.unrecognized(path: path)
        }
    }
}

import Foundation

/// A test country PKI for Vietnamese demo cards: a CSCA, a Document Signer, a second Document Signer that the CRL
/// revokes, and that CRL (all ECDSA P-256 / SHA-256).
///
/// Files (demo layout, `DIR/pki/`): `csca.pem`, `csca.key.pem`, `ds.pem`, `ds.key.pem`, `ds-revoked.pem`,
/// `ds-revoked.key.pem`, `crl.pem`. Never use these keys outside tests and demos.
public struct TestPKI: Sendable {
    public let directory: URL
    public let csca: Certificate
    public let documentSigner: Certificate
    public let revokedDocumentSigner: Certificate
    let cscaKey: PrivateKey
    let documentSignerKey: PrivateKey
    let revokedDocumentSignerKey: PrivateKey

    /// CSCA valid 15 years, Document Signers 5 years, from a day before `now`.
    public static func generate(directory: URL, now: Date = Date()) throws -> TestPKI {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let start = now.addingTimeInterval(-86_400)
        let year = 365.25 * 86_400
        let cscaKey = try PrivateKey.generateEC()
        let csca = try CertificateBuilder.issue(
            .init(subject: [("C", "VN"), ("O", "idgate test"), ("CN", "CSCA Test Vietnam")], serial: 1,
                  notBefore: start, notAfter: start.addingTimeInterval(15 * year), isCA: true),
            subjectKey: cscaKey, issuer: nil, issuerKey: cscaKey)
        func documentSigner(_ name: String, serial: Int) throws -> (Certificate, PrivateKey) {
            let key = try PrivateKey.generateEC()
            let certificate = try CertificateBuilder.issue(
                .init(subject: [("C", "VN"), ("O", "idgate test"), ("CN", name)], serial: serial,
                      notBefore: start, notAfter: start.addingTimeInterval(5 * year), isCA: false),
                subjectKey: key, issuer: csca, issuerKey: cscaKey)
            return (certificate, key)
        }
        let (ds, dsKey) = try documentSigner("Document Signer Test Vietnam 1", serial: 0x1001)
        let (revoked, revokedKey) = try documentSigner("Document Signer Test Vietnam 2 (revoked)", serial: 0x1002)
        let crl = try CertificateBuilder.revocationList(issuer: csca, issuerKey: cscaKey, revoked: [revoked], at: start)

        let files: [(String, String)] = [
            ("csca.pem", PEM.encode(csca.der, label: "CERTIFICATE")), ("csca.key.pem", cscaKey.pkcs8PEM),
            ("ds.pem", PEM.encode(ds.der, label: "CERTIFICATE")), ("ds.key.pem", dsKey.pkcs8PEM),
            ("ds-revoked.pem", PEM.encode(revoked.der, label: "CERTIFICATE")), ("ds-revoked.key.pem", revokedKey.pkcs8PEM),
            ("crl.pem", PEM.encode(crl, label: "X509 CRL")),
        ]
        for (name, contents) in files {
            let url = directory.appendingPathComponent(name)
            try Data(contents.utf8).write(to: url)
            if name.hasSuffix(".key.pem") {
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
            }
        }
        return TestPKI(
            directory: directory, csca: csca, documentSigner: ds, revokedDocumentSigner: revoked, cscaKey: cscaKey,
            documentSignerKey: dsKey, revokedDocumentSignerKey: revokedKey)
    }

    /// Reads a PKI written by `generate`.
    public static func load(directory: URL) throws -> TestPKI {
        func text(_ name: String) throws -> String {
            try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        }
        func certificate(_ name: String) throws -> Certificate {
            try Certificate.load(pemOrDER: Array(try text(name).utf8))[0]
        }
        return TestPKI(
            directory: directory, csca: try certificate("csca.pem"), documentSigner: try certificate("ds.pem"),
            revokedDocumentSigner: try certificate("ds-revoked.pem"), cscaKey: try PrivateKey(pem: try text("csca.key.pem")),
            documentSignerKey: try PrivateKey(pem: try text("ds.key.pem")),
            revokedDocumentSignerKey: try PrivateKey(pem: try text("ds-revoked.key.pem")))
    }

    /// The trust store a verifier of these cards uses: the CSCA and the CRL.
    public func trustStore() throws -> TrustStore {
        try TrustStore(paths: [directory.appendingPathComponent("csca.pem").path, directory.appendingPathComponent("crl.pem").path])
    }
}

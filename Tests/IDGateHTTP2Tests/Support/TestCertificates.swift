import Foundation

/// A throwaway PKI made with the `openssl` CLI: a CA, a server certificate for 127.0.0.1/localhost, a client
/// certificate issued by the CA, and one from an unrelated CA.
struct TestCertificates {
    let directory: URL

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func make() async throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-h2-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pki = TestCertificates(directory: directory)
        try await pki.makeCA("ca", subject: "/CN=idgate test CA")
        try await pki.makeCA("rogue-ca", subject: "/CN=rogue CA")
        try await pki.issue("server", by: "ca", subject: "/CN=localhost", extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1")
        try await pki.issue("client", by: "ca", subject: "/C=VN/O=Bank A/CN=bank-a", extensions: "extendedKeyUsage=clientAuth")
        try await pki.issue("rogue", by: "rogue-ca", subject: "/CN=mallory", extensions: "extendedKeyUsage=clientAuth")
        return pki
    }

    private func openssl(_ arguments: [String]) async throws {
        let result = try await ExternalProcess.run(["openssl"] + arguments)
        guard result.status == 0 else { throw AttackScriptError(output: "openssl: \(result.stderr)") }
    }

    private func makeCA(_ name: String, subject: String) async throws {
        try await openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", subject, "-keyout", path("\(name).key.pem"), "-out", path("\(name).pem"),
        ])
    }

    private func issue(_ name: String, by ca: String, subject: String, extensions: String) async throws {
        try await openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", subject,
            "-keyout", path("\(name).key.pem"), "-out", path("\(name).csr"),
        ])
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(extensions.utf8).write(to: directory.appendingPathComponent("\(name).ext"))
        try await openssl([
            "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key.pem"),
            "-CAcreateserial", "-days", "2", "-extfile", path("\(name).ext"), "-out", path("\(name).pem"),
        ])
    }

    /// `openssl x509 -fingerprint -sha256` of a certificate, as lowercase hex without colons.
    func fingerprint(_ name: String) async throws -> String {
        let result = try await ExternalProcess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", path("\(name).pem")])
        let hex = result.text.split(separator: "=").last ?? ""
        return hex.replacingOccurrences(of: ":", with: "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

import IDGateCore
import Foundation
import IDGateAudit
import IDGateGateway
import IDGateStore

/// The demo's TLS material: a CA, a server certificate for localhost/127.0.0.1/::1, and client certificates for
/// the mTLS demo clients, written as PEM files into `DIR/tls/`.
///
/// Made with the `openssl` command (installed by scripts/install-deps.sh): this is test material for a demo
/// folder, not a certificate authority, so it uses the standard tool rather than re-implementing one.
public enum DemoTLS {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes `ca.pem`, `ca.key.pem`, `server.pem`, `server.key.pem` and `<client>.pem` / `<client>.key.pem`.
    public static func generate(layout: DemoLayout, clientIDs: [String]) throws {
        let tls = layout.tls
        try OwnerOnlyFiles.createDirectory(atPath: tls.path)
        func path(_ name: String) -> String { tls.appendingPathComponent(name).path }
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try openssl(["req", "-x509"] + curve + [
            "-keyout", path("ca.key.pem"), "-out", path("ca.pem"), "-days", "3650",
            "-subj", "/C=VN/O=idgate demo/CN=idgate demo CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        try issue(
            name: "server", subject: "/C=VN/O=idgate demo/CN=localhost",
            extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n",
            in: tls, curve: curve)
        for id in clientIDs {
            try issue(
                name: id, subject: "/C=VN/O=idgate demo clients/CN=\(id)",
                extensions: "extendedKeyUsage=clientAuth\nbasicConstraints=critical,CA:FALSE\n", in: tls, curve: curve)
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: tls.path) where file.hasSuffix(".key.pem") {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path(file))
        }
    }

    private static func issue(name: String, subject: String, extensions: String, in tls: URL, curve: [String]) throws {
        func path(_ file: String) -> String { tls.appendingPathComponent(file).path }
        let request = path("\(name).csr")
        let extensionsFile = path("\(name).ext")
        try extensions.write(toFile: extensionsFile, atomically: true, encoding: .utf8)
        defer {
            try? FileManager.default.removeItem(atPath: request)
            try? FileManager.default.removeItem(atPath: extensionsFile)
        }
        try openssl(["req"] + curve + ["-keyout", path("\(name).key.pem"), "-out", request, "-subj", subject])
        try openssl([
            "x509", "-req", "-in", request, "-CA", path("ca.pem"), "-CAkey", path("ca.key.pem"), "-CAcreateserial",
            "-CAserial", path("ca.srl"), "-out", path("\(name).pem"), "-days", "825", "-sha256", "-extfile", extensionsFile,
        ])
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot run /usr/bin/openssl (install the openssl package): \(error)")
        }
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.first ?? "") failed: \(String(decoding: output, as: UTF8.self))")
        }
    }
}

import Foundation
import IDGateHTTP2
import Testing

/// h2 over TLS (ALPN) with no, optional and required client certificates, using curl and nghttp.
@Suite(.serialized) struct TLSTests {
    func withTLSServer(
        clientAuth: ClientAuthentication, _ body: (TestServer, TestCertificates) async throws -> Void
    ) async throws {
        let pki = try await TestCertificates.make()
        defer { pki.remove() }
        let tls = TLSListenerConfiguration(
            certificateChainPath: pki.path("server.pem"), privateKeyPath: pki.path("server.key.pem"),
            clientCAPath: clientAuth == .none ? nil : pki.path("ca.pem"), clientAuth: clientAuth)
        try await withTestServer(tls: tls) { server in try await body(server, pki) }
    }

    func tlsURL(_ server: TestServer, _ path: String) -> String { "https://127.0.0.1:\(server.addresses[1].port!)\(path)" }

    @Test func h2OverTLSNegotiatesH2WithALPN() async throws {
        try await withTLSServer(clientAuth: .none) { server, pki in
            let response = try await ExternalProcess.curl(["--http2", "--cacert", pki.path("ca.pem"), tlsURL(server, "/hello")])
            #expect(response.status == 200)
            #expect(response.headers.hasPrefix("HTTP/2 200"))
            #expect(response.body == "hello")
            let nghttp = try await ExternalProcess.run(["nghttp", "-v", tlsURL(server, "/peer")])
            #expect(nghttp.text.contains(":status: 200"))
            #expect(nghttp.text.contains("none"))
        }
    }

    @Test func tls11IsRefused() async throws {
        try await withTLSServer(clientAuth: .none) { server, pki in
            let result = try await ExternalProcess.run([
                "curl", "-sS", "--http2", "--tls-max", "1.1", "--cacert", pki.path("ca.pem"), tlsURL(server, "/hello"),
            ])
            #expect(result.status != 0)
        }
    }

    @Test func requiredClientCertificateIsVerifiedAndExposedToHandlers() async throws {
        try await withTLSServer(clientAuth: .required) { server, pki in
            let response = try await ExternalProcess.curl([
                "--http2", "--cacert", pki.path("ca.pem"), "--cert", pki.path("client.pem"),
                "--key", pki.path("client.key.pem"), tlsURL(server, "/peer"),
            ])
            #expect(response.status == 200)
            let lines = response.body.split(separator: "\n").map(String.init)
            #expect(lines.first == "CN=bank-a,O=Bank A,C=VN")
            #expect(lines.last == (try await pki.fingerprint("client")))

            let anonymous = try await ExternalProcess.run([
                "curl", "-sS", "--http2", "--cacert", pki.path("ca.pem"), tlsURL(server, "/peer"),
            ])
            #expect(anonymous.status != 0, "no certificate: handshake fails")
            let rogue = try await ExternalProcess.run([
                "curl", "-sS", "--http2", "--cacert", pki.path("ca.pem"), "--cert", pki.path("rogue.pem"),
                "--key", pki.path("rogue.key.pem"), tlsURL(server, "/peer"),
            ])
            #expect(rogue.status != 0, "a certificate from another CA is refused")
            // h2c on the same server still works (load balancer side).
            let cleartext = try await ExternalProcess.curl(["--http2-prior-knowledge", "\(server.url)/peer"])
            #expect(cleartext.body == "none")
        }
    }

    @Test func optionalClientCertificateAcceptsBoth() async throws {
        try await withTLSServer(clientAuth: .optional) { server, pki in
            let anonymous = try await ExternalProcess.curl(["--http2", "--cacert", pki.path("ca.pem"), tlsURL(server, "/peer")])
            #expect(anonymous.status == 200)
            #expect(anonymous.body == "none")
            let authenticated = try await ExternalProcess.curl([
                "--http2", "--cacert", pki.path("ca.pem"), "--cert", pki.path("client.pem"),
                "--key", pki.path("client.key.pem"), tlsURL(server, "/peer"),
            ])
            #expect(authenticated.body.hasPrefix("CN=bank-a"))
            let rogue = try await ExternalProcess.run([
                "curl", "-sS", "--http2", "--cacert", pki.path("ca.pem"), "--cert", pki.path("rogue.pem"),
                "--key", pki.path("rogue.key.pem"), tlsURL(server, "/peer"),
            ])
            #expect(rogue.status != 0, "a presented certificate must verify")
        }
    }

    @Test func h2loadOverTLS() async throws {
        try await withTLSServer(clientAuth: .none) { server, _ in
            let result = try await ExternalProcess.run(["h2load", "-c", "4", "-m", "10", "-n", "2000", tlsURL(server, "/hello")])
            #expect(result.text.contains("2000 succeeded"), "\(result.text)")
            #expect(result.text.contains("Application protocol: h2"))
        }
    }
}

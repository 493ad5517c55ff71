import Foundation
import IDGateHTTP2
import Logging
import NIOCore
import Testing

/// Routing, request fields and the API.md error responses, through curl over h2c.
@Suite(.serialized) struct RoutingTests {
    @Test func routesRequestsAndExposesHeadersQueryAndBody() async throws {
        try await withTestServer { server in
            let response = try await ExternalProcess.curl([
                "--http2-prior-knowledge", "-H", "x-probe: Value-1", "--data-binary", "payload bytes",
                "\(server.url)/echo?a=1&b=2",
            ])
            #expect(response.status == 200)
            #expect(response.body == "payload bytes")
            #expect(response.headers.contains("x-probe-echo: Value-1"))
            #expect(response.headers.contains("x-query: a=1&b=2"))
            #expect(response.headers.contains("x-path: /echo"))
            #expect(response.headers.contains("content-length: 13"))
        }
    }

    /// `stageBody` copies a body into the stream on its loop (and refuses from another thread); a later
    /// `respondWithStagedBody` sends exactly those bytes.
    @Test func stagedBodyIsSentLater() async throws {
        try await withTestServer { server in
            for _ in 0..<3 {
                let response = try await ExternalProcess.curl(["--http2-prior-knowledge", "\(server.url)/staged"])
                #expect(response.status == 200)
                #expect(response.body == "staged body")
                #expect(response.headers.contains("x-staged: true false"))
                #expect(response.headers.contains("content-length: 11"))
            }
        }
    }

    @Test func unknownPathIs404AndWrongMethodIs405InTheAPIErrorFormat() async throws {
        try await withTestServer { server in
            let missing = try await ExternalProcess.curl(["--http2-prior-knowledge", "\(server.url)/nope"])
            #expect(missing.status == 404)
            #expect(try errorCode(missing.body) == "not_found")
            let wrongMethod = try await ExternalProcess.curl(["--http2-prior-knowledge", "\(server.url)/echo"])
            #expect(wrongMethod.status == 405)
            #expect(try errorCode(wrongMethod.body) == "method_not_allowed")
            let completions = server.probe.with { $0.completions }
            #expect(completions.contains { $0.route == "unmatched" && $0.status == 404 })
            #expect(completions.contains { $0.route == "/echo" && $0.status == 405 })
        }
    }

    @Test func wrongContentTypeIs415() async throws {
        try await withTestServer { server in
            let wrong = try await ExternalProcess.curl([
                "--http2-prior-knowledge", "-H", "content-type: text/plain", "--data", "{}", "\(server.url)/json",
            ])
            #expect(wrong.status == 415)
            #expect(try errorCode(wrong.body) == "unsupported_media_type")
            let right = try await ExternalProcess.curl([
                "--http2-prior-knowledge", "-H", "Content-Type: Application/JSON; charset=utf-8", "--data", "{}",
                "\(server.url)/json",
            ])
            #expect(right.status == 200)
        }
    }

    @Test func bodyOverTheLimitIs413BodyTooLarge() async throws {
        var limits = HTTP2Limits()
        limits.maxRequestBodyBytes = 1_000
        try await withTestServer(limits: limits) { server in
            let body = String(repeating: "x", count: 5_000)
            let declared = try await ExternalProcess.curl([
                "--http2-prior-knowledge", "--data-binary", body, "\(server.url)/echo",
            ])
            #expect(declared.status == 413)
            #expect(try errorCode(declared.body) == "body_too_large")
            // Without content-length the limit applies as the body arrives.
            let chunked = try await ExternalProcess.run([
                "curl", "-sS", "--http2-prior-knowledge", "-H", "content-length:", "-H", "transfer-encoding:",
                "--data-binary", "@-", "-w", "%{http_code}", "-o", "/dev/null", "\(server.url)/echo",
            ], stdin: Data(body.utf8))
            #expect(chunked.text == "413")
            let ok = try await ExternalProcess.curl([
                "--http2-prior-knowledge", "--data-binary", "small", "\(server.url)/echo",
            ])
            #expect(ok.status == 200)
        }
    }

    @Test func plainHTTP1GetsAClearErrorAndClose() async throws {
        try await withTestServer { server in
            let response = try await ExternalProcess.curl(["--http1.1", "\(server.url)/hello"])
            #expect(response.status == 505)
            #expect(try errorCode(response.body) == "http2_required")
            #expect(response.body.contains("use HTTP/2"))
        }
    }

    @Test func headResponseAnnouncesTheLengthWithoutABody() async throws {
        try await withTestServer { server in
            let response = try await ExternalProcess.run([
                "curl", "-sS", "-I", "--http2-prior-knowledge", "\(server.url)/hello",
            ])
            #expect(response.status == 0, "\(response.stderr)")
            #expect(response.text.contains("HTTP/2 200"))
            #expect(response.text.contains("content-length: 5"))
        }
    }

    @Test func invalidLimitsAreRejectedAtStart() async throws {
        var limits = HTTP2Limits()
        limits.maxFrameSize = 1_000
        let server = HTTP2Server(
            configuration: HTTP2ServerConfiguration(listeners: [.h2c(host: "127.0.0.1", port: 0)], threads: 1, limits: limits),
            router: Router<NoLoopContext>(), logger: Logger(label: "test"))
        await #expect(throws: HTTP2ServerError.self) { _ = try await server.start() }
        await server.shutdown(gracefully: false)
    }

    @Test func errorBodyEscapesJSON() throws {
        let body = HTTPErrorBody.make(code: "invalid_field", message: "bad \"quote\"\n", field: "fullName")
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: [String: String]]
        #expect(json?["error"] == ["code": "invalid_field", "message": "bad \"quote\"\n", "field": "fullName"])
    }

    @Test func configurationDecodesWithDefaults() throws {
        let json = #"{"listeners": [{"host": "0.0.0.0", "port": 8443, "tls": {"certificateChainPath": "c.pem", "privateKeyPath": "k.pem", "clientCAPath": "ca.pem", "clientAuth": "required"}}], "limits": {"maxRequestBodyBytes": 2048}}"#
        let configuration = try JSONDecoder().decode(HTTP2ServerConfiguration.self, from: Data(json.utf8))
        #expect(configuration.listeners[0].tls?.clientAuth == .required)
        #expect(configuration.limits.maxRequestBodyBytes == 2048)
        #expect(configuration.limits.maxConcurrentStreams == 256)
        #expect(configuration.threads == nil)
        let empty = try JSONDecoder().decode(HTTP2ServerConfiguration.self, from: Data("{}".utf8))
        #expect(empty == HTTP2ServerConfiguration())
    }
}

func errorCode(_ body: String) throws -> String? {
    let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: [String: String]]
    return json?["error"]?["code"]
}

@Suite struct HPACKIndexingTests {
    /// A header added with `neverIndexed` reaches the client as an HPACK never-indexed literal, so per-response
    /// values (signatures) do not evict `content-type` and friends from the dynamic tables; the others stay indexable.
    @Test func neverIndexedHeadersAreSentAsNeverIndexedLiterals() async throws {
        try await withTestServer { server in
            let result = try await ExternalProcess.run([
                "python3", "-c", """
                import socket, h2.connection, h2.config, h2.events
                from hpack import NeverIndexedHeaderTuple
                s = socket.create_connection(("127.0.0.1", \(server.port)))
                c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
                c.initiate_connection()
                for _ in range(2):
                    sid = c.get_next_available_stream_id()
                    c.send_headers(sid, [(":method", "GET"), (":path", "/unique"), (":scheme", "http"),
                                         (":authority", "localhost")], end_stream=True)
                s.sendall(c.data_to_send())
                seen, done = [], 0
                while done < 2:
                    data = s.recv(65536)
                    if not data: break
                    for event in c.receive_data(data):
                        if isinstance(event, h2.events.ResponseReceived):
                            for h in event.headers:
                                if h[0] in ("x-unique", "x-shared"):
                                    seen.append(f"{h[0]}={'never' if isinstance(h, NeverIndexedHeaderTuple) else 'indexable'}")
                        if isinstance(event, h2.events.StreamEnded): done += 1
                    s.sendall(c.data_to_send())
                print(" ".join(seen))
                """,
            ])
            #expect(
                result.text.trimmingCharacters(in: .whitespacesAndNewlines)
                    == "x-unique=never x-shared=indexable x-unique=never x-shared=indexable", "\(result.stderr)")
        }
    }

    /// A `SharedHeaderValue` arrives intact on every response and is HPACK-indexed (in the client's dynamic table
    /// after the first response); `headerTableSize` reports the client's table setting.
    @Test(arguments: [4096, 1024])
    func sharedHeaderValuesArriveIntactAndIndexed(clientTableSize: Int) async throws {
        try await withTestServer { server in
            let result = try await ExternalProcess.run([
                "python3", "-c", """
                import socket, h2.connection, h2.config, h2.events, h2.settings
                s = socket.create_connection(("127.0.0.1", \(server.port)))
                c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
                c.local_settings = h2.settings.Settings(client=True, initial_values={
                    h2.settings.SettingCodes.HEADER_TABLE_SIZE: \(clientTableSize)})
                c.initiate_connection()
                for _ in range(5):
                    sid = c.get_next_available_stream_id()
                    c.send_headers(sid, [(":method", "GET"), (":path", "/shared"), (":scheme", "http"),
                                         (":authority", "localhost")], end_stream=True)
                s.sendall(c.data_to_send())
                intact, sizes, done = 0, set(), 0
                while done < 5:
                    data = s.recv(65536)
                    if not data: break
                    for event in c.receive_data(data):
                        if isinstance(event, h2.events.ResponseReceived):
                            headers = dict(event.headers)
                            intact += headers.get("x-big") == "s" * 1500
                            sizes.add(headers.get("x-table-size"))
                        if isinstance(event, h2.events.StreamEnded): done += 1
                    s.sendall(c.data_to_send())
                indexed = any(name == b"x-big" for name, _ in c.decoder.header_table.dynamic_entries)
                print(intact, ",".join(sorted(sizes)), "indexed" if indexed else "literal")
                """,
            ])
            // 1,500 bytes fit 3/4 of a 4,096-byte table, not of a 1,024-byte one (sent as a literal each time).
            let expected = "5 \(clientTableSize) \(clientTableSize == 4096 ? "indexed" : "literal")"
            #expect(result.text.trimmingCharacters(in: .whitespacesAndNewlines) == expected, "\(result.stderr)")
        }
    }
}

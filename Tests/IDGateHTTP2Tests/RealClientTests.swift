import Foundation
import IDGateHTTP2
import Testing

/// Interoperability with the standard tools over h2c.
@Suite(.serialized) struct RealClientTests {
    @Test func h2loadPostsSucceedAcrossConnectionsAndStreams() async throws {
        try await withTestServer { server in
            let body = FileManager.default.temporaryDirectory.appendingPathComponent("h2load-body-\(UUID().uuidString)")
            try Data("{\"idNumber\":\"001085012345\"}".utf8).write(to: body)
            defer { try? FileManager.default.removeItem(at: body) }
            let result = try await ExternalProcess.run([
                "h2load", "-c", "8", "-m", "50", "-n", "20000", "-d", body.path, "\(server.url)/echo",
            ])
            #expect(result.text.contains("20000 succeeded, 0 failed"), "\(result.text)")
            #expect(result.text.contains("20000 2xx"))
            #expect(server.server.stats.requests == 20000)
        }
    }

    @Test func nghttpGetsLargeResponseThroughFlowControl() async throws {
        try await withTestServer { server in
            // A 16 KiB window: the 1 MiB response must flow in many window-sized pieces.
            let result = try await ExternalProcess.run(["nghttp", "-w", "14", "-W", "14", "-s", "\(server.url)/big"])
            #expect(result.status == 0, "\(result.stderr)")
            let big = try await ExternalProcess.run(["curl", "-sS", "--http2-prior-knowledge", "\(server.url)/big"])
            #expect(big.stdout.count == 1 << 20)
        }
    }

    @Test func pythonH2ClientMultiplexesRequests() async throws {
        try await withTestServer { server in
            let script = """
            import socket, h2.connection, h2.events, json
            s = socket.create_connection(("127.0.0.1", \(server.port)))
            c = h2.connection.H2Connection()
            c.initiate_connection()
            for i in range(10):
                sid = c.get_next_available_stream_id()
                c.send_headers(sid, [(":method", "POST"), (":path", "/echo"), (":scheme", "http"), (":authority", "x")])
                c.send_data(sid, f"body-{sid}".encode(), end_stream=True)
            s.sendall(c.data_to_send())
            bodies, done = {}, set()
            while len(done) < 10:
                for e in c.receive_data(s.recv(65536)):
                    if isinstance(e, h2.events.DataReceived):
                        bodies[e.stream_id] = bodies.get(e.stream_id, b"") + e.data
                        c.acknowledge_received_data(len(e.data), e.stream_id)
                    if isinstance(e, h2.events.StreamEnded):
                        done.add(e.stream_id)
                s.sendall(c.data_to_send())
            print(json.dumps({str(k): v.decode() for k, v in bodies.items()}))
            """
            let result = try await ExternalProcess.run(["python3", "-c", script])
            let bodies = try JSONSerialization.jsonObject(with: result.stdout) as? [String: String]
            #expect(bodies?.count == 10)
            #expect(bodies?.allSatisfy { $0.value == "body-\($0.key)" } == true)
        }
    }
}

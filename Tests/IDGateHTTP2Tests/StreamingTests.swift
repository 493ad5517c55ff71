import Foundation
import IDGateHTTP2
import NIOCore
import Testing

/// Streaming responses (backpressure from the client's flow-control window) and streaming request bodies
/// (window re-opened only as the handler consumes), plus responses from other threads.
@Suite(.serialized) struct StreamingTests {
    @Test func streamedResponseArrivesWhole() async throws {
        try await withTestServer { server in
            let result = try await ExternalProcess.run(["curl", "-sS", "--http2-prior-knowledge", "\(server.url)/stream"])
            #expect(result.stdout.count == 64 * (64 << 10))
            #expect(server.probe.with { $0.streamedChunks } == 64)
        }
    }

    @Test func streamedResponseWaitsForAClientThatDoesNotRead() async throws {
        var limits = HTTP2Limits()
        limits.idleTimeout = 30
        try await withTestServer(limits: limits) { server in
            // The client opens a 64 KiB window and never updates it.
            let script = """
            import socket, time
            from hyperframe.frame import SettingsFrame, HeadersFrame
            from hpack import Encoder
            s = socket.create_connection(("127.0.0.1", \(server.port)))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            h = HeadersFrame(1); h.flags.add("END_HEADERS"); h.flags.add("END_STREAM")
            h.data = Encoder().encode([(":method", "GET"), (":path", "/stream"), (":scheme", "http"), (":authority", "x")])
            s.sendall(b"PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n" + SettingsFrame(0).serialize() + h.serialize())
            time.sleep(3)
            """
            let client = Task { try await ExternalProcess.run(["python3", "-c", script]) }
            #expect(try await waitUntil { server.probe.with { $0.streamedChunks } >= 1 })
            try await Task.sleep(nanoseconds: 500_000_000)
            // Writes stop once the buffered bytes pass the high watermark: a handful of chunks, not all 64.
            let written = server.probe.with { $0.streamedChunks }
            let bound = limits.responseBufferHighWatermark / (64 << 10) + 2
            #expect(written >= 1 && written <= bound, "wrote \(written) chunks")
            _ = try await client.value
            #expect(try await waitUntil { server.probe.with { $0.streamCancelled } },
                    "the pending write fails once the client is gone")
        }
    }

    @Test func streamedUploadIsFlowControlledByConsumption() async throws {
        var limits = HTTP2Limits()
        limits.initialWindowSize = 64 << 10
        try await withTestServer(limits: limits) { server in
            server.probe.with { $0.holdUploads = true }
            let payload = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID().uuidString)")
            try Data(repeating: UInt8(ascii: "u"), count: 4 << 20).write(to: payload)
            defer { try? FileManager.default.removeItem(at: payload) }
            let upload = Task {
                try await ExternalProcess.run([
                    "curl", "-sS", "--http2-prior-knowledge", "--data-binary", "@\(payload.path)", "\(server.url)/upload",
                ])
            }
            #expect(try await waitUntil { server.probe.with { $0.uploadReceived } > 0 })
            try await Task.sleep(nanoseconds: 500_000_000)
            // Nothing consumed: the client could only send one stream window.
            let received = server.probe.with { $0.uploadReceived }
            #expect(received > 0 && received <= limits.initialWindowSize, "received \(received)")
            // Consume what arrived and let the rest flow.
            let held = server.probe.with { state -> [ResponseWriter] in
                state.holdUploads = false
                defer { state.uploadHeld.removeAll() }
                return state.uploadHeld
            }
            held.first?.consumed(received)
            let result = try await upload.value
            #expect(result.text == String(4 << 20))
        }
    }

    @Test func responsesFromAnotherThreadAreDelivered() async throws {
        try await withTestServer { server in
            let result = try await ExternalProcess.run([
                "h2load", "-c", "2", "-m", "20", "-n", "200", "\(server.url)/slow",
            ])
            #expect(result.text.contains("200 succeeded"), "\(result.text)")
        }
    }
}

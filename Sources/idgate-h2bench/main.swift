// A trivial-route HTTP/2 server for the transport benchmark (scripts/bench-http2.sh): measures the HTTP/2 core
// alone. Usage: idgate-h2bench [--port N] [--tls-port N --cert PEM --key PEM] [--threads N]
import IDGateHTTP2
import Logging
import NIOCore

var arguments = CommandLine.arguments.dropFirst()
var options: [String: String] = [:]
while let flag = arguments.popFirst() {
    guard flag.hasPrefix("--"), let value = arguments.popFirst() else {
        fatalError("usage: idgate-h2bench [--port N] [--tls-port N --cert PEM --key PEM] [--threads N]")
    }
    options[String(flag.dropFirst(2))] = value
}

var listeners: [ListenerConfiguration] = [.h2c(host: "127.0.0.1", port: Int(options["port"] ?? "8080")!)]
if let tlsPort = options["tls-port"], let cert = options["cert"], let key = options["key"] {
    listeners.append(.tls(
        host: "127.0.0.1", port: Int(tlsPort)!, TLSListenerConfiguration(certificateChainPath: cert, privateKeyPath: key)))
}
var limits = HTTP2Limits()
limits.maxConcurrentStreams = 1_000
let configuration = HTTP2ServerConfiguration(
    listeners: listeners, threads: Int(options["threads"] ?? "1")!, limits: limits)

let okBody = ByteBuffer(string: "{\"ok\":true}\n")
var router = Router<NoLoopContext>()
router.on(.POST, "/echo") { request, writer in
    writer.respond(status: .ok, headers: .json, body: okBody)
}
router.on(.GET, "/") { _, writer in
    writer.respond(status: .ok, headers: .json, body: okBody)
}

var logger = Logger(label: "idgate-h2bench")
logger.logLevel = .warning
let server = HTTP2Server(configuration: configuration, router: router, logger: logger)
let addresses = try await server.start()
print("listening on \(addresses.map { "\($0)" }.joined(separator: ", "))")
while true { try await Task.sleep(nanoseconds: 3_600_000_000_000) }

import ArgumentParser
import Dispatch
import Foundation
import IDGateLoad

/// `idgate-load`: the HTTP/2 load generator for certifying a gateway (flags as in API.md).
@main
struct IDGateLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idgate-load",
        abstract: "HTTP/2 load generator: realistic gateway traffic, honest latency, HTML/JSON reports.")

    @Option(help: "Target URL: http://HOST:PORT (h2c) or https://HOST:PORT (TLS, ALPN h2).") var target: String
    @Option(help: "Demo folder (idgate demo init): registry sample, credentials, cards, CA.") var demo: String?
    @Option(help: "Open loop: fixed arrival rate in requests per second.") var rate: Double?
    @Option(help: "Connections.") var connections = 16
    @Option(help: "Concurrent streams per connection (closed loop: in flight; open loop: limit).") var streams = 100
    @Option(help: "Measured phase (e.g. 30s, 5m, 1h); with --requests, a cap.") var duration: String?
    @Option(help: "Measured requests to send, then stop.") var requests: Int?
    @Option(help: "Operation weights, e.g. match=70,batch=5,chip=25.") var mix: String?
    @Option(help: "Write a self-contained HTML report here.") var report: String?
    @Option(help: "Write the JSON summary here.") var json: String?
    @Option(help: "Warm-up before measuring (excluded from results).") var warmup = "0s"
    @Option(help: "Per-request timeout; also how long in-flight requests may drain at the end.") var timeout = "5s"
    @Option(help: "API key (Authorization: Bearer).") var apiKey: String?
    @Option(help: "Client id from the demo's credentials.json.") var client: String?
    @Option(help: "Client certificate PEM (mTLS).") var cert: String?
    @Option(help: "Client private key PEM (mTLS).") var key: String?
    @Option(help: "CA bundle PEM for the server certificate.") var ca: String?
    @Flag(help: "Do not verify the server certificate.") var insecure = false
    @Option(help: "The purpose sent with requests (default: the client's first listed purpose).") var purpose: String?
    @Option(help: "Registry sample records to use.") var sampleLimit = 2000
    @Option(help: "Chip cards from this folder's cards/index.json instead of the demo's (many cards: idgate gen cards).")
    var cards: String?
    @Option(help: "Single-request mode: request path.") var path: String?
    @Option(help: "Single-request mode: method.") var method: String?
    @Option(help: "Single-request mode: body file.") var body: String?
    @Option(help: "Single-request mode: extra header 'name: value' (repeatable).") var header: [String] = []
    @Option(help: "Event-loop threads.") var threads = 1
    @Flag(help: "Soak mode: open-loop, per-interval rows with the target's RSS and fds, drift flags.") var soak = false
    @Option(help: "Soak interval.") var interval = "60s"
    @Flag(help: "No live progress line.") var quiet = false

    func run() async throws {
        var options = LoadOptions(target: try LoadTarget(url: target))
        if let rate { options.pacing = .openLoop(ratePerSecond: rate) }
        options.connections = connections
        options.streamsPerConnection = streams
        options.requestCount = requests
        options.durationNanos = try LoadDuration.nanoseconds(duration ?? (requests == nil ? "30s" : "10m"))
        options.warmupNanos = try LoadDuration.nanoseconds(warmup)
        options.timeoutNanos = try LoadDuration.nanoseconds(timeout)
        if let mix { options.mix = try OperationMix(parsing: mix) }
        options.threads = threads
        options.apiKey = apiKey
        options.certificateFile = cert
        options.privateKeyFile = key
        options.caFile = ca
        options.insecure = insecure
        options.showProgress = !quiet
        if soak { options.soakIntervalNanos = try LoadDuration.nanoseconds(interval) }

        let plan: TrafficPlan
        if let demo, path == nil {
            let folder = try DemoFolder(path: demo)
            let credential = try folder.credential(id: client, usesTLS: options.target.usesTLS)
            folder.apply(credential, to: &options)
            plan = try TrafficPlan(
                target: options.target, mix: options.mix, records: try folder.sampleRecords(limit: sampleLimit),
                cards: try (cards.map(DemoFolder.init(path:)) ?? folder).chipCards(), headers: options.authorizationHeaders,
                purpose: purpose ?? folder.purposes(forClient: credential.id).first,
                kinds: try folder.kindTrafficBodies(
                    limit: sampleLimit, purpose: purpose ?? folder.purposes(forClient: credential.id).first))
        } else {
            let bodyBytes = try body.map { Array(try Data(contentsOf: URL(fileURLWithPath: $0))) }
            let extra = try header.map { line -> (name: String, value: String) in
                guard let colon = line.firstIndex(of: ":") else { throw LoadOptionError.invalid("header", line) }
                return (line[..<colon].trimmingCharacters(in: .whitespaces), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            plan = TrafficPlan(
                target: options.target, method: method ?? (bodyBytes == nil ? "GET" : "POST"), path: path ?? "/",
                body: bodyBytes, headers: options.authorizationHeaders + extra)
        }

        let runner = try LoadRunner(options: options, plan: plan, probeHeaders: options.authorizationHeaders)
        // Ctrl-C ends the run early but still prints and writes the summary and report.
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupt.setEventHandler { runner.stop() }
        interrupt.resume()
        defer { interrupt.cancel() }
        let summary = try await runner.run { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        print(LoadSummaryText.render(summary))
        if let json { try LoadSummaryJSON.encode(summary).write(to: URL(fileURLWithPath: json)) }
        if let report { try Data(HTMLReport.render(summary).utf8).write(to: URL(fileURLWithPath: report)) }
    }
}

import Foundation
@testable import IDGateLoad
import NIOCore
import Testing

@Suite struct OptionParsingTests {
    @Test func targetsParseSchemesHostsAndPorts() throws {
        #expect(try LoadTarget(url: "http://127.0.0.1:8080") == LoadTarget(url: "http://127.0.0.1:8080/v1"))
        let tls = try LoadTarget(url: "https://[::1]:8443")
        #expect(tls.host == "::1" && tls.port == 8443 && tls.usesTLS && tls.authority == "[::1]:8443")
        #expect(try LoadTarget(url: "https://gateway.local").port == 443)
        for bad in ["ftp://x:1", "127.0.0.1:80", "http://", "http://host:0", "http://host:70000", "http://host:abc"] {
            #expect(throws: LoadOptionError.self) { try LoadTarget(url: bad) }
        }
    }

    @Test func durationsParseUnitsAndRejectJunk() throws {
        #expect(try LoadDuration.nanoseconds("30s") == 30_000_000_000)
        #expect(try LoadDuration.nanoseconds("500ms") == 500_000_000)
        #expect(try LoadDuration.nanoseconds("2m") == 120_000_000_000)
        #expect(try LoadDuration.nanoseconds("1h") == 3_600_000_000_000)
        #expect(try LoadDuration.nanoseconds("1.5") == 1_500_000_000)
        // Out of range or not a number: refused, not a trap converting to UInt64.
        for text in ["1e20s", "1e30", "-1s", "nan", "inf", "infh"] {
            #expect(throws: LoadOptionError.self) { try LoadDuration.nanoseconds(text) }
        }
        for bad in ["", "s", "-1s", "ten", "1d"] { #expect(throws: LoadOptionError.self) { try LoadDuration.nanoseconds(bad) } }
    }

    @Test func mixParsesWeightsIntoAProportionalWheel() throws {
        let wheel = try OperationMix(parsing: "match=70,batch=5,chip=25").wheel()
        #expect(wheel.count == 100)
        #expect(wheel.filter { $0 == .match }.count == 70 && wheel.filter { $0 == .chip }.count == 25)
        for bad in ["match", "match=x", "raw=1", "teleport=3", "match=0", "match=-1"] {
            #expect(throws: LoadOptionError.self) { try OperationMix(parsing: bad) }
        }
    }

    @Test func impossibleOptionsAreRejected() throws {
        var options = LoadOptions(target: try LoadTarget(url: "http://127.0.0.1:1"))
        try options.validate()
        options.connections = 0
        #expect(throws: LoadOptionError.self) { try options.validate() }
        options.connections = 1
        options.soakIntervalNanos = 1_000_000_000
        #expect(throws: LoadOptionError.self) { try options.validate() }
        options.pacing = .openLoop(ratePerSecond: 10)
        try options.validate()
        options.certificateFile = "/tmp/cert.pem"
        #expect(throws: LoadOptionError.self) { try options.validate() }
    }
}

@Suite struct TrafficTests {
    @Test func variantsAlterOnlyWhatTheyNameAndStayValid() {
        #expect(MatchVariant.removingDiacritics("Nguyễn Văn Đức") == "Nguyen Van Duc")
        #expect(MatchVariant.swappingNameOrder("Nguyễn Văn An") == "An Nguyễn Văn")
        #expect(MatchVariant.swappingNameOrder("An") == "An")
        #expect(MatchVariant.withTypo("Nguyễn Văn Hùng") == "Nguyễn Văn Hnùg")
        #expect(MatchVariant.withTypo("Lê An") == "Lê Ann")
        #expect(MatchVariant.shiftingYear("1985-03-14") == "1984-03-14")
        #expect(MatchVariant.shiftingYear("1990") == "1989")
        #expect(MatchVariant.shiftingYear("1972-02-29") == "1971-02-28", "no 29 February in 1971: a 422, not a mismatch")
        #expect(MatchVariant.shiftingYear("1904-02-29") == "1903-02-28")
        #expect(MatchVariant.shiftingYear("1972-02") == "1971-02")
        let unknown = MatchVariant.unknownIDNumber(near: "001085012345")
        #expect(unknown.count == 12 && unknown.hasPrefix("001085") && unknown != "001085012345")
        #expect(MatchVariant.unknownIDNumber(near: "bad") == "001099999999")
    }

    @Test func planEncodesMatchBatchAndChipRequests() throws {
        let demo = try makeDemoFolder()
        let folder = try DemoFolder(path: demo.path)
        let target = try LoadTarget(url: "http://127.0.0.1:9")
        let plan = try TrafficPlan(
            target: target, mix: .default, records: try folder.sampleRecords(limit: 10), cards: try folder.chipCards(),
            headers: [("authorization", "Bearer k")], purpose: "account-opening")
        #expect(plan.matchTemplates.count == MatchVariant.allCases.count)
        #expect(plan.matchTemplates.allSatisfy { $0.count == 3 })
        let exact = try #require(plan.matchTemplates[0][0].body)
        let json = try JSONSerialization.jsonObject(with: Data(exact.readableBytesView)) as? [String: Any]
        #expect(json?["idNumber"] as? String == "001085012345")
        #expect(json?["phoneNumber"] as? String == "0912345678")
        #expect(json?["purpose"] as? String == "account-opening")
        let batch = try #require(plan.batchTemplates.first?.body)
        #expect(String(buffer: batch).split(separator: "\n").count == TrafficPlan.batchLines)
        #expect(plan.chipCards.map(\.kind) == ["valid", "no_aa"])
        #expect(plan.chipCards[0].activeAuthKey != nil && plan.chipCards[1].activeAuthKey == nil)
        let verify = plan.chipCards[1].verifyBody(activeAuth: nil, purposeSuffix: plan.purposeSuffix)
        let verifyJSON = try JSONSerialization.jsonObject(with: Data(verify)) as? [String: Any]
        #expect((verifyJSON?["dataGroups"] as? [String: String])?.keys.sorted() == ["1", "13"])
        #expect(verifyJSON?["activeAuth"] == nil)
    }

    @Test func challengeSignatureIsRawRAndSOver8Bytes() throws {
        let demo = try makeDemoFolder()
        let card = try #require(try DemoFolder(path: demo.path).chipCards().first)
        let signature = try #require(card.signChallenge(hex: "0011223344556677"))
        #expect(Data(base64Encoded: signature)?.count == 64)
        #expect(card.signChallenge(hex: "xyz") == nil)
        #expect(card.signChallenge(hex: "") == nil)
    }

    @Test func badDemoInputsAreReportedByName() throws {
        let demo = try TemporaryDirectory()
        _ = try demo.write("sample.ndjson", Data("{\"idNumber\":\"001085012345\"}\nnot json\n".utf8))
        let folder = try DemoFolder(path: demo.path)
        #expect(throws: LoadOptionError.invalid("sample.ndjson line 2", "not json")) { try folder.sampleRecords(limit: 10) }
        #expect(try folder.sampleRecords(limit: 1).count == 1)
        #expect(try folder.chipCards().isEmpty)
        #expect(throws: (any Error).self) { try folder.credentials() }
        #expect(throws: LoadOptionError.self) { try DemoFolder(path: demo.path + "/missing") }
    }

    @Test func requestTagsRoundTrip() {
        let tag = LoadRequestTag(operation: .chip, step: .chipVerify, measured: true, card: 12_345)
        let decoded = LoadRequestTag(tag.raw)
        #expect(decoded.operation == .chip && decoded.step == .chipVerify && decoded.measured && decoded.card == 12_345)
        #expect(!LoadRequestTag(LoadRequestTag(operation: .match, measured: false).raw).measured)
    }
}

@Suite struct ResponseReadingTests {
    @Test func decisionAndCodeAreFoundWithOrWithoutSpaces() {
        #expect(ResponseScanner.decision(in: ByteBuffer(string: #"{"transactionId":"x","decision":"not_found"}"#)) == .notFound)
        #expect(ResponseScanner.decision(in: ByteBuffer(string: #"{"decision" : "partial"}"#)) == .partial)
        #expect(ResponseScanner.decision(in: ByteBuffer(string: #"{"decision":"weird"}"#)) == .other)
        #expect(ResponseScanner.decision(in: ByteBuffer(string: #"{"decisions":"match"}"#)) == .none)
        #expect(ResponseScanner.decision(in: ByteBuffer(string: #"{"decision":"mat"#)) == .none)
        #expect(ResponseScanner.decision(in: ByteBuffer()) == .none)
        #expect(ResponseScanner.stringValue(of: "code", in: ByteBuffer(string: #"{"error":{"code":"rate_limited","message":"m"}}"#)) == "rate_limited")
        #expect(ResponseScanner.stringValue(of: "challenge", in: ByteBuffer(string: #"{"challengeId":"a\"b","challenge":"00ff"}"#)) == "00ff")
    }

    @Test func prometheusGaugesAreRead() {
        let text = """
        # HELP process_resident_memory_bytes Resident memory size in bytes.
        # TYPE process_resident_memory_bytes gauge
        process_resident_memory_bytes 5.24288e+07
        process_open_fds{pid="1"} 37
        idgate_requests_total 10
        """
        #expect(TargetMetrics(prometheusText: text) == TargetMetrics(prometheusText: "process_resident_memory_bytes 52428800\nprocess_open_fds 37"))
        #expect(TargetMetrics(prometheusText: text)?.openFileDescriptors == 37)
        #expect(TargetMetrics(prometheusText: "idgate_requests_total 10\ngarbage") == nil)
    }

    @Test func soakFlagsRSSGrowthP99GrowthAndErrors() {
        var tracker = SoakTracker()
        func interval(p99Micros: UInt64, errors: UInt64) -> IntervalStatistics {
            var interval = IntervalStatistics()
            for _ in 0..<100 { interval.latency.record(nanos: p99Micros * 1_000) }
            interval.requests = 100
            interval.errors = errors
            return interval
        }
        func metrics(_ rss: Double) -> TargetMetrics? { TargetMetrics(prometheusText: "process_resident_memory_bytes \(rss)") }
        #expect(tracker.append(endSecond: 60, interval: interval(p99Micros: 1_000, errors: 0), seconds: 60, metrics: metrics(100e6)).flags == [])
        #expect(tracker.append(endSecond: 120, interval: interval(p99Micros: 1_500, errors: 0), seconds: 60, metrics: metrics(105e6)).flags == [])
        let drifted = tracker.append(endSecond: 180, interval: interval(p99Micros: 5_000, errors: 2), seconds: 60, metrics: metrics(130e6))
        #expect(drifted.flags == ["rss_growth", "p99_growth", "errors"])
        #expect(tracker.append(endSecond: 240, interval: interval(p99Micros: 1_000, errors: 0), seconds: 60, metrics: nil).flags == ["metrics_unavailable"])
    }

    @Test func htmlEscapesAndRendersEmptyRuns() throws {
        #expect(HTMLReport.escape("<a href=\"x\">&</a>") == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;")
        let empty = LoadSummary(
            options: LoadOptions(target: try LoadTarget(url: "http://127.0.0.1:1")), statistics: LoadStatistics(),
            measuredSeconds: 0, timeline: [], soak: nil)
        let html = HTMLReport.render(empty)
        #expect(html.contains("no data") && html.hasSuffix("</html>\n"))
    }
}

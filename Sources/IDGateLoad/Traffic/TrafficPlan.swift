import Foundation
import IDGateHTTP2
import NIOCore

/// All requests of a run, encoded before the first one is sent: match and batch templates built from the registry
/// sample, the chip challenge/verify templates and cards, or a single raw request. Immutable and shared by workers.
public final class TrafficPlan: Sendable {
    let wheel: [LoadOperation]
    /// Indices into `matchTemplates`, weighted by `MatchVariant.weight`.
    let variantWheel: [Int]
    /// `matchTemplates[variant][record]`.
    let matchTemplates: [[H2ClientRequestTemplate]]
    let batchTemplates: [H2ClientRequestTemplate]
    let chipChallenge: H2ClientRequestTemplate?
    let chipVerify: H2ClientRequestTemplate?
    let chipCards: [ChipCard]
    let rawTemplate: H2ClientRequestTemplate?
    /// `/v1/documents/verify` and `/v1/organizations/match` requests (`--mix document=…,organization=…`).
    let kindTemplates: KindTemplates
    /// `,"purpose":"..."` or empty, appended to chip verify bodies.
    let purposeSuffix: [UInt8]

    /// Number of lines in each batch upload.
    public static let batchLines = 50

    /// Traffic from a demo folder's registry sample and cards.
    public init(
        target: LoadTarget, mix: OperationMix, records: [SampleRecord], cards: [ChipCard],
        headers: [(name: String, value: String)], purpose: String?, kinds: KindTrafficBodies = KindTrafficBodies()
    ) throws {
        guard !records.isEmpty else { throw LoadOptionError.missing("registry sample records") }
        let usable = mix.weights.filter {
            $0.weight > 0 && ($0.operation != .chip || !cards.isEmpty) && kinds.canServe($0.operation)
        }
        guard !usable.isEmpty else { throw LoadOptionError.missing("cards for a chip-only mix") }
        var effectiveMix = mix
        effectiveMix.weights = usable
        wheel = effectiveMix.wheel()
        var generator = LoadRandom(seed: 0x5EED)
        variantWheel = MatchVariant.allCases.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element.weight) }
            .shuffled(using: &generator)

        let encoder = JSONEncoder()
        let jsonHeaders = headers + [("content-type", "application/json")]
        func template(_ path: String, _ extra: [(name: String, value: String)], _ body: [UInt8]?) -> H2ClientRequestTemplate {
            H2ClientRequestTemplate(
                method: "POST", scheme: target.scheme, authority: target.authority, path: path, headers: extra,
                body: body.map { ByteBuffer(bytes: $0) })
        }
        var lines: [[UInt8]] = []
        matchTemplates = try MatchVariant.allCases.map { variant in
            try records.indices.map { index in
                let other = records[(index + 1) % records.count]
                let body = Array(try encoder.encode(variant.request(from: records[index], other: other, purpose: purpose)))
                lines.append(body)
                return template("/v1/identity/match", jsonHeaders, body)
            }
        }
        lines.shuffle(using: &generator)
        let batchCount = Swift.max(1, Swift.min(32, lines.count / Self.batchLines))
        let ndjsonHeaders = headers + [("content-type", "application/x-ndjson")]
        batchTemplates = (0..<batchCount).map { batch in
            var body: [UInt8] = []
            for line in 0..<Self.batchLines {
                body += lines[(batch * Self.batchLines + line) % lines.count]
                body.append(UInt8(ascii: "\n"))
            }
            return template("/v1/identity/match:batch", ndjsonHeaders, body)
        }
        chipCards = cards
        chipChallenge = cards.isEmpty ? nil : template("/v1/chip/challenge", jsonHeaders, Array("{}".utf8))
        chipVerify = cards.isEmpty ? nil : template("/v1/chip/verify", jsonHeaders, nil)
        purposeSuffix = purpose.map { Array(",\"purpose\":\(ChipCard.jsonString($0))".utf8) } ?? []
        rawTemplate = nil
        kindTemplates = KindTemplates(kinds, target: target, headers: jsonHeaders)
    }

    /// One request sent again and again (`--path`, `--method`, `--body`): drives any HTTP/2 server.
    public init(target: LoadTarget, method: String, path: String, body: [UInt8]?, headers: [(name: String, value: String)]) {
        wheel = [.raw]
        variantWheel = []
        matchTemplates = []
        batchTemplates = []
        chipChallenge = nil
        chipVerify = nil
        chipCards = []
        purposeSuffix = []
        kindTemplates = KindTemplates()
        rawTemplate = H2ClientRequestTemplate(
            method: method, scheme: target.scheme, authority: target.authority, path: path, headers: headers,
            body: body.map { ByteBuffer(bytes: $0) })
    }

    @inline(__always)
    func operation(for sequence: UInt64) -> LoadOperation { wheel[Int(sequence % UInt64(wheel.count))] }

    @inline(__always)
    func matchTemplate(for sequence: UInt64) -> H2ClientRequestTemplate {
        let records = matchTemplates[variantWheel[Int(sequence % UInt64(variantWheel.count))]]
        return records[Int((sequence &* 2_654_435_761) % UInt64(records.count))]
    }

    @inline(__always)
    func batchTemplate(for sequence: UInt64) -> H2ClientRequestTemplate {
        batchTemplates[Int(sequence % UInt64(batchTemplates.count))]
    }
}

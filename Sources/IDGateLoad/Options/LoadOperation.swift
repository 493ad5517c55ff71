/// The kinds of traffic the generator sends; `raw` is the single-request mode used against any HTTP/2 server.
public enum LoadOperation: Int, CaseIterable, Sendable, Codable {
    case match, batch, chip, raw
    /// `/v1/documents/verify` and `/v1/organizations/match` from the demo folder's samples of those kinds.
    case document, organization

    public var name: String {
        switch self {
        case .match: "match"
        case .batch: "batch"
        case .chip: "chip"
        case .raw: "raw"
        case .document: "document"
        case .organization: "organization"
        }
    }
}

/// Operation weights from `--mix match=70,batch=5,chip=25`.
public struct OperationMix: Sendable, Equatable {
    public var weights: [(operation: LoadOperation, weight: Int)]

    public static let `default` = try! OperationMix(parsing: "match=70,batch=5,chip=25")

    public init(parsing text: String) throws {
        weights = []
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let weight = Int(pair[1]), weight >= 0,
                let operation = LoadOperation.allCases.first(where: { $0.name == pair[0] && $0 != .raw })
            else { throw LoadOptionError.invalid("mix", String(part)) }
            weights.append((operation, weight))
        }
        guard weights.contains(where: { $0.weight > 0 }) else { throw LoadOptionError.invalid("mix", text) }
    }

    public static func == (lhs: OperationMix, rhs: OperationMix) -> Bool {
        lhs.weights.elementsEqual(rhs.weights) { $0.operation == $1.operation && $0.weight == $1.weight }
    }

    /// A 100-entry deterministic wheel: request `n` uses operation `wheel[n % wheel.count]`.
    func wheel() -> [LoadOperation] {
        let total = weights.reduce(0) { $0 + $1.weight }
        var wheel: [LoadOperation] = []
        for (operation, weight) in weights where weight > 0 {
            wheel += Array(repeating: operation, count: Swift.max(1, (weight * 100 + total / 2) / total))
        }
        var generator = LoadRandom(seed: 0x1D6A7E)
        wheel.shuffle(using: &generator)
        return wheel
    }
}

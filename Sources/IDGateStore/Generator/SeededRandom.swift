/// A small, fast deterministic generator (SplitMix64): the same seed gives the same residents on every machine.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound`.
    mutating func below(_ bound: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    mutating func between(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Items with relative weights, picked in O(log n).
struct WeightedTable<Item: Sendable>: Sendable {
    private let items: [Item]
    private let cumulative: [Double]

    init(_ weighted: [(Item, Double)]) {
        items = weighted.map(\.0)
        var total = 0.0
        cumulative = weighted.map { total += $0.1; return total }
    }

    func pick(_ random: inout SeededRandom) -> Item {
        let target = random.unit() * cumulative.last!
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > target { high = mid } else { low = mid + 1 }
        }
        return items[low]
    }
}

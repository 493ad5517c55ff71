import Foundation
@testable import IDGateChip

/// Public ICAO 9303 test data copied into Fixtures/ (sources and licences in Fixtures/SOURCES.md).
enum Fixture {
    static let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func bytes(_ relative: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path(relative))!)
    }

    /// The data groups `numbers` of a sample folder (`EF_DGn.bin`).
    static func dataGroups(_ folder: String, _ numbers: [Int]) -> [Int: [UInt8]] {
        Dictionary(uniqueKeysWithValues: numbers.map { ($0, bytes("\(folder)/EF_DG\($0).bin")) })
    }

    static func certificate(_ relative: String) throws -> Certificate {
        try Certificate.load(pemOrDER: bytes(relative))[0]
    }

    static func hex(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            out.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)!)
        }
        return out
    }

    static let emptyTrust = try! TrustStore(certificates: [])
}

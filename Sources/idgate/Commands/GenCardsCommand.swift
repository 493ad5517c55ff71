import ArgumentParser
import Foundation
import IDGateChip
import IDGateStore

/// `idgate gen cards --count N --pki DIR --out DIR [--db DIR]`: many signed test cards at once, for measuring chip
/// checks of cards the gateway has not seen (`idgate-load --cards DIR`), as airports and banks see them: each card
/// new, its SOD, Document Signer signature and DG15 key checked from scratch.
struct GenCardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cards",
        abstract: "Generate many valid test chip cards (DIR/cards/<id>/ and DIR/cards/index.json).",
        discussion: """
            Cards are for residents sampled evenly from the registry (--db), so the gateway's registry comparison \
            finds them, or for synthetic ID numbers. Every card has its own Active Authentication key and its own SOD \
            signed by the PKI's Document Signer. For a gateway to check every card afresh, send each at most once, or \
            give it a chip.cacheCapacity below --count (its caches evict first in, first out).
            """)

    @Option(help: "How many cards.")
    var count: Int

    @Option(help: "Directory written by the PKI generator (idgate gen pki; a demo folder's pki/).")
    var pki: String

    @Option(help: "Output directory (the cards go to OUT/cards/).")
    var out: String

    @Option(help: "Registry directory to take the residents from (else synthetic ID numbers).")
    var db: String?

    func validate() throws {
        guard count > 0, count <= 1_000_000 else { throw ValidationError("--count must be 1...1000000") }
    }

    func run() throws {
        let residents: [ResidentRecord]
        if let db {
            residents = try RegistryStore.open(directory: db).sample(count: count)
            guard residents.count == count else {
                throw ValidationError("the registry in \(db) has \(residents.count) residents, fewer than --count \(count)")
            }
        } else {
            // Born 1990, male, province 001: valid numbers 001090000000 + serial.
            residents = (0..<count).map { TestCardFactory.syntheticResident(idNumber: String(format: "001090%06d", $0))! }
        }
        let testPKI = try TestPKI.load(directory: URL(fileURLWithPath: pki))
        let entries = try TestCardFactory.makeCards(
            for: residents, kind: .valid, pki: testPKI, into: URL(fileURLWithPath: out))
        print("\(entries.count) valid cards written to \(out)/cards (index: \(out)/cards/index.json)")
    }
}

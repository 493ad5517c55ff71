import IDGateStore

/// Finds the resident for an ID number and lends it to a closure (a store read transaction, or a dictionary in tests
/// and benchmarks). Lending rather than returning lets a non-copying view stay inside its transaction.
///
/// `withForeigner` does the same for a passport-keyed request (docs/API.md); lookups without foreign residents get a
/// default that finds none (`ForeignerFacts.swift`).
public protocol ResidentLookup {
    associatedtype Facts: ResidentFacts
    associatedtype Foreigner: ForeignerFacts = ForeignerRecord
    func withResident<R>(_ idNumber: IDNumber, _ body: (Facts?) throws -> R) rethrows -> R
    func withForeigner<R>(_ key: ForeignerKey, _ body: (Foreigner?) throws -> R) rethrows -> R
}

extension Dictionary: ResidentLookup where Key == IDNumber, Value == ResidentRecord {
    public func withResident<R>(_ idNumber: IDNumber, _ body: (ResidentRecord?) throws -> R) rethrows -> R {
        try body(self[idNumber])
    }
}

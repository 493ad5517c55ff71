import IDGateStore

/// The store's memory-mapped view is what the engine compares against on the request path.
extension ResidentView: ResidentFacts, ResidentSpans {}

/// A per-thread registry reader lends each looked-up record to the engine inside one renewed read transaction.
extension RegistryReader: ResidentLookup {
    public func withResident<R>(_ idNumber: IDNumber, _ body: (ResidentView?) throws -> R) rethrows -> R {
        try withTransaction { transaction in try body(transaction.resident(idNumber)) }
    }
}

import IDGateStore

/// The stored side of a passport-keyed comparison: what the engine reads from a foreign resident's record.
///
/// A protocol for the same reason as `ResidentFacts`: the store's in-place `ForeignerView` and the owning
/// `ForeignerRecord` both conform, and the engine is written once.
public protocol ForeignerFacts {
    var dateOfBirth: PartialDate { get }
    var sex: Sex { get }
    var recordStatus: RecordStatus { get }
    /// The last day of the permitted stay (and of the residence card's validity).
    var permittedUntil: PartialDate { get }

    func withNames<R>(_ body: (_ surname: UnsafeRawBufferPointer, _ givenNames: UnsafeRawBufferPointer) throws -> R) rethrows -> R
    func withResidenceCardNumber<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension ForeignerView: ForeignerFacts {
    public func withNames<R>(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(surname, givenNames)
    }
    public func withResidenceCardNumber<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(residenceCardNumber)
    }
}

extension ForeignerRecord: ForeignerFacts {
    public func withNames<R>(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var surname = self.surname
        var givenNames = self.givenNames
        return try surname.withUTF8 { s in try givenNames.withUTF8 { g in try body(UnsafeRawBufferPointer(s), UnsafeRawBufferPointer(g)) } }
    }
    public func withResidenceCardNumber<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var number = residenceCardNumber
        return try number.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}

/// Finds the foreign resident holding a passport. A registry reader looks in the `foreigners` database; a lookup
/// that holds no foreigners (the dictionaries of tests and benchmarks) answers nil through the default.
extension ResidentLookup where Foreigner == ForeignerRecord {
    public func withForeigner<R>(_ key: ForeignerKey, _ body: (ForeignerRecord?) throws -> R) rethrows -> R {
        try body(nil)
    }
}

extension RegistryReader {
    public typealias Foreigner = ForeignerView

    public func withForeigner<R>(_ key: ForeignerKey, _ body: (ForeignerView?) throws -> R) rethrows -> R {
        try withTransaction { transaction in try body(transaction.foreigner(key)) }
    }
}

/// A lookup over records in memory holding both kinds (tests, `idgate match` fixtures).
public struct RecordsLookup: ResidentLookup, Sendable {
    public var residents: [IDNumber: ResidentRecord]
    public var foreigners: [ForeignerKey: ForeignerRecord]

    public init(residents: [IDNumber: ResidentRecord] = [:], foreigners: [ForeignerKey: ForeignerRecord] = [:]) {
        self.residents = residents
        self.foreigners = foreigners
    }

    public func withResident<R>(_ idNumber: IDNumber, _ body: (ResidentRecord?) throws -> R) rethrows -> R {
        try body(residents[idNumber])
    }

    public func withForeigner<R>(_ key: ForeignerKey, _ body: (ForeignerRecord?) throws -> R) rethrows -> R {
        try body(foreigners[key])
    }
}

import IDGateStore

/// The changes that move a registry's stored addresses to the units since 1 July 2025, gathered resident by resident
/// (`idgate update --migrate-addresses`).
///
/// A registry is read once, in order, and every record whose place of residence or place of origin names old units
/// becomes one `upsert` of the record with the addresses rewritten by `AdministrativeUnits2025.migrate`. Addresses
/// the table cannot move on its own are left as stored and counted: an old commune split between several new ones
/// (`ambiguous`, a person has to choose) and addresses whose units are not all known (`unrecognized`). The plan keeps
/// counts, not records, so a caller streams the upserts (`migrated(_:)`) wherever they go.
public struct AddressMigrationPlan: Sendable {
    /// What the plan found, per address (two per resident) and per resident.
    public struct Counts: Sendable, Hashable {
        public var residents = 0
        /// Residents with at least one address rewritten: the batch's upserts.
        public var residentsChanged = 0
        public var addressesMigrated = 0
        /// Already in the new units.
        public var addressesCurrent = 0
        /// An old commune split between several new ones: kept as stored.
        public var addressesAmbiguous = 0
        /// Units not all known (or too short to tell): kept as stored.
        public var addressesUnrecognized = 0

        public init() {}
    }

    public private(set) var counts = Counts()

    public init() {
        AdministrativeUnits2025.load()
    }

    /// `record` with both addresses in the new units, or nil when neither changes (counted either way).
    public mutating func migrated(_ record: ResidentRecord) -> ResidentRecord? {
        counts.residents += 1
        var changed = record
        var anyChanged = false
        if let residence = migrate(record.placeOfResidence) {
            changed.placeOfResidence = residence
            anyChanged = true
        }
        if let origin = migrate(record.placeOfOrigin) {
            changed.placeOfOrigin = origin
            anyChanged = true
        }
        guard anyChanged else { return nil }
        counts.residentsChanged += 1
        return changed
    }

    private mutating func migrate(_ address: String) -> String? {
        switch AdministrativeUnits2025.migrate(address) {
        case .migrated(let new) where new != address:
            counts.addressesMigrated += 1
            return new
        case .migrated, .current:
            counts.addressesCurrent += 1
        case .ambiguous:
            counts.addressesAmbiguous += 1
        case .unrecognized:
            counts.addressesUnrecognized += 1
        }
        return nil
    }
}

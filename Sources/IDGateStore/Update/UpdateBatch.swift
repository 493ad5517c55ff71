/// One change to the registry, as listed in an update batch.
public enum UpdateOperation: Sendable, Equatable {
    /// Insert the resident, or replace the stored record with the same ID number.
    case upsert(ResidentRecord)
    case delete(IDNumber)
    case setCardStatus(IDNumber, StoredCardStatus)
    case setRecordStatus(IDNumber, RecordStatus)
    /// A change to a document or an organization.
    case kind(KindUpdate)
    /// Insert the foreign resident, or replace the one with the same nationality and passport number.
    case upsertForeigner(ForeignerRecord)
    case deleteForeigner(ForeignerKey)
}

/// A numbered batch of changes, applied all or nothing (`idgate update`). See docs/DATA.md for the file format:
/// NDJSON, a header line `{"sequence": N}`, then one `{"op": …}` object per change.
public struct UpdateBatch: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// The line of the batch file it came from (for error messages).
        public var line: Int
        public var operation: UpdateOperation

        public init(line: Int, operation: UpdateOperation) {
            self.line = line
            self.operation = operation
        }
    }

    /// Must be exactly one more than the registry's sequence; an already applied sequence is a no-op.
    public var sequence: UInt64
    public var entries: [Entry]

    public init(sequence: UInt64, entries: [Entry]) {
        self.sequence = sequence
        self.entries = entries
    }

    public init(sequence: UInt64, operations: [UpdateOperation]) {
        self.init(sequence: sequence, entries: operations.enumerated().map { Entry(line: $0.offset + 2, operation: $0.element) })
    }
}

/// What applying a batch did.
public enum UpdateOutcome: Sendable, Equatable {
    case applied(operations: Int, sequence: UInt64)
    /// The registry already has this batch (its sequence is at or past it): nothing changed.
    case alreadyApplied(registrySequence: UInt64)
}

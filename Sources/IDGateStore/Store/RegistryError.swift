/// Why a registry could not be opened, built or changed. Each case reads as a complete message for an operator.
public enum RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The directory has no `current` generation (nothing imported yet, or not a registry).
    case notARegistry(directory: String)
    /// The store was written by another schema version of this software.
    case schemaMismatch(directory: String, found: UInt64, expected: UInt64)
    /// The directory or a file in it cannot be created or written.
    case notWritable(path: String, reason: String)
    /// Another import or update holds the registry's write lock.
    case busy(directory: String)
    /// The data does not fit in the largest map the writer may use.
    case mapFull(limitBytes: Int)
    /// A file could not be read.
    case unreadable(path: String, reason: String)
    /// An update batch skips sequence numbers.
    case sequenceGap(current: UInt64, batch: UInt64)
    /// The store was opened read-only and a write was attempted.
    case readOnly(directory: String)
    /// An imported sequence of records is longer than one import can merge.
    case tooManyRecords(limit: Int)

    public var description: String {
        switch self {
        case .notARegistry(let directory):
            "\(directory) is not a registry: no 'current' generation (create one with `idgate import FILE --db \(directory)`)"
        case .schemaMismatch(let directory, let found, let expected):
            "registry \(directory) has schema version \(found); this idgate reads schema version \(expected) (re-import the data)"
        case .notWritable(let path, let reason):
            "cannot write \(path): \(reason)"
        case .busy(let directory):
            "registry \(directory) is locked by another import or update; try again when it has finished"
        case .mapFull(let limitBytes):
            "registry full: the data does not fit in the maximum map size of \(limitBytes) bytes (raise the limit or free disk)"
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        case .sequenceGap(let current, let batch):
            "update batch \(batch) refused: the registry is at sequence \(current), so the next batch must be \(current + 1)"
        case .readOnly(let directory):
            "registry \(directory) was opened read-only"
        case .tooManyRecords(let limit):
            "too many records for one import: at most \(limit)"
        }
    }
}

/// How `RegistryImporter` treats bad rows and resources.
public struct ImportOptions: Sendable {
    /// Import the valid rows and list the bad ones, instead of rejecting the whole file at the first bad row.
    public var skipInvalid = false
    /// Where to write the rejected rows' errors (one `line N: …` per line) when `skipInvalid` is set.
    public var rejectsPath: String?
    /// The input format; nil detects it (`.csv` extension or a first line not starting with `{` means CSV).
    public var format: ResidentFileFormat?
    /// The largest LMDB map the import may use. Virtual address space only: the file grows with the data.
    public var maximumMapSize = RegistryEnvironment.defaultMapSize
    /// Parser threads; nil uses every core (one for inputs under 4 MiB).
    public var parallelism: Int?
    /// Called now and then from the importing threads.
    public var progress: (@Sendable (ImportProgress) -> Void)?
    /// The data sequence the new generation records; nil continues the one it replaces (one past its sequence).
    /// A follower sets it to the change-log sequence its snapshot was taken at, so updates resume right after it.
    public var sequence: UInt64?
    /// Documents and organizations imported into the same generation (NDJSON files or records in memory).
    public var kinds = KindImportInput()
    /// Foreign residents written into the new generation's `foreigners` database in the same transaction as the
    /// residents (`idgate import --foreigners FILE`, the demo). An import replaces the whole generation: foreigners
    /// not listed here are not carried over.
    public var foreigners: [ForeignerRecord] = []
    /// Rows per chunk of the import's second pass (tests lower it to exercise many chunks).
    var rowsPerChunk = RegistryImporter.rowsPerChunk

    public init() {}
}

/// The text formats `idgate import` reads and `idgate gen`/`registry sample` write.
public enum ResidentFileFormat: String, Sendable, CaseIterable {
    case ndjson, csv
}

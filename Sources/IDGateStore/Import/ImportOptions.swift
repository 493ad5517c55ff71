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
    /// Documents, organizations and foreign residents imported into the same generation (NDJSON files or records
    /// in memory). An import replaces the whole generation: records of these kinds not listed here are not carried
    /// over.
    public var kinds = KindImportInput()
    /// Rows per chunk of the import's second pass (tests lower it to exercise many chunks).
    var rowsPerChunk = RegistryImporter.rowsPerChunk
    /// Records of an imported sequence kept in memory before they are sorted and spilled to disk as one run (tests
    /// lower it to exercise many runs). 4 million records are about 1 GB of encoded records.
    var recordsPerRun = 4_000_000

    public init() {}
}

/// The text formats `idgate import` reads and `idgate gen`/`registry sample` write.
public enum ResidentFileFormat: String, Sendable, CaseIterable {
    case ndjson, csv
}

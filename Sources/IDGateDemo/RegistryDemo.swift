import IDGateCore
import Foundation
import IDGateAudit
import IDGateGateway
import IDGateStore

/// The registry part of `idgate demo init`: generated residents, documents, organizations and foreign residents
/// imported into `DIR/registry`, and a sample of each kind beside it (`DIR/sample.ndjson`, `sample-documents.ndjson`,
/// `sample-organizations.ndjson`, `sample-foreigners.ndjson`) for building test traffic (see the demo folder layout
/// in docs/DATA.md).
public enum RegistryDemo {
    /// Records written to the sample file at most.
    public static let sampleLimit = 10_000

    /// The demo's foreign residents for `residents` citizens: 1%, at least 100, at most 10 000.
    public static func foreignerCount(residents: Int) -> Int { Swift.min(10_000, Swift.max(100, residents / 100)) }

    /// Generates `residents` residents (and the other kinds) from `seed`, imports them into `directory/registry`
    /// (replacing any previous demo data atomically) and writes the sample files.
    @discardableResult
    public static func buildRegistry(
        directory: String, residents: Int, seed: UInt64, progress: (@Sendable (ImportProgress) -> Void)? = nil
    ) throws -> ImportSummary {
        do {
            try OwnerOnlyFiles.createDirectory(atPath: directory)
        } catch {
            throw RegistryError.notWritable(path: directory, reason: "cannot create directory")
        }
        var options = ImportOptions()
        options.progress = progress
        options.kinds = kinds(residents: residents, seed: seed)
        let layout = DemoLayout(path: directory)
        let registryPath = layout.registry.path
        let summary = try RegistryImporter(directory: registryPath, options: options)
            .importRecords(ResidentGenerator(seed: seed).prefix(residents))
        let store = try RegistryStore.open(directory: registryPath)
        let count = Swift.min(residents, sampleLimit)
        try writeSample(store.sample(count: count), ResidentCodec.appendNDJSON, to: layout.sample)
        try writeSample(store.sampleDocuments(count: count), DocumentCodec.appendNDJSON, to: layout.documentsSample)
        try writeSample(
            store.sampleOrganizations(count: count), OrganizationCodec.appendNDJSON, to: layout.organizationsSample)
        try writeSample(store.sampleForeigners(count: sampleLimit), ForeignerCodec.appendNDJSON, to: layout.foreignerSample)
        return summary
    }

    /// Writes `records` as NDJSON lines to `url`, owner-only.
    private static func writeSample<Record>(
        _ records: [Record], _ append: (Record, inout [UInt8]) -> Void, to url: URL
    ) throws {
        var bytes: [UInt8] = []
        for record in records { append(record, &bytes) }
        do {
            try OwnerOnlyFiles.write(bytes, toPath: url.path)
        } catch {
            throw RegistryError.notWritable(path: url.path, reason: "\(error)")
        }
    }
}

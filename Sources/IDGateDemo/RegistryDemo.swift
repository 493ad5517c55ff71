import IDGateCore
import Foundation
import IDGateAudit
import IDGateGateway
import IDGateStore

/// The registry part of `idgate demo init`: generated residents (and foreign residents) imported into `DIR/registry`,
/// and a sample of them in `DIR/sample.ndjson` (`DIR/sample-foreigners.ndjson`) for building test traffic (see the
/// demo folder layout in docs/DATA.md).
public enum RegistryDemo {
    /// Records written to the sample file at most.
    public static let sampleLimit = 10_000

    /// Generates `residents` residents from `seed`, imports them into `directory/registry` (replacing any previous
    /// demo data atomically) and writes `directory/sample.ndjson`.
    /// The demo's foreign residents for `residents` citizens: 1%, at least 100, at most 10 000.
    public static func foreignerCount(residents: Int) -> Int { Swift.min(10_000, Swift.max(100, residents / 100)) }

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
        options.foreigners = Array(ForeignerGenerator(seed: seed).prefix(foreignerCount(residents: residents)))
        let layout = DemoLayout(path: directory)
        let registryPath = layout.registry.path
        let summary = try RegistryImporter(directory: registryPath, options: options)
            .importRecords(ResidentGenerator(seed: seed).prefix(residents))
        var sample: [UInt8] = []
        for record in try RegistryStore.open(directory: registryPath).sample(count: Swift.min(residents, sampleLimit)) {
            ResidentCodec.appendNDJSON(record, to: &sample)
        }
        let samplePath = layout.sample.path
        do {
            try OwnerOnlyFiles.write(sample, toPath: samplePath)
        } catch {
            throw RegistryError.notWritable(path: samplePath, reason: "\(error)")
        }
        try writeKindSamples(store: RegistryStore.open(directory: registryPath), layout: layout, count: Swift.min(residents, sampleLimit))
        var foreignerSample: [UInt8] = []
        for record in try RegistryStore.open(directory: registryPath).sampleForeigners(count: sampleLimit) {
            ForeignerCodec.appendNDJSON(record, to: &foreignerSample)
        }
        let foreignerSamplePath = layout.foreignerSample.path
        do {
            try OwnerOnlyFiles.write(foreignerSample, toPath: foreignerSamplePath)
        } catch {
            throw RegistryError.notWritable(path: foreignerSamplePath, reason: "\(error)")
        }
        return summary
    }
}

import ArgumentParser
import Foundation
import IDGateAudit
import IDGateDemo
import IDGateStore
import IDGateWire

/// `idgate import`: replace the registry's data with a validated NDJSON or CSV file, atomically.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import residents (NDJSON or CSV) into a new registry generation and switch to it atomically.",
        discussion: """
            Every row is validated. By default the first bad row rejects the whole import (with its line number and \
            reason); with --skip-invalid the valid rows are imported and the bad ones listed in the rejects file. \
            The registry being served is untouched until the new data is complete.
            """
    )

    @Argument(help: "The NDJSON or CSV file (none with --generated).")
    var file: String?

    @Option(help: ArgumentHelp(
        "Import N residents generated in process (as `idgate gen residents --count N --seed S` would write them) "
            + "instead of a file: no input file on disk, records spilled in sorted runs to the registry's disk (memory: ~60 "
            + "bytes per resident).",
        valueName: "N"))
    var generated: Int?

    @Option(help: "The seed for --generated.")
    var seed: UInt64 = 1

    @Option(help: "The registry directory (created if needed).")
    var db: String

    @Flag(help: "Import the valid rows and write the bad ones to the rejects file.")
    var skipInvalid = false

    @Option(help: "Where --skip-invalid lists rejected rows (default: FILE.rejects.txt).")
    var rejects: String?

    @Option(help: "ndjson or csv (default: detected).")
    var format: ResidentFileFormat?

    @Option(help: "An NDJSON file of documents to import into the same generation (docs/DATA.md).")
    var documents: String?

    @Option(help: "An NDJSON file of organizations to import into the same generation (docs/DATA.md).")
    var organizations: String?
    @Option(help: "Foreign residents (NDJSON, docs/DATA.md) imported into the same generation.")
    var foreigners: String?

    func validate() throws {
        switch (file, generated) {
        case (nil, nil): throw ValidationError("give a FILE to import, or --generated N")
        case (_?, _?): throw ValidationError("give a FILE or --generated N, not both")
        case (nil, let count?) where count < 1: throw ValidationError("--generated must be at least 1 (got \(count))")
        case (nil, _?) where skipInvalid || format != nil || rejects != nil:
            throw ValidationError("--skip-invalid, --rejects and --format apply to a FILE, not to --generated")
        default: break
        }
    }

    func run() throws {
        let display = ProgressDisplay(label: "import")
        var options = ImportOptions()
        options.skipInvalid = skipInvalid
        options.rejectsPath = skipInvalid ? (rejects ?? (file ?? "generated") + ".rejects.txt") : nil
        options.format = format
        options.kinds.documentsPath = documents
        options.kinds.organizationsPath = organizations
        options.kinds.foreignersPath = foreigners
        options.progress = { display.update($0) }
        let summary: ImportSummary
        do {
            let importer = RegistryImporter(directory: db, options: options)
            if let file {
                summary = try importer.importFile(file)
            } else {
                summary = try importer.importRecords(ResidentGenerator(seed: seed).prefix(generated ?? 0))
            }
        } catch {
            display.finish()
            throw error
        }
        display.finish()
        var message = "imported \(summary.imported) residents into \(db) (\(summary.generation), sequence \(summary.sequence))"
        message += String(format: " in %.1f s (%@/s)", summary.elapsedSeconds, ProgressDisplay.count(Int(summary.recordsPerSecond)))
        let kinds = summary.kinds
        if documents != nil { message += "; \(kinds.documents) documents" }
        if organizations != nil { message += "; \(kinds.organizations) organizations" }
        if foreigners != nil { message += "; \(kinds.foreigners) foreign residents" }
        if summary.rejected > 0, let path = options.rejectsPath { message += "; \(summary.rejected) rows rejected, see \(path)" }
        print(message)
    }
}

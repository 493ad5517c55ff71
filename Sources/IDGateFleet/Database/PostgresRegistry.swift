import Foundation
import IDGateStore
import Logging
import NIOCore
import PostgresNIO

/// The registry of record in PostgreSQL: loading a registry into it and publishing update batches to its change
/// log. Nodes never write here; they follow it (`RegistryFollower`).
///
/// Each call opens its own connection and closes it: these are operator actions (`idgate demo init --postgres`,
/// `idgate update --postgres`), not a hot path.
public struct PostgresRegistry: Sendable {
    public let source: PostgresSource
    let logger: Logger

    public init(source: PostgresSource, logger: Logger = Logger(label: "idgate.fleet.registry")) {
        self.source = source
        self.logger = logger
    }

    /// What a load did.
    public struct LoadSummary: Sendable, Equatable {
        public var residents: Int
        /// Documents, organizations and foreign residents loaded beside the residents.
        public var kinds = KindImportInput.Counts()
        /// The new registry's identity: nodes holding a copy of an older one take a fresh snapshot.
        public var origin: UUID
        public var elapsedSeconds: Double
    }

    /// The head of the change log and the registry's identity (also checks the schema).
    public func head() async throws -> (sequence: UInt64, origin: UUID) {
        try await withConnection { connection in
            let marker = try await RegistrySchema.readMarker(connection, database: source.database, logger: logger)
            return (marker.head, marker.origin)
        }
    }

    /// Loads residents (the demo generator's, an import file's) and the other kinds (`kinds`: the records in
    /// memory; its paths are not read) as the registry of record, in one transaction. With `replace`, an existing
    /// registry (of any schema version) is emptied first and given a new origin; without it, a database that
    /// already holds residents or changes is refused. A key given twice fails the load (nothing loaded).
    public func load<Records: Sequence<ResidentRecord>>(
        _ records: Records, kinds: KindImportInput = KindImportInput(), replace: Bool = false
    ) async throws -> LoadSummary {
        let started = ContinuousClock.now
        return try await withConnection { connection in
            _ = try await RegistrySchema.create(connection, database: source.database, replacing: replace, logger: logger)
            return try await connection.withTransaction(logger: logger) { connection in
                // Lock the marker row: a concurrent load or publish waits for this one.
                let rows = try await connection.query(
                    "SELECT head_sequence, (SELECT count(*) FROM idgate_residents) FROM idgate_registry FOR UPDATE",
                    logger: logger
                ).collect()
                let (head, residents) = try rows[0].decode((Int64, Int64).self)
                if head > 0 || residents > 0 {
                    guard replace else {
                        throw FleetError.registryNotEmpty(database: source.database, residents: Int(residents), head: UInt64(head))
                    }
                    try await connection.query("TRUNCATE \(unescaped: RegistrySchema.recordTables), idgate_changes", logger: logger)
                }
                try await connection.query(
                    "UPDATE idgate_registry SET head_sequence = 0, origin = gen_random_uuid(), created_at = now()",
                    logger: logger)
                let loaded = try await copyResidents(records, connection: connection)
                let kindCounts = try await copyKinds(kinds, connection: connection)
                let origin = try await connection.query("SELECT origin FROM idgate_registry", logger: logger)
                    .collect()[0].decode(UUID.self)
                return LoadSummary(
                    residents: loaded, kinds: kindCounts, origin: origin,
                    elapsedSeconds: (ContinuousClock.now - started).fleetSeconds)
            }
        }
    }

    /// Loads an NDJSON or CSV file in the formats `idgate import` reads (each row validated the same way).
    public func load(file path: String, replace: Bool = false) async throws -> LoadSummary {
        let records = try ResidentFile.records(path: path)
        return try await load(records, replace: replace)
    }

    /// Streams the records into `idgate_residents` with one `COPY … FROM STDIN` (text format).
    private nonisolated(nonsending) func copyResidents<Records: Sequence<ResidentRecord>>(_ records: Records, connection: PostgresConnection) async throws -> Int {
        var count = 0
        try await connection.copyFrom(
            table: "idgate_residents", columns: ["id_number", "legacy_id_number", "record", "sequence"], logger: logger
        ) { writer in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(1 << 20)
            var line: [UInt8] = []
            for record in records {
                line.removeAll(keepingCapacity: true)
                ResidentCodec.appendNDJSON(record, to: &line)
                line.removeLast()  // the newline
                buffer.writeString(String(record.idNumber.value))
                buffer.writeInteger(UInt8(ascii: "\t"))
                if let legacy = record.legacyIdNumber { Self.appendCopyText(Array(legacy.utf8), to: &buffer) } else { buffer.writeString("\\N") }
                buffer.writeInteger(UInt8(ascii: "\t"))
                Self.appendCopyText(line, to: &buffer)
                buffer.writeString("\t0\n")
                count += 1
                if buffer.readableBytes >= 1 << 20 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
        return count
    }

    /// Streams the documents, organizations and foreign residents into their tables (one COPY each).
    private nonisolated(nonsending) func copyKinds(_ kinds: KindImportInput, connection: PostgresConnection) async throws
        -> KindImportInput.Counts
    {
        var counts = KindImportInput.Counts()
        counts.documents = try await copy(
            kinds.documents, table: "idgate_documents",
            columns: ["document_type", "document_number", "holder_id_number", "record"], connection: connection
        ) { record in
            [Array(record.type.wireName.utf8), Array(record.number.utf8), Array(String(record.holderIdNumber.value).utf8),
             Array(DocumentCodec.ndjson(record).utf8)]
        }
        counts.organizations = try await copy(
            kinds.organizations, table: "idgate_organizations", columns: ["organization_id", "record"], connection: connection
        ) { record in
            [Array(record.organizationId.description.utf8), Array(OrganizationCodec.ndjson(record).utf8)]
        }
        counts.foreigners = try await copy(
            kinds.foreigners, table: "idgate_foreigners", columns: ["nationality", "passport_number", "record"],
            connection: connection
        ) { record in
            [Array(record.key.nationality.code.utf8), Array(record.key.passportNumber.text.utf8),
             Array(ForeignerCodec.ndjson(record).utf8)]
        }
        return counts
    }

    /// One `COPY … FROM STDIN` of `records`, each row the given column values then `sequence` 0.
    private nonisolated(nonsending) func copy<Record>(
        _ records: [Record], table: String, columns: [String], connection: PostgresConnection,
        row: (Record) -> [[UInt8]]
    ) async throws -> Int {
        guard !records.isEmpty else { return 0 }
        try await connection.copyFrom(table: table, columns: columns + ["sequence"], logger: logger) { writer in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(1 << 20)
            for record in records {
                for value in row(record) {
                    Self.appendCopyText(value, to: &buffer)
                    buffer.writeInteger(UInt8(ascii: "\t"))
                }
                buffer.writeString("0\n")
                if buffer.readableBytes >= 1 << 20 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
        return records.count
    }

    /// A value in COPY's text format: backslash, tab, newline and carriage return escaped.
    static func appendCopyText(_ bytes: [UInt8], to buffer: inout ByteBuffer) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeString("\\\\")
            case 0x09: buffer.writeString("\\t")
            case 0x0A: buffer.writeString("\\n")
            case 0x0D: buffer.writeString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    /// Runs `body` on a fresh connection, closed afterwards; connection failures become `FleetError.database`.
    func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: try source.configuration(), id: 1, logger: logger)
        } catch {
            throw FleetError.database(source: source.description, reason: FleetError.describe(error))
        }
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw Self.unwrap(error, source: source)
        }
    }

    /// Our own errors pass through a transaction wrapper unchanged; PostgreSQL's are described.
    static func unwrap(_ error: any Error, source: PostgresSource) -> any Error {
        if let error = error as? FleetError { return error }
        if let error = error as? InputError { return error }
        if let transaction = error as? PostgresTransactionError,
            let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError
        {
            return unwrap(inner, source: source)
        }
        return FleetError.database(source: source.description, reason: FleetError.describe(error))
    }
}

extension Duration {
    var fleetSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

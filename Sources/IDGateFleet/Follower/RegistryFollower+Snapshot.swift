import Foundation
import IDGateStore
import PostgresNIO

/// `DIR/follower.json`: which registry of record the generation `generation` was built from.
///
/// Written after the generation swap; a node killed between the swap and this write finds a generation it cannot
/// vouch for and takes a new snapshot (safe, only slower). A generation made by hand (`idgate import`) is never
/// followed: its sequence numbers mean nothing in this registry's change log.
struct FollowerMarker: Codable, Equatable {
    static let fileName = "follower.json"

    var origin: UUID
    var generation: String

    static func read(directory: String) -> FollowerMarker? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(FollowerMarker.self, from: data)
    }

    func write(directory: String) throws {
        let path = directory + "/" + Self.fileName
        do {
            try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw RegistryError.notWritable(path: path, reason: "\(error.localizedDescription)")
        }
    }
}

extension RegistryFollower {
    /// Opens the local copy when its marker vouches for the current generation; the node can then serve at once.
    func openLocalCopy() {
        guard let marker = FollowerMarker.read(directory: directory) else { return }
        do {
            let store = try RegistryStore.open(directory: directory, readOnly: false)
            guard store.generation == marker.generation else {
                logger.notice(
                    "local registry generation was not built by the follower; a snapshot will replace it",
                    metadata: ["generation": "\(store.generation)", "marker": "\(marker.generation)"])
                return
            }
            let sequence = store.sequence
            state.withLock { state in
                state.store = store
                state.origin = marker.origin
                state.status.isBootstrapped = true
                state.status.appliedSequence = sequence
            }
            logger.info("resuming from the local registry", metadata: ["sequence": "\(sequence)", "generation": "\(store.generation)"])
        } catch {
            logger.warning("local registry unusable; a snapshot will replace it", metadata: ["reason": "\(error)"])
        }
    }

    /// True when there is no local copy, it came from another registry (reloaded since), or an import replaced it.
    func needsSnapshot(origin: UUID) -> Bool {
        state.withLock { state in
            guard let store = state.store, state.origin == origin else { return true }
            return store.isSuperseded
        }
    }

    /// Takes a consistent snapshot into a new generation and follows from its sequence.
    func takeSnapshot(_ connection: PostgresConnection) async throws {
        let started = ContinuousClock.now
        logger.info("taking a registry snapshot", metadata: ["source": "\(source)", "directory": "\(directory)"])
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FleetError.cannotBootstrap(directory: directory, reason: "cannot create the directory")
        }
        let files = SnapshotFiles(directory: directory)
        defer { files.remove() }
        let (marker, residents) = try await dump(connection, to: files)
        let dumped = ContinuousClock.now

        let directory = self.directory
        let summary = try await runBlocking {
            var importOptions = ImportOptions()
            importOptions.sequence = marker.head
            importOptions.kinds.documentsPath = files.documents
            importOptions.kinds.organizationsPath = files.organizations
            importOptions.kinds.foreignersPath = files.foreigners
            return try RegistryImporter(directory: directory, options: importOptions).importFile(files.residents)
        }
        try FollowerMarker(origin: marker.origin, generation: summary.generation).write(directory: directory)
        let store = try await runBlocking { try RegistryStore.open(directory: directory, readOnly: false) }
        state.withLock { state in
            state.store = store
            state.origin = marker.origin
            state.status.isBootstrapped = true
            state.status.appliedSequence = marker.head
            state.status.snapshots += 1
            state.lastRefused = nil
        }
        clearAlarm()
        logger.info(
            "registry snapshot imported",
            metadata: [
                "residents": "\(residents)", "documents": "\(summary.kinds.documents)",
                "organizations": "\(summary.kinds.organizations)", "foreigners": "\(summary.kinds.foreigners)",
                "sequence": "\(marker.head)", "generation": "\(summary.generation)",
                "dumpSeconds": "\((dumped - started).fleetSeconds)", "importSeconds": "\(summary.elapsedSeconds)",
            ])
    }

    /// Writes every record's line, residents and each other kind to its own file, inside one REPEATABLE READ
    /// transaction, together with the marker read in the same transaction: the files are exactly the registry at
    /// `marker.head`. Returns the marker and the number of residents.
    private func dump(_ connection: PostgresConnection, to files: SnapshotFiles) async throws -> (RegistrySchema.Marker, Int) {
        _ = try await connection.guardedRows("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
        do {
            let marker = try await RegistrySchema.readMarker(connection, database: source.database, logger: logger)
            let residents = try await dumpRecords(connection, "SELECT record FROM idgate_residents", to: files.residents)
            try await dumpRecords(connection, RegistrySchema.documentsQuery, to: files.documents)
            try await dumpRecords(connection, RegistrySchema.organizationsQuery, to: files.organizations)
            try await dumpRecords(connection, RegistrySchema.foreignersQuery, to: files.foreigners)
            _ = try await connection.guardedRows("COMMIT", logger: logger)
            return (marker, residents)
        } catch {
            _ = try? await connection.guardedRows("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Streams the `record` column of `query` (not collected: the whole registry) into `path`, one line each.
    @discardableResult
    private func dumpRecords(_ connection: PostgresConnection, _ query: PostgresQuery, to path: String) async throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw FleetError.cannotBootstrap(directory: directory, reason: "cannot create \(path)")
        }
        defer { try? file.close() }
        var count = 0
        var chunk = Data()
        chunk.reserveCapacity(1 << 20)
        // A query in flight fails when the connection closes.
        guard !connection.isClosed else { throw ConnectionClosed() }
        let rows = try await connection.query(query, logger: logger)
        for try await record in rows.decode(String.self) {
            chunk.append(contentsOf: record.utf8)
            chunk.append(0x0A)
            count += 1
            if chunk.count >= 1 << 20 {
                try file.write(contentsOf: chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        try file.write(contentsOf: chunk)
        return count
    }
}

/// The NDJSON files a snapshot is dumped to, beside the registry (removed once imported).
struct SnapshotFiles {
    let residents: String
    let documents: String
    let organizations: String
    let foreigners: String

    init(directory: String) {
        let prefix = directory + "/.snapshot-\(getpid())"
        residents = prefix + ".ndjson"
        documents = prefix + "-documents.ndjson"
        organizations = prefix + "-organizations.ndjson"
        foreigners = prefix + "-foreigners.ndjson"
    }

    func remove() {
        for path in [residents, documents, organizations, foreigners] { unlink(path) }
    }
}

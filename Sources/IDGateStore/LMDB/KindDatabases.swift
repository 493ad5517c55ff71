import CLMDB

/// The named databases of the record kinds beside residents (issue 21): documents with their holder index,
/// organizations and foreign residents. Opened with the residents' databases in every generation; a generation
/// imported before these kinds existed has none of them, and reads answer "not found".
struct KindDatabases {
    /// Document key (type byte + canonical number) → binary document record.
    var documents: MDB_dbi?
    /// Holder ID number (8 bytes big-endian) → document keys (`MDB_DUPSORT`).
    var documentHolders: MDB_dbi?
    /// Organization key (8 bytes big-endian, `OrganizationID.key`) → binary organization record.
    var organizations: MDB_dbi?
    /// `ForeignerKey.storageKey` (nationality + passport number) → binary record (`ForeignerLayout`).
    var foreigners: MDB_dbi?

    static let documentsName = "documents"
    static let documentHoldersName = "document-holder-index"
    static let organizationsName = "organizations"
    static let foreignersName = "foreigners"

    static func open(in txn: OpaquePointer, create: Bool) throws(LMDBError) -> KindDatabases {
        func dbi(_ name: String, _ flags: UInt32) throws(LMDBError) -> MDB_dbi? {
            var handle: MDB_dbi = 0
            let rc = mdb_dbi_open(txn, name, flags | (create ? UInt32(MDB_CREATE) : 0), &handle)
            if rc == MDB_NOTFOUND && !create { return nil }
            try lmdbCheck(rc, "open database '\(name)'")
            return handle
        }
        return KindDatabases(
            documents: try dbi(documentsName, 0),
            documentHolders: try dbi(documentHoldersName, UInt32(MDB_DUPSORT)),
            organizations: try dbi(organizationsName, 0),
            foreigners: try dbi(foreignersName, 0))
    }

    /// The handles, or the error an update gets on a generation without these databases.
    func required(_ handle: MDB_dbi?, _ kind: String) throws -> MDB_dbi {
        guard let handle else {
            throw RegistryError.notWritable(
                path: kind, reason: "this registry generation has no \(kind) database: import it again to add one")
        }
        return handle
    }
}

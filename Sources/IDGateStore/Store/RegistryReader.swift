import CLMDB

/// A per-thread handle for read transactions that cost almost nothing to start.
///
/// Holds one LMDB read transaction for its whole life (the environment uses `MDB_NOTLS`) and resets/renews it
/// around each use instead of beginning and aborting one: a renew is a few nanoseconds and never blocks on writers.
/// Not Sendable and not reentrant: make one per thread or event loop and use it from there.
public final class RegistryReader {
    public let store: RegistryStore
    private var transaction: OpaquePointer?
    private var isInTransaction = false

    init(store: RegistryStore) {
        self.store = store
    }

    deinit {
        if let transaction { mdb_txn_abort(transaction) }
    }

    /// Runs `body` inside a read transaction over a consistent snapshot. Views obtained from it are valid only
    /// inside `body`.
    @inline(__always)
    public func withTransaction<R>(_ body: (borrowing ReadTransaction) throws -> R) rethrows -> R {
        precondition(!isInTransaction, "RegistryReader.withTransaction is not reentrant")
        let txn = renewedTransaction()
        isInTransaction = true
        defer {
            mdb_txn_reset(txn)
            isInTransaction = false
        }
        return try body(ReadTransaction(txn: txn, databases: store.databases))
    }

    private func renewedTransaction() -> OpaquePointer {
        if let transaction {
            let rc = mdb_txn_renew(transaction)
            precondition(rc == 0, "mdb_txn_renew failed: \(LMDBError(operation: "renew read transaction", code: rc))")
            return transaction
        }
        var txn: OpaquePointer?
        let rc = mdb_txn_begin(store.environment, nil, UInt32(MDB_RDONLY), &txn)
        precondition(rc == 0 && txn != nil, "mdb_txn_begin failed: \(LMDBError(operation: "begin read transaction", code: rc))")
        transaction = txn
        return txn!
    }
}

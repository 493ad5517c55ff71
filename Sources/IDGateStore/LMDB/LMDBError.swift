import CLMDB

/// A failed LMDB call: which operation, and LMDB's own return code and message.
public struct LMDBError: Error, Equatable, Sendable, CustomStringConvertible {
    public let operation: String
    public let code: Int32

    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// The map (the store's size limit) is full: the writer may grow it and retry.
    public var isMapFull: Bool { code == MDB_MAP_FULL }

    public var description: String { "\(operation) failed: \(String(cString: mdb_strerror(code))) (\(code))" }
}

/// Throws an `LMDBError` for any non-zero LMDB return code.
@inline(__always)
func lmdbCheck(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
    if code != 0 { throw LMDBError(operation: operation(), code: code) }
}

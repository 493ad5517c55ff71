import CLMDB

extension MDB_val {
    /// The bytes LMDB points at (in the memory map for reads); valid while the transaction lives.
    @inline(__always)
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: mv_data, count: mv_size) }

    @inline(__always)
    init(_ bytes: UnsafeRawBufferPointer) {
        self.init(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
    }
}

/// Runs `body` with an 8-byte big-endian LMDB key for `value`: byte order equals numeric order, so sorted
/// integers can be bulk-appended.
@inline(__always)
func withBigEndianKey<R>(_ value: UInt64, _ body: (inout MDB_val) throws -> R) rethrows -> R {
    var bigEndian = value.bigEndian
    return try withUnsafeMutableBytes(of: &bigEndian) { raw in
        var key = MDB_val(mv_size: 8, mv_data: raw.baseAddress)
        return try body(&key)
    }
}

/// Reads an 8-byte big-endian integer (an LMDB key or a fixed-size index value).
@inline(__always)
func bigEndianUInt64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
}

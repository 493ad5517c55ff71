import Glibc

/// Reads a whole file into one array with `read(2)`.
///
/// Foundation's `Data(contentsOf:)` leaks a 4 KiB buffer for every empty file it reads (FoundationEssentials'
/// `readBytesFromFile`, found by the FuzzAudit target): audit segments, spill buckets and subject-index catch-up read
/// files that may be empty, over and over in a long-running server, and copy the `Data` into an array besides.
public enum FileBytes {
    /// The file's bytes; throws `FileBytesError` naming the path and the system's reason.
    public static func read(path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileBytesError(path: path, operation: "open", code: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FileBytesError(path: path, operation: "fstat", code: errno) }
        // Straight from the kernel into the array: the size the file has now, then whatever it grew by since (an
        // open audit segment is appended to while it is read).
        var bytes = try [UInt8](unsafeUninitializedCapacity: max(Int(status.st_size), 0)) { buffer, count in
            while count < buffer.count {
                let rest = UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[count...]))
                let read = try readSome(descriptor, path, into: rest)
                if read == 0 { return }
                count += read
            }
        }
        guard bytes.count == Int(status.st_size) else { return bytes }
        try withUnsafeTemporaryAllocation(byteCount: 16 * 1024, alignment: 1) { chunk in
            while case let read = try readSome(descriptor, path, into: chunk), read > 0 {
                bytes.append(contentsOf: chunk[0..<read])
            }
        }
        return bytes
    }

    /// One `read(2)` into `buffer`, retried on EINTR: the count read, 0 at the end of the file.
    private static func readSome(_ descriptor: Int32, _ path: String, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw FileBytesError(path: path, operation: "read", code: errno) }
        }
    }
}

/// A file could not be read: the path, the system call and its errno.
public struct FileBytesError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let operation: String
    public let code: Int32

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}

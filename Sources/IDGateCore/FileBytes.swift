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
        var bytes: [UInt8] = []
        // The size is a hint: a file that grows while it is read (an open audit segment) is read to its end.
        bytes.reserveCapacity(max(Int(status.st_size), 0) + 1)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileBytesError(path: path, operation: "read", code: errno)
            }
            bytes.append(contentsOf: chunk[0..<count])
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

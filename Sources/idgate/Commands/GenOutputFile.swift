import Foundation
import IDGateAudit
import IDGateDemo
import IDGateStore
import IDGateWire

/// A file (or standard output for "-") written in large blocks, for the generators' and exporters' output.
final class OutputFile {
    /// Bytes gathered before each write.
    static let flushThreshold = 4 << 20

    private let handle: FileHandle
    private let path: String
    private let ownsHandle: Bool

    init(path: String) throws {
        self.path = path
        if path == "-" {
            handle = FileHandle.standardOutput
            ownsHandle = false
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw RegistryError.notWritable(path: path, reason: "cannot create file")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw RegistryError.notWritable(path: path, reason: "cannot open file for writing")
        }
        self.handle = handle
        ownsHandle = true
    }

    /// Writes and empties `buffer`.
    func write(_ buffer: inout [UInt8]) throws {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw RegistryError.notWritable(path: path, reason: error.localizedDescription)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        if ownsHandle { try handle.close() }
    }
}

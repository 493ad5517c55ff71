import Foundation
import IDGateCore
import Testing

/// `FileBytes` replaced `Data(contentsOf:)` where audit segments and spill buckets are read (Foundation leaks 4 KiB per
/// empty file; `scripts/fuzz.sh` now runs FuzzAudit with the leak check on, which is what catches a regression).
@Suite struct FileBytesTests {
    private func scratch(_ name: String) -> String {
        NSTemporaryDirectory() + "idgate-filebytes-\(getpid())-\(name)"
    }

    @Test func emptyFileIsEmptyArray() throws {
        let path = scratch("empty")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        defer { unlink(path) }
        #expect(try FileBytes.read(path: path) == [])
    }

    @Test func readsEveryByteOfAFileLargerThanOneChunk() throws {
        let path = scratch("large")
        let bytes = (0..<200_003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { unlink(path) }
        #expect(try FileBytes.read(path: path) == bytes)
    }

    /// A file that holds more than its size said when it was opened (procfs files say 0; an audit segment grows
    /// while it is read) is read to its end.
    @Test func readsPastTheSizeTheFileReported() throws {
        let expected = Array(CommandLine.arguments.map { $0 + "\0" }.joined().utf8)
        #expect(!expected.isEmpty)
        #expect(try FileBytes.read(path: "/proc/self/cmdline") == expected)
    }

    @Test func missingFileErrorNamesThePathAndReason() throws {
        let path = scratch("missing")
        let error = try #require(throws: FileBytesError.self) { try FileBytes.read(path: path) }
        #expect(error.code == ENOENT)
        #expect(error.description.contains(path))
        #expect(error.description.contains("No such file"))
    }

    @Test func directoryIsAnErrorNotAnEmptyFile() throws {
        let error = try #require(throws: FileBytesError.self) { try FileBytes.read(path: NSTemporaryDirectory()) }
        #expect(error.code == EISDIR)
    }
}

import Foundation
import Testing
@testable import IDGateStore

/// A killed import leaves a half-written generation beside the served one; the next import or server start
/// removes it (holding the writer lock, so a running import's generation is never taken).
@Suite struct UnfinishedImportTests {
    /// A registry with one imported generation and the debris of a killed import after it.
    static func registryWithDebris(_ temp: TemporaryDirectory) throws -> (directory: String, served: String, debris: String) {
        let directory = temp.path + "/db"
        _ = try RegistryImporter(directory: directory).importRecords([Fixtures.resident()])
        let served = try RegistryStore.open(directory: directory).generation
        let debris = StoreDirectory(path: directory).nextGenerationName()
        try FileManager.default.createDirectory(atPath: directory + "/" + debris, withIntermediateDirectories: false)
        try Data(repeating: 0xAB, count: 4096).write(to: URL(fileURLWithPath: directory + "/" + debris + "/data.mdb"))
        return (directory, served, debris)
    }

    @Test func serverStartRemovesAKilledImportsGeneration() throws {
        let temp = TemporaryDirectory()
        let (directory, served, debris) = try Self.registryWithDebris(temp)
        #expect(RegistryImporter.removeUnfinishedImports(directory: directory) == [debris])
        #expect(!FileManager.default.fileExists(atPath: directory + "/" + debris))
        #expect(try RegistryStore.open(directory: directory).generation == served)
        #expect(RegistryImporter.removeUnfinishedImports(directory: directory).isEmpty)
    }

    @Test func importStartRemovesAKilledImportsGeneration() throws {
        let temp = TemporaryDirectory()
        let (directory, _, debris) = try Self.registryWithDebris(temp)
        // An import that fails after taking the lock (bad input) still cleans up first.
        let bad = temp.file("bad.ndjson", contents: "{not json\n")
        #expect(throws: (any Error).self) { try RegistryImporter(directory: directory).importFile(bad) }
        #expect(!FileManager.default.fileExists(atPath: directory + "/" + debris))
    }

    @Test func aRunningImportsGenerationIsLeftAlone() throws {
        let temp = TemporaryDirectory()
        let (directory, _, debris) = try Self.registryWithDebris(temp)
        let lock = try StoreDirectory(path: directory).lockForWriting()
        #expect(RegistryImporter.removeUnfinishedImports(directory: directory).isEmpty)
        #expect(FileManager.default.fileExists(atPath: directory + "/" + debris))
        _ = consume lock
    }

    /// A process started while the lock is held (PostgreSQL started by the fleet tests, a server, another test's
    /// child) must not inherit it: it would keep the registry locked long after the writer finished. CI saw exactly
    /// that once: a parallel test's PostgreSQL kept a crash-matrix registry locked. Raw `posix_spawn`, as the fleet
    /// tests use, passes on every descriptor without close-on-exec (Foundation's `Process` closes them itself).
    @Test func aChildProcessDoesNotInheritTheWriterLock() throws {
        let temp = TemporaryDirectory()
        let directory = temp.path + "/db"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = try StoreDirectory(path: directory).lockForWriting()
        let words: [String] = ["/bin/sleep", "600"]
        let argv = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        #expect(posix_spawn(&pid, "/bin/sleep", nil, nil, argv, environ) == 0)
        defer {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        _ = consume lock
        // The child is still running: the lock must be free now that its holder has let go. Other tests of this
        // process may be starting children of their own at this moment, and such a child holds a copy of every
        // descriptor (close-on-exec ones too) for the instant between its fork and its exec: so the lock is retried
        // for up to 30 s. A child that inherited it keeps it for its whole life (600 s): that is the failure.
        #expect(kill(pid, 0) == 0)
        var taken = false
        for _ in 0..<3_000 where !taken {
            do {
                let again = try StoreDirectory(path: directory).lockForWriting()
                taken = true
                _ = consume again
            } catch {
                usleep(10_000)
            }
        }
        #expect(taken, "the child process kept the writer lock")
        #expect(kill(pid, 0) == 0, "the child was still running when the lock was taken again")
    }

    @Test func missingRegistryIsNotCreated() {
        let temp = TemporaryDirectory()
        #expect(RegistryImporter.removeUnfinishedImports(directory: temp.path + "/absent").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: temp.path + "/absent"))
    }
}

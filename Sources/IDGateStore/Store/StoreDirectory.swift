import Foundation

/// The on-disk layout of a registry: `DIR/current` is a symlink to the generation being served,
/// `DIR/gen-NNNNNN/` holds one LMDB environment each, `DIR/.lock` serializes writers.
///
/// An import builds a new generation beside the served one and swaps the symlink with one `rename(2)`, so a
/// failed or killed import leaves the previous generation serving, intact.
struct StoreDirectory {
    let path: String

    static let currentLinkName = "current"
    static let generationPrefix = "gen-"

    var currentLinkPath: String { path + "/" + Self.currentLinkName }

    func generationPath(_ name: String) -> String { path + "/" + name }

    /// The generation `current` points to, or nil when there is none.
    func currentGeneration() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink(currentLinkPath, &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.split(separator: "/").last.map(String.init)
    }

    /// All generation directories present, in creation order.
    func generations() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasPrefix(Self.generationPrefix) && Int($0.dropFirst(Self.generationPrefix.count)) != nil }
            .sorted()
    }

    /// A name after every existing generation (also after debris of a killed import).
    func nextGenerationName() -> String {
        let last = generations().compactMap { Int($0.dropFirst(Self.generationPrefix.count)) }.max() ?? 0
        let number = String(last + 1)
        return Self.generationPrefix + String(repeating: "0", count: max(0, 6 - number.count)) + number
    }

    /// Creates the registry directory if needed and checks it is writable.
    func prepareForWriting() throws(RegistryError) {
        do {
            try OwnerOnlyFiles.createDirectory(atPath: path)
        } catch {
            throw .notWritable(path: path, reason: "cannot create directory")
        }
        guard access(path, W_OK) == 0 else { throw .notWritable(path: path, reason: "permission denied") }
    }

    /// Points `current` at `generation` atomically (a new symlink renamed over the old one).
    func makeCurrent(_ generation: String) throws(RegistryError) {
        let temporary = path + "/.current-\(getpid())"
        unlink(temporary)
        guard symlink(generation, temporary) == 0 else {
            throw .notWritable(path: temporary, reason: String(cString: strerror(errno)))
        }
        guard rename(temporary, currentLinkPath) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .notWritable(path: currentLinkPath, reason: reason)
        }
        let directory = open(path, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    /// Removes every generation except `keep` (debris of killed imports, superseded data). A server still
    /// serving a removed generation keeps its open files until it reopens.
    func removeGenerations(except keep: String) {
        for name in generations() where name != keep {
            try? FileManager.default.removeItem(atPath: generationPath(name))
        }
    }

    /// Removes generations newer than `current` (all of them when there is none): what a killed import left half
    /// written. Call it holding the writer lock, so no running import's generation is taken. Older generations
    /// (superseded, perhaps still open in a server) are left to the next import's `removeGenerations`.
    @discardableResult
    func removeUnfinishedGenerations() -> [String] {
        let current = currentGeneration()
        let unfinished = generations().filter { name in current.map { name > $0 } ?? true }
        for name in unfinished { try? FileManager.default.removeItem(atPath: generationPath(name)) }
        return unfinished
    }

    /// Takes the exclusive writer lock (imports and updates), failing at once when another writer holds it.
    func lockForWriting() throws(RegistryError) -> WriterLock {
        let lockPath = path + "/.lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, OwnerOnlyFiles.fileMode)
        guard fd >= 0 else { throw .notWritable(path: lockPath, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .busy(directory: path)
        }
        return WriterLock(descriptor: fd)
    }
}

/// The held writer lock; released when it goes out of scope (or the process exits).
struct WriterLock: ~Copyable {
    let descriptor: Int32

    deinit {
        close(descriptor)
    }
}

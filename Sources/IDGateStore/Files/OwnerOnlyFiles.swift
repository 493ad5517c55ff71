import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files and directories holding personal data, keys, credentials or the audit trail: created readable and
/// writable by the owner only (0600 / 0700), whatever the process umask. Foundation's defaults (0666 / 0777 minus
/// the umask) make them world-writable under `umask 000`.
public enum OwnerOnlyFiles {
    public static let fileMode: mode_t = 0o600
    public static let directoryMode: mode_t = 0o700

    /// Creates `path` and any missing parents with mode 0700 (set with `chmod`, which the umask does not touch).
    /// Existing directories are left as they are; an existing file in the way is an error.
    public static func createDirectory(atPath path: String) throws {
        var missing: [String] = []
        var current = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: current, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw OwnerOnlyFileError(path: current, operation: "mkdir", code: ENOTDIR) }
            return
        }
        while !current.isEmpty, current != "/", !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for directory in missing.reversed() {
            if mkdir(directory, directoryMode) != 0 && errno != EEXIST {
                throw OwnerOnlyFileError(path: directory, operation: "mkdir", code: errno)
            }
            guard chmod(directory, directoryMode) == 0 else {
                throw OwnerOnlyFileError(path: directory, operation: "chmod", code: errno)
            }
        }
    }

    /// Creates the single directory `path` with mode 0700; fails if it exists.
    public static func createNewDirectory(atPath path: String) throws {
        guard mkdir(path, directoryMode) == 0 else { throw OwnerOnlyFileError(path: path, operation: "mkdir", code: errno) }
        guard chmod(path, directoryMode) == 0 else { throw OwnerOnlyFileError(path: path, operation: "chmod", code: errno) }
    }

    /// Writes `bytes` to `path` atomically (a 0600 temporary file beside it, fsync'd, renamed over it).
    public static func write<Bytes: Collection>(_ bytes: Bytes, toPath path: String) throws where Bytes.Element == UInt8 {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).\(getpid()).tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        guard fd >= 0 else { throw OwnerOnlyFileError(path: temporary, operation: "create", code: errno) }
        var failure: OwnerOnlyFileError? = nil
        if fchmod(fd, fileMode) != 0 { failure = OwnerOnlyFileError(path: temporary, operation: "chmod", code: errno) }
        let contents = Array(bytes)
        if failure == nil {
            let code = contents.withUnsafeBytes { writeAll(fd, $0) }
            if code != 0 { failure = OwnerOnlyFileError(path: temporary, operation: "write", code: code) }
        }
        if failure == nil, fsync(fd) != 0 { failure = OwnerOnlyFileError(path: temporary, operation: "fsync", code: errno) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = OwnerOnlyFileError(path: path, operation: "rename", code: errno) }
        if let failure {
            unlink(temporary)
            throw failure
        }
    }

    /// Why `path` must not be trusted: it is a group- or world-writable file or directory (nil when it is not,
    /// or does not exist). The gateway refuses to start on such keys, clients file or audit directory.
    public static func writableByOthers(_ path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let mode = status.st_mode & 0o777
        guard mode & 0o022 != 0 else { return nil }
        let who = mode & 0o002 != 0 ? "world" : "group"
        return "\(path) is \(who)-writable (mode \(String(mode, radix: 8))); chmod go-w \(path)"
    }
}

/// A file system call that failed while creating an owner-only file or directory.
public struct OwnerOnlyFileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var operation: String
    public var code: Int32

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}

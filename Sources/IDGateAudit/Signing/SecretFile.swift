import Foundation
import IDGateCore
import IDGateWire
#if canImport(Glibc)
import Glibc
#endif

/// Key files (signing key, audit key): created readable by the owner only, never replacing an existing file.
enum SecretFile {
    /// Creates `url` with mode 0600 and `contents`; fails if the file exists.
    static func create(at url: URL, contents: [UInt8]) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SigningKeyError.invalid("cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == contents.count, fsync(fd) == 0 else {
            throw SigningKeyError.invalid("cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}

import IDGateAudit
import IDGateCore
import IDGateWire
#if canImport(Glibc)
import Glibc
#endif

/// Resident memory and open file descriptors of this process, read from /proc at scrape time.
///
/// Soak runs (idgate-load --soak) read these from /metrics to flag memory or descriptor growth over hours.
enum ProcessMetrics {
    /// `process_resident_memory_bytes`: RSS from /proc/self/statm (second field, in pages).
    static func residentMemoryBytes() -> Int {
        guard let text = readSmallFile("/proc/self/statm") else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// `process_open_fds`: entries in /proc/self/fd (minus the one opendir itself holds).
    static func openFileDescriptors() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in raw.first ?? 0 }
            if name != UInt8(ascii: ".") { count += 1 }
        }
        return max(0, count - 1)
    }

    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}

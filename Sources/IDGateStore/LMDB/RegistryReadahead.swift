#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the kernel reads ahead around a page the registry faults in (LMDB's `MDB_NORDAHEAD` when off).
///
/// A lookup touches one leaf page at a random place; with readahead on, a miss reads 128 KiB around it, which helps a
/// registry that fits in memory warm up after a restart but, for one larger than memory, reads 31 useless pages per
/// miss and pushes useful ones out of the page cache. Measured on 100 million residents (27.7 GiB, 23 GiB of memory):
/// cold lookups 0.038–0.068 ms each without readahead against 0.10–0.13 ms with it, p99 0.08 against 3.1 ms
/// (docs/DATA.md, "National scale").
public enum RegistryReadahead: String, Sendable, Codable, CaseIterable {
    /// Off when the generation's data file is larger than half of physical memory, else on.
    case auto
    case on
    case off

    /// Whether to read ahead for a data file of `dataFileBytes` on a machine with `memoryBytes` of memory.
    public func isEnabled(dataFileBytes: Int, memoryBytes: Int = Self.physicalMemoryBytes) -> Bool {
        switch self {
        case .on: true
        case .off: false
        case .auto: memoryBytes <= 0 || dataFileBytes <= memoryBytes / 2
        }
    }

    /// This machine's physical memory (0 if unknown).
    public static var physicalMemoryBytes: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages * size : 0
    }
}

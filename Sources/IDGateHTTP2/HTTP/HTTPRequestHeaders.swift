import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The regular (non-pseudo) header fields of a request, kept as the bytes nghttp2 decoded: one buffer plus an
/// index, so building them costs no allocation per field and looking one up compares bytes.
/// HTTP/2 names are lowercase, so look fields up by lowercase name.
public struct HTTPRequestHeaders: Sendable, Sequence {
    struct FieldRange: Sendable {
        var nameStart: UInt32
        var nameLength: UInt32
        var valueStart: UInt32
        var valueLength: UInt32
    }

    /// Field names and values (and the request's pseudo-header values), back to back.
    let storage: ByteBuffer
    let ranges: [FieldRange]

    init(storage: ByteBuffer, ranges: [FieldRange]) {
        self.storage = storage
        self.ranges = ranges
    }

    public var count: Int { ranges.count }

    /// The first value of `name` (lowercase), as a view of the request's bytes: no allocation.
    public func valueBytes(_ name: String) -> ByteBufferView? {
        guard let range = firstRange(named: name) else { return nil }
        return storage.viewBytes(at: Int(range.valueStart), length: Int(range.valueLength))
    }

    /// How many fields are named `name` (lowercase): a credential header given twice is ambiguous and refused.
    public func count(of name: String) -> Int {
        guard !ranges.isEmpty, !name.isEmpty else { return 0 }
        var name = name
        return name.withUTF8 { wanted in
            storage.withUnsafeReadableBytes { bytes in
                guard let base = bytes.baseAddress else { return 0 }
                let readerIndex = storage.readerIndex
                return ranges.reduce(0) { count, range in
                    Int(range.nameLength) == wanted.count
                        && memcmp(base + Int(range.nameStart) - readerIndex, wanted.baseAddress!, wanted.count) == 0
                        ? count + 1 : count
                }
            }
        }
    }

    /// The first value of `name` (lowercase) as a String (allocates the result only).
    public subscript(_ name: String) -> String? {
        guard let range = firstRange(named: name) else { return nil }
        return storage.getString(at: Int(range.valueStart), length: Int(range.valueLength))
    }

    /// Whether `name` has a value equal to `value` (ASCII case-insensitive), compared in place.
    public func contains(_ name: String, value: String) -> Bool {
        guard let bytes = valueBytes(name) else { return false }
        return bytes.count == value.utf8.count
            && zip(bytes, value.utf8).allSatisfy { asciiLowercase($0) == asciiLowercase($1) }
    }

    public func makeIterator() -> AnyIterator<(name: String, value: String)> {
        var index = 0
        return AnyIterator {
            guard index < ranges.count else { return nil }
            defer { index += 1 }
            return self.field(at: index)
        }
    }

    func field(at index: Int) -> (name: String, value: String) {
        let range = ranges[index]
        return (
            storage.getString(at: Int(range.nameStart), length: Int(range.nameLength)) ?? "",
            storage.getString(at: Int(range.valueStart), length: Int(range.valueLength)) ?? ""
        )
    }

    private func firstRange(named name: String) -> FieldRange? {
        guard !ranges.isEmpty, !name.isEmpty else { return nil }
        var name = name
        return name.withUTF8 { wanted in
            storage.withUnsafeReadableBytes { bytes in
                ranges.withUnsafeBufferPointer { ranges in
                    Self.firstRange(
                        named: UnsafeRawBufferPointer(wanted), in: ranges, bytes: bytes, readerIndex: storage.readerIndex)
                }
            }
        }
    }

    /// The first of `ranges` whose name is `wanted`; `bytes` are the storage's readable bytes (from `readerIndex`).
    @inline(__always)
    static func firstRange(
        named wanted: UnsafeRawBufferPointer, in ranges: UnsafeBufferPointer<FieldRange>, bytes: UnsafeRawBufferPointer,
        readerIndex: Int
    ) -> FieldRange? {
        guard let base = bytes.baseAddress, !wanted.isEmpty else { return nil }
        for range in ranges where Int(range.nameLength) == wanted.count {
            if memcmp(base + Int(range.nameStart) - readerIndex, wanted.baseAddress!, wanted.count) == 0 { return range }
        }
        return nil
    }
}

@inline(__always)
func asciiLowercase(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
}

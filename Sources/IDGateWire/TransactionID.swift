import IDGateCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 128-bit transaction identifier, unique and sortable by time: 48-bit Unix milliseconds, 32 bits chosen at random
/// per generator, a 48-bit per-generator counter. Written as 26 Crockford base32 characters (like a ULID), so the
/// text sorts like the number.
public struct TransactionID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public var millisecondsSinceEpoch: UInt64 { high >> 16 }

    @usableFromInline
    static let alphabet: StaticString = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

    /// Writes the 26 characters (5 bits each, most significant first; the first carries the top 3 bits).
    @inlinable
    public func write<S: ByteSink>(into sink: inout S) {
        sink.write(maximumCount: 26) { memory in
            store(at: memory)
            return 26
        }
    }

    /// The 26 characters into an encoder's raw memory.
    func write(to out: inout RawJSONWriter) {
        store(at: out.base + out.count)
        out.skip(26)
    }

    /// Stores the 26 characters at `target`. 130 bits, 5 per character: characters 14-25 from the low 60 bits of
    /// `low`, 13 straddles the words, 0-12 from `high >> 1`.
    public func store(at target: UnsafeMutableRawPointer) {
        let alphabet = TransactionID.alphabet.utf8Start
        var bottom = low
        for index in stride(from: 25, through: 14, by: -1) {
            target.storeBytes(of: alphabet[Int(bottom & 0x1F)], toByteOffset: index, as: UInt8.self)
            bottom >>= 5
        }
        target.storeBytes(of: alphabet[Int((high & 1) << 4 | low >> 60)], toByteOffset: 13, as: UInt8.self)
        var top = high >> 1
        for index in stride(from: 12, through: 0, by: -1) {
            target.storeBytes(of: alphabet[Int(top & 0x1F)], toByteOffset: index, as: UInt8.self)
            top >>= 5
        }
    }

    public var description: String {
        var bytes: [UInt8] = []
        write(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func < (lhs: TransactionID, rhs: TransactionID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// Makes `TransactionID`s without locks: each event loop or thread owns one generator (a value type), and the
/// generator's random 32-bit instance tag keeps generators apart. IDs from one generator strictly increase, even if
/// the clock steps back.
public struct TransactionIDGenerator: Sendable {
    private let instance: UInt64
    private var lastMilliseconds: UInt64 = 0
    private var counter: UInt64

    public init() {
        var random = SystemRandomNumberGenerator()
        instance = UInt64(random.next() as UInt32)
        counter = random.next() & 0x7FFF_FFFF_FFFF  // leaves 2^47 IDs before the 48-bit counter could wrap
    }

    public mutating func next() -> TransactionID {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return next(millisecondsSinceEpoch: UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec) / 1_000_000)
    }

    public mutating func next(millisecondsSinceEpoch now: UInt64) -> TransactionID {
        lastMilliseconds = max(lastMilliseconds, now & 0xFFFF_FFFF_FFFF)
        counter = (counter &+ 1) & 0xFFFF_FFFF_FFFF
        return TransactionID(high: lastMilliseconds << 16 | instance >> 16, low: (instance & 0xFFFF) << 48 | counter)
    }
}

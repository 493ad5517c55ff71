/// Response header fields. Names are sent lowercased (HTTP/2). `content-length` is added by the server.
///
/// Keep frequently used sets in `static let`s (like `.json`): a shared value costs no allocation per response.
public struct HTTPResponseHeaders: Sendable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var fields: [(name: String, value: String)]
    /// Bit n set: field n is sent as a never-indexed literal (HPACK), see `add(name:value:neverIndexed:)`.
    public private(set) var neverIndexedFields: UInt64 = 0

    /// A field sent after `fields` whose value is shared by many responses and not copied (at most one).
    public private(set) var sharedField: (name: String, value: SharedHeaderValue)?

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// `neverIndexed`: for values that are unique per response (signatures) or secret. Indexing such a value would
    /// only push the reusable entries (`content-type`, …) out of both sides' HPACK dynamic tables.
    public mutating func add(name: String, value: String, neverIndexed: Bool = false) {
        if neverIndexed, fields.count < 64 { neverIndexedFields |= 1 << UInt64(fields.count) }
        fields.append((name: name, value: value))
    }

    /// Sets the shared field (see `SharedHeaderValue`). HPACK may index it.
    public mutating func add(name: String, sharedValue: SharedHeaderValue) {
        sharedField = (name: name, value: sharedValue)
    }

    /// Room for `count` fields in one allocation (before adding to a shared set like `.json`).
    public mutating func reserveCapacity(_ count: Int) { fields.reserveCapacity(count) }

    public func isNeverIndexed(_ index: Int) -> Bool { index < 64 && neverIndexedFields & (1 << UInt64(index)) != 0 }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// The number of fields, the shared field included.
    public var count: Int { fields.count + (sharedField == nil ? 0 : 1) }

    public static let json: HTTPResponseHeaders = ["content-type": "application/json"]
    public static let ndjson: HTTPResponseHeaders = ["content-type": "application/x-ndjson"]
    public static let text: HTTPResponseHeaders = ["content-type": "text/plain; charset=utf-8"]
}

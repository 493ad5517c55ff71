/// Response header fields. Names are sent lowercased (HTTP/2). `content-length` is added by the server.
///
/// Keep frequently used sets in `static let`s (like `.json`): a shared value costs no allocation per response.
public struct HTTPResponseHeaders: Sendable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    public mutating func add(name: String, value: String) {
        fields.append((name: name, value: value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public var count: Int { fields.count }

    public static let json: HTTPResponseHeaders = ["content-type": "application/json"]
    public static let ndjson: HTTPResponseHeaders = ["content-type": "application/x-ndjson"]
    public static let text: HTTPResponseHeaders = ["content-type": "text/plain; charset=utf-8"]
}

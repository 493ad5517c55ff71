import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Handles a complete request on the connection's event loop. Respond through the writer, now (no thread hop)
/// or later from any thread. Never block: hand slow work to another thread and respond from there.
public typealias HTTPHandler = @Sendable (HTTPRequest, ResponseWriter) -> Void

/// Starts a streaming-body request: called on the event loop once the headers arrived (`request.body` is empty);
/// returns the object that receives the body chunks.
public typealias StreamingRequestHandler = @Sendable (HTTPRequest, ResponseWriter) -> any StreamingBodyHandler

/// Exact-path routing: method + path → handler. Built before the server starts, then read-only.
///
/// Lookup compares the request's `:path` bytes (up to `?`) with each route's path bytes: no allocation, and a
/// gateway has a handful of routes. A known path with another method gets 405 `method_not_allowed`, an unknown
/// path 404 `not_found`, a body of the wrong content type 415 `unsupported_media_type` (API.md error format).
public struct Router: Sendable {
    enum Action: Sendable {
        case complete(HTTPHandler)
        case streaming(StreamingRequestHandler)
    }

    /// A class: the connection reads a route for every request, and copying a struct of strings, arrays and a
    /// closure cost five reference-count operations each time.
    final class Route: Sendable {
        let method: HTTPMethod
        let path: String
        let pathBytes: [UInt8]
        /// Required `content-type` (media type before any `;`, ASCII case-insensitive), lowercase bytes.
        let contentType: [UInt8]?
        let action: Action

        init(method: HTTPMethod, path: String, pathBytes: [UInt8], contentType: [UInt8]?, action: Action) {
            self.method = method
            self.path = path
            self.pathBytes = pathBytes
            self.contentType = contentType
            self.action = action
        }
    }

    private(set) var routes: [Route] = []

    /// The body of the errors the server answers itself (404, 405, 413, 415, 431): API.md's error object by
    /// default; the gateway replaces it to add a `transactionId`. Called on the event loop.
    public var rejectionBody: @Sendable (_ code: String, _ message: String) -> ByteBuffer = {
        HTTPErrorBody.make(code: $0, message: $1)
    }

    public init() {}

    /// Routes `method path` to a handler that gets the whole body (up to `maxRequestBodyBytes`).
    /// - Parameter contentType: when set, requests with another `content-type` get 415.
    public mutating func on(
        _ method: HTTPMethod, _ path: String, contentType: String? = nil, _ handler: @escaping HTTPHandler
    ) {
        add(method, path, contentType, .complete(handler))
    }

    /// Routes `method path` to a handler that receives the body in chunks as they arrive, with flow control
    /// tied to what it consumes (see `StreamingBodyHandler`). No body size limit applies.
    public mutating func onStreaming(
        _ method: HTTPMethod, _ path: String, contentType: String? = nil, _ handler: @escaping StreamingRequestHandler
    ) {
        add(method, path, contentType, .streaming(handler))
    }

    private mutating func add(_ method: HTTPMethod, _ path: String, _ contentType: String?, _ action: Action) {
        precondition(path.hasPrefix("/") && !path.contains("?"), "route paths are absolute and carry no query")
        precondition(!routes.contains { $0.method == method && $0.path == path }, "duplicate route \(method) \(path)")
        routes.append(Route(
            method: method, path: path, pathBytes: Array(path.utf8),
            contentType: contentType.map { Array($0.lowercased().utf8) }, action: action
        ))
    }

    enum Match {
        case route(Int)
        /// The path exists (route `index` has it) with other methods.
        case methodNotAllowed(Int)
        case notFound
    }

    /// Finds the route for `method` and the path bytes (query already cut off).
    func match(_ method: HTTPMethod, path: UnsafeRawBufferPointer) -> Match {
        var routeWithPath: Int?
        for index in routes.indices where routes[index].pathBytes.count == path.count {
            guard routes[index].pathBytes.withUnsafeBytes({ memcmp($0.baseAddress!, path.baseAddress!, path.count) == 0 })
            else { continue }
            if routes[index].method == method { return .route(index) }
            routeWithPath = index
        }
        return routeWithPath.map { .methodNotAllowed($0) } ?? .notFound
    }

    subscript(index: Int) -> Route { routes[index] }
}

extension Router.Route {
    /// Whether a request's `content-type` value is acceptable for this route.
    func accepts(contentType value: UnsafeRawBufferPointer?) -> Bool {
        guard let wanted = contentType else { return true }
        guard let value else { return false }
        var end = value.firstIndex(of: UInt8(ascii: ";")) ?? value.count
        while end > 0, value[end - 1] == UInt8(ascii: " ") { end -= 1 }
        guard end == wanted.count else { return false }
        for index in 0..<end where asciiLowercase(value[index]) != wanted[index] { return false }
        return true
    }
}

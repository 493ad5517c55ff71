import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Handles a complete request on the connection's event loop, with that loop's `Context` (the server made it for
/// this loop: see `HTTP2Server.init(configuration:router:logger:loopContext:onRequestCompleted:)`). Respond through
/// the writer, now (no thread hop) or later from any thread. Never block: hand slow work to another thread.
public typealias HTTPHandler<Context> = @Sendable (HTTPRequest, ResponseWriter, Context) -> Void

/// Starts a streaming-body request: called on the event loop once the headers arrived (`request.body` is empty);
/// returns the object that receives the body chunks.
public typealias StreamingRequestHandler<Context> = @Sendable (HTTPRequest, ResponseWriter, Context) -> any StreamingBodyHandler

/// For servers whose handlers need no per-loop state (tests, benchmarks).
public final class NoLoopContext: Sendable {
    public init() {}
}

/// Exact-path routing: method + path → handler. Built before the server starts, then read-only. Generic over the
/// per-loop `Context` the server hands each handler (hummingbird's request context, made once per event loop):
/// handlers find their loop's state in an argument instead of a thread-local lookup.
///
/// Lookup compares the request's `:path` bytes (up to `?`) with each route's path bytes: no allocation, and a
/// gateway has a handful of routes. A known path with another method gets 405 `method_not_allowed`, an unknown
/// path 404 `not_found`, a body of the wrong content type 415 `unsupported_media_type` (API.md error format).
public struct Router<Context: AnyObject & Sendable>: Sendable {
    /// The routes as the connections hold them: handlers take the context type-erased (one `unsafeDowncast` to
    /// `Context` per request), so connections and the server need no generic parameter.
    var table: RouteTable {
        RouteTable(routes: routeList, rejectionBody: erasedRejectionBody, routeRejectionBody: erasedRouteRejectionBody)
    }

    private var routeList: [RouteTable.Route] = []

    /// The body of the errors the server answers itself (404, 405, 413, 415, 431): docs/API.md's error object by
    /// default; the gateway replaces it to add a `transactionId`. Called on the event loop with its context.
    public var rejectionBody: @Sendable (_ code: String, _ message: String, _ context: Context) -> ByteBuffer = {
        code, message, _ in HTTPErrorBody.make(code: code, message: message)
    }

    /// The body of the errors the server answers itself for a request to a route it matched (413 `body_too_large`,
    /// 415 `unsupported_media_type`), when set; else `rejectionBody`. Gets the request (headers, peer), so the
    /// gateway can audit these refusals like its own.
    public var routeRejectionBody: (@Sendable (_ rejection: RouteRejection, _ context: Context) -> ByteBuffer)?

    private var erasedRouteRejectionBody: (@Sendable (RouteRejection, AnyObject) -> ByteBuffer)? {
        guard let body = routeRejectionBody else { return nil }
        return { rejection, context in body(rejection, unsafeDowncast(context, to: Context.self)) }
    }

    private var erasedRejectionBody: @Sendable (String, String, AnyObject) -> ByteBuffer {
        let body = rejectionBody
        return { code, message, context in body(code, message, unsafeDowncast(context, to: Context.self)) }
    }

    public init() {}

    /// Routes `method path` to a handler that gets the whole body (up to `maxRequestBodyBytes`).
    /// - Parameter contentType: when set, requests with another `content-type` get 415.
    public mutating func on(
        _ method: HTTPMethod, _ path: String, contentType: String? = nil, _ handler: @escaping HTTPHandler<Context>
    ) {
        add(method, path, contentType, .complete { request, writer, context in
            handler(request, writer, unsafeDowncast(context, to: Context.self))
        })
    }

    /// Routes `method path` to a handler that receives the body in chunks as they arrive, with flow control
    /// tied to what it consumes (see `StreamingBodyHandler`). No body size limit applies.
    public mutating func onStreaming(
        _ method: HTTPMethod, _ path: String, contentType: String? = nil,
        _ handler: @escaping StreamingRequestHandler<Context>
    ) {
        add(method, path, contentType, .streaming { request, writer, context in
            handler(request, writer, unsafeDowncast(context, to: Context.self))
        })
    }

    private mutating func add(_ method: HTTPMethod, _ path: String, _ contentType: String?, _ action: RouteTable.Action) {
        precondition(path.hasPrefix("/") && !path.contains("?"), "route paths are absolute and carry no query")
        precondition(!routeList.contains { $0.method == method && $0.path == path }, "duplicate route \(method) \(path)")
        routeList.append(RouteTable.Route(
            method: method, path: path, pathBytes: Array(path.utf8),
            contentType: contentType.map { Array($0.lowercased().utf8) }, action: action
        ))
    }
}

extension Router where Context == NoLoopContext {
    /// `on` for handlers that need no per-loop state.
    public mutating func on(
        _ method: HTTPMethod, _ path: String, contentType: String? = nil,
        _ handler: @escaping @Sendable (HTTPRequest, ResponseWriter) -> Void
    ) {
        on(method, path, contentType: contentType) { request, writer, _ in handler(request, writer) }
    }

    /// `onStreaming` for handlers that need no per-loop state.
    public mutating func onStreaming(
        _ method: HTTPMethod, _ path: String, contentType: String? = nil,
        _ handler: @escaping @Sendable (HTTPRequest, ResponseWriter) -> any StreamingBodyHandler
    ) {
        onStreaming(method, path, contentType: contentType) { request, writer, _ in handler(request, writer) }
    }
}

/// A router's routes with their handlers type-erased: what the server and its connections read per request.
struct RouteTable: Sendable {
    enum Action: Sendable {
        case complete(@Sendable (HTTPRequest, ResponseWriter, AnyObject) -> Void)
        case streaming(@Sendable (HTTPRequest, ResponseWriter, AnyObject) -> any StreamingBodyHandler)
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

    let routes: [Route]
    let rejectionBody: @Sendable (String, String, AnyObject) -> ByteBuffer
    let routeRejectionBody: (@Sendable (RouteRejection, AnyObject) -> ByteBuffer)?

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

extension RouteTable.Route {
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

/// A request the server refused itself although it matched a route (413, 415): what `Router.routeRejectionBody` gets.
public struct RouteRejection: Sendable {
    /// The matched route's path.
    public let path: String
    public let status: HTTPStatus
    /// The error code (`body_too_large`, `unsupported_media_type`) and message of the answer.
    public let code: String
    public let message: String
    /// The request as far as it arrived (its body is empty).
    public let request: HTTPRequest
}

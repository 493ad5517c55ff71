/// The request methods the router distinguishes; anything else is `.other` (routes never match it: 405 or 404).
public enum HTTPMethod: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, other

    /// Parses the `:method` pseudo-header bytes without allocating.
    init(bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 3 where bytes[0] == UInt8(ascii: "G") && bytes[1] == UInt8(ascii: "E") && bytes[2] == UInt8(ascii: "T"):
            self = .GET
        case 3 where bytes[0] == UInt8(ascii: "P") && bytes[1] == UInt8(ascii: "U") && bytes[2] == UInt8(ascii: "T"):
            self = .PUT
        case 4 where bytes[0] == UInt8(ascii: "P") && bytes[1] == UInt8(ascii: "O") && bytes[3] == UInt8(ascii: "T"):
            self = .POST
        case 4 where bytes[0] == UInt8(ascii: "H") && bytes[1] == UInt8(ascii: "E"):
            self = .HEAD
        default:
            self = HTTPMethod.allCases.first { $0.description.utf8.elementsEqual(bytes) } ?? .other
        }
    }

    public var description: String {
        switch self {
        case .GET: "GET"
        case .HEAD: "HEAD"
        case .POST: "POST"
        case .PUT: "PUT"
        case .DELETE: "DELETE"
        case .PATCH: "PATCH"
        case .OPTIONS: "OPTIONS"
        case .other: "OTHER"
        }
    }
}

/// A command-line or input-file problem, reported to the user before any load is sent.
public enum LoadOptionError: Error, CustomStringConvertible, Equatable {
    case invalid(String, String)
    case missing(String)

    public var description: String {
        switch self {
        case .invalid(let what, let value): "invalid \(what): \(value)"
        case .missing(let what): "missing \(what)"
        }
    }
}

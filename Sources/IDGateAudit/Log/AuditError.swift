import IDGateCore
import IDGateWire

/// Why the audit log could not take a record; the gateway answers 503 rather than answer without a trace.
public enum AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A write, fsync or segment creation failed (full or read-only disk, I/O error).
    case storage(String)
    /// Free space on the audit volume is below the configured reserve.
    case diskFull(String)
    /// Too many records are waiting for the writer.
    case queueFull
    /// The log is closed.
    case closed
    case invalidKey(String)
    case invalidDirectory(String)

    public var description: String {
        switch self {
        case .storage(let reason): "audit storage failure: \(reason)"
        case .diskFull(let reason): "audit disk full: \(reason)"
        case .queueFull: "audit queue full"
        case .closed: "audit log closed"
        case .invalidKey(let reason): "invalid audit key: \(reason)"
        case .invalidDirectory(let reason): "invalid audit directory: \(reason)"
        }
    }
}

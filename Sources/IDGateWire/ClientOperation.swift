import IDGateCore

/// An operation a client may be allowed to call (`operations` in `clients.json`).
///
/// `chipVerify` covers both `/v1/chip/challenge` and `/v1/chip/verify`: a challenge is useless without a verify.
public enum ClientOperation: String, Sendable, Codable, CaseIterable {
    case match
    case batch
    case chipVerify
    /// `/v1/documents/verify` (the document types a client may check are listed separately: `documentTypes`).
    case documentVerify
    /// `/v1/organizations/match`.
    case organizationMatch
    /// Reading a subject's access history (`POST /v1/subjects/access-history`, citizen portals only).
    case accessHistory

    /// Stable one-byte code used in audit records.
    public var code: UInt8 {
        switch self {
        case .match: 1
        case .batch: 2
        case .chipVerify: 3
        case .documentVerify: 4
        case .organizationMatch: 5
        case .accessHistory: 7
        }
    }

    public init?(code: UInt8) {
        guard let found = ClientOperation.allCases.first(where: { $0.code == code }) else { return nil }
        self = found
    }
}

/// A set of operations as a bitmap, so authorization is one AND on the hot path.
public struct ClientOperationSet: OptionSet, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ operation: ClientOperation) { self.rawValue = 1 << operation.code }
    public init<S: Sequence>(_ operations: S) where S.Element == ClientOperation {
        self.rawValue = 0
        for operation in operations { insert(ClientOperationSet(operation)) }
    }

    public func contains(_ operation: ClientOperation) -> Bool { rawValue & (1 << operation.code) != 0 }
    public var operations: [ClientOperation] { ClientOperation.allCases.filter { contains($0) } }
}

import Foundation
import IDGateAudit
import IDGateCore
import IDGateStore
import IDGateWire

/// The whole `clients.json` document: load, validate and save atomically (write to a temporary file, rename).
public struct ClientRegistryFile: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var version: Int
    public var clients: [ClientConfiguration]

    public init(clients: [ClientConfiguration] = []) {
        self.version = Self.currentVersion
        self.clients = clients
    }

    public static func load(from url: URL) throws -> ClientRegistryFile {
        try decode(Data(contentsOf: url))
    }

    /// The document in `data` (what `load` reads; the clients-file fuzz target feeds it hostile bytes).
    public static func decode(_ data: Data) throws -> ClientRegistryFile {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let file = try decoder.decode(ClientRegistryFile.self, from: data)
        guard file.version == currentVersion else {
            throw ClientRegistryError.invalid("unsupported clients.json version \(file.version)")
        }
        return file
    }

    public func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        do {
            try OwnerOnlyFiles.write(data, toPath: url.path)
        } catch {
            throw ClientRegistryError.invalid("cannot replace \(url.path): \(error)")
        }
    }

    /// The index of the client with this id.
    public func index(of id: String) -> Int? { clients.firstIndex { $0.id == id } }
}

/// Why a client registry file was refused (the previous snapshot stays in force).
public enum ClientRegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid client registry: \(reason)"
        }
    }
}

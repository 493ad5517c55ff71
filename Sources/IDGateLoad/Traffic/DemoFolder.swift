import Foundation
import IDGateDemo

/// A demo folder made by `idgate demo init`: the registry sample, client credentials, test cards and TLS CA that
/// turn into realistic traffic. Its file names come from `DemoLayout`, the same description the writer uses.
public struct DemoFolder: Sendable {
    public let path: String
    let layout: DemoLayout

    public init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadOptionError.invalid("demo folder", path)
        }
        self.path = path
        layout = DemoLayout(path: path)
    }

    /// Up to `limit` records of `sample.ndjson`; a line that does not decode is an error naming the line.
    public func sampleRecords(limit: Int) throws -> [SampleRecord] {
        let text = try String(contentsOfFile: layout.sample.path, encoding: .utf8)
        var records: [SampleRecord] = []
        let decoder = JSONDecoder()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            guard records.count < limit else { break }
            do {
                records.append(try decoder.decode(SampleRecord.self, from: Data(line.utf8)))
            } catch {
                throw LoadOptionError.invalid("\(DemoLayout.Relative.sample) line \(number + 1)", String(line.prefix(80)))
            }
        }
        guard !records.isEmpty else { throw LoadOptionError.missing("records in \(layout.sample.path)") }
        return records
    }

    public func credentials() throws -> [DemoCredential] {
        struct File: Decodable { var clients: [DemoCredential] }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: layout.credentials)).clients
    }

    /// The purposes `clients.json` lists for a client, when the file has them (`purposes` array on the client).
    public func purposes(forClient id: String) -> [String] {
        guard let data = try? Data(contentsOf: layout.clients),
            let json = try? JSONSerialization.jsonObject(with: data)
        else { return [] }
        let clients = (json as? [String: Any])?["clients"] as? [[String: Any]] ?? (json as? [[String: Any]]) ?? []
        return clients.first { ($0["id"] as? String) == id }?["purposes"] as? [String] ?? []
    }

    /// The test cards listed in `cards/index.json`.
    public func chipCards() throws -> [ChipCard] {
        struct Index: Decodable {
            struct Entry: Decodable { var id: String; var kind: String; var dir: String }
            var cards: [Entry]
        }
        let indexPath = layout.cardIndex.path
        guard FileManager.default.fileExists(atPath: indexPath) else { return [] }
        let index = try JSONDecoder().decode(Index.self, from: Data(contentsOf: URL(fileURLWithPath: indexPath)))
        return try index.cards.map { try ChipCard(id: $0.id, kind: $0.kind, directory: layout.resolve($0.dir).path) }
    }

    public var caFile: String? {
        let ca = layout.tlsCA.path
        return FileManager.default.fileExists(atPath: ca) ? ca : nil
    }
}

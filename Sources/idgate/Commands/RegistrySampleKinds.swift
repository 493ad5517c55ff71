import IDGateStore

/// The record kinds `idgate registry sample --kind` prints besides residents (the default), each as NDJSON lines
/// in the request field names of its endpoint. Adding a kind is one entry.
enum RegistrySampleKinds {
    static let all: [String: @Sendable (RegistryStore, Int) -> [UInt8]] = [
        "documents": { store, count in ndjson(store.sampleDocuments(count: count), DocumentCodec.appendNDJSON) },
        "organizations": { store, count in ndjson(store.sampleOrganizations(count: count), OrganizationCodec.appendNDJSON) },
        "foreigners": { store, count in ndjson(store.sampleForeigners(count: count), ForeignerCodec.appendNDJSON) },
    ]

    static var names: String { (["residents"] + all.keys.sorted()).joined(separator: ", ") }

    private static func ndjson<R>(_ records: [R], _ append: (R, inout [UInt8]) -> Void) -> [UInt8] {
        var out: [UInt8] = []
        for record in records { append(record, &out) }
        return out
    }
}

import Foundation

extension DemoLayout {
    /// Stored documents (NDJSON, `/v1/documents/verify` field names) for building test traffic.
    public var documentsSample: URL { root.appendingPathComponent("sample-documents.ndjson") }
    /// Stored organizations (NDJSON, `/v1/organizations/match` field names) for building test traffic.
    public var organizationsSample: URL { root.appendingPathComponent("sample-organizations.ndjson") }
}

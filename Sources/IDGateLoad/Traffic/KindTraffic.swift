import Foundation
import IDGateDemo
import IDGateHTTP2
import NIOCore

/// Request bodies for the document and organization operations of `--mix`, built from the demo folder's samples
/// (`sample-documents.ndjson`, `sample-organizations.ndjson`): each stored record as a request that matches it.
public struct KindTrafficBodies: Sendable {
    public var documents: [[UInt8]] = []
    public var organizations: [[UInt8]] = []

    public init() {}

    func canServe(_ operation: LoadOperation) -> Bool {
        switch operation {
        case .document: !documents.isEmpty
        case .organization: !organizations.isEmpty
        default: true
        }
    }

    /// A `/v1/documents/verify` body from a stored document row: the key, the holder, the name and dates.
    static func documentRequest(_ row: [String: Any], purpose: String?) -> [UInt8]? {
        var body: [String: String] = [:]
        for key in ["documentType", "documentNumber", "holderIdNumber", "fullName", "issueDate"] {
            guard let value = row[key] as? String else { return nil }
            body[key] = value
        }
        for key in ["expiryDate", "licenceClasses", "vehiclePlate"] { body[key] = row[key] as? String }
        if let purpose { body["purpose"] = purpose }
        return try? Array(JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
    }

    /// A `/v1/organizations/match` body from a stored organization row: code, legal name, address, representative.
    static func organizationRequest(_ row: [String: Any], purpose: String?) -> [UInt8]? {
        var body: [String: String] = [:]
        for key in ["organizationId", "name", "address"] {
            guard let value = row[key] as? String else { return nil }
            body[key] = value
        }
        body["legalRepresentativeIdNumber"] = row["legalRepresentativeIdNumber"] as? String
        if let purpose { body["purpose"] = purpose }
        return try? Array(JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
    }
}

extension DemoFolder {
    /// Bodies for the document and organization operations; empty lists when the folder has no such samples (a
    /// demo folder written before these kinds existed).
    public func kindTrafficBodies(limit: Int, purpose: String? = nil) throws -> KindTrafficBodies {
        func rows(_ url: URL) -> [[String: Any]] {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").prefix(limit).compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        var bodies = KindTrafficBodies()
        // Documents the demo clients may check and that are in force (the answers then carry real verdicts).
        bodies.documents = rows(layout.documentsSample).filter { ($0["status"] as? String) == "valid" }
            .compactMap { KindTrafficBodies.documentRequest($0, purpose: purpose) }
        bodies.organizations = rows(layout.organizationsSample).compactMap {
            KindTrafficBodies.organizationRequest($0, purpose: purpose)
        }
        return bodies
    }
}

/// The encoded document and organization requests of a run.
struct KindTemplates: Sendable {
    var documents: [H2ClientRequestTemplate] = []
    var organizations: [H2ClientRequestTemplate] = []

    init() {}

    init(_ bodies: KindTrafficBodies, target: LoadTarget, headers: [(name: String, value: String)]) {
        func template(_ path: String, _ body: [UInt8]) -> H2ClientRequestTemplate {
            H2ClientRequestTemplate(
                method: "POST", scheme: target.scheme, authority: target.authority, path: path, headers: headers,
                body: ByteBuffer(bytes: body))
        }
        documents = bodies.documents.map { template("/v1/documents/verify", $0) }
        organizations = bodies.organizations.map { template("/v1/organizations/match", $0) }
    }

    @inline(__always)
    func template(_ operation: LoadOperation, for sequence: UInt64) -> H2ClientRequestTemplate {
        let list = operation == .document ? documents : organizations
        return list[Int((sequence &* 2_654_435_761) % UInt64(list.count))]
    }
}

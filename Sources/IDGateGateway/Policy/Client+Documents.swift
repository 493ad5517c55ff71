import IDGateStore
import IDGateWire

extension Client {
    /// The validated `documentTypes` of a client's configuration.
    static func documentTypes(_ configuration: ClientConfiguration) throws -> Set<DocumentType> {
        var types = Set<DocumentType>()
        for name in configuration.documentTypes ?? [] {
            guard let type = DocumentType(wireName: name) else {
                throw ClientRegistryError.invalid(
                    "client \(configuration.id): unknown document type \(name) (one of \(DocumentType.wireNames))")
            }
            types.insert(type)
        }
        return types
    }

    /// Whether this client may check `type` (403 naming `documentType` otherwise), after the operation and purpose
    /// checks of `authorize`.
    public func authorize(documentType type: DocumentType, purpose: String?) -> PolicyError? {
        if let problem = authorize(operation: .documentVerify, attributes: [], purpose: purpose) { return problem }
        guard documentTypes.contains(type) else {
            return .forbidden("document type \(type.wireName) is not allowed for this client", field: "documentType")
        }
        return nil
    }
}

import IDGateAudit
import IDGateCore
import IDGateStore
import IDGateWire

extension Client {
    /// Whether this client may run `operation` on `attributes` for `purpose`; nil when allowed.
    ///
    /// Checks in order: operation (403), purpose well-formed (422 `invalid_field`), purpose present when the policy
    /// lists purposes (422 `missing_field`), each attribute (403 naming the first refused one), purpose allowed (403).
    public func authorize(operation: ClientOperation, attributes requested: AttributeSet, purpose: String?) -> PolicyError? {
        guard operations.contains(operation) else {
            return .forbidden("operation \(operation.rawValue) is not allowed for this client", field: operation.rawValue)
        }
        if let purpose, let problem = Purpose.validationError(purpose) {
            return .invalidField("purpose", problem)
        }
        if !purposes.isEmpty, purpose == nil {
            return .missingField("purpose", "this client must declare a purpose")
        }
        let refused = AttributeSet(rawValue: requested.rawValue & ~attributes.rawValue)
        if let first = refused.attributes.first {
            return .forbidden("attribute \(first.wireName) is not allowed for this client", field: first.wireName)
        }
        if !purposes.isEmpty, let purpose, !purposes.contains(purpose) {
            return .forbidden("purpose \(purpose) is not allowed for this client", field: "purpose")
        }
        return nil
    }
}

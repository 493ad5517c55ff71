import IDGateStore

extension ResidentRecord: ResidentFacts {
    public var storedCardStatus: StoredCardStatus? { card?.status }
    public var cardIssueDate: PartialDate? { card?.issueDate }
    public var cardExpiryDate: PartialDate? { card?.expiryDate }
    public var phoneNumberCount: Int { phoneNumbers.count }

    public func withFullName<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Self.withUTF8(fullName, body)
    }
    public func withPlaceOfOrigin<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Self.withUTF8(placeOfOrigin, body)
    }
    public func withPlaceOfResidence<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Self.withUTF8(placeOfResidence, body)
    }
    public func withPhoneNumber<R>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Self.withUTF8(phoneNumbers[index], body)
    }

    private static func withUTF8<R>(_ string: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var native = string  // native Swift strings are contiguous UTF-8: no copy
        return try native.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}

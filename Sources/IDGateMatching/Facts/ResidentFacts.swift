import IDGateStore

/// The stored side of a comparison: what the engine reads from one registry record.
///
/// The store's non-copying `ResidentView` and the owning `ResidentRecord` both conform, so the engine is written once
/// as generic code (`<F: ResidentFacts>`) and specializes for each. Text is handed out as raw UTF-8 inside a closure
/// so an owning type never has to hand out a pointer that outlives its storage.
public protocol ResidentFacts {
    var idNumber: IDNumber { get }
    var dateOfBirth: PartialDate { get }
    var sex: Sex { get }
    var recordStatus: RecordStatus { get }
    /// nil when no card has been issued.
    var storedCardStatus: StoredCardStatus? { get }
    var cardIssueDate: PartialDate? { get }
    var cardExpiryDate: PartialDate? { get }
    var phoneNumberCount: Int { get }

    func withFullName<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
    func withPlaceOfOrigin<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
    func withPlaceOfResidence<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
    func withPhoneNumber<R>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

/// A resident whose text fields are UTF-8 spans that stay valid while the value is alive (the store's view into a
/// read transaction). Conforming to it as well as `ResidentFacts` supplies the `with…` accessors, so the view's
/// conformance is an empty extension.
public protocol ResidentSpans {
    var fullName: UnsafeRawBufferPointer { get }
    var placeOfOrigin: UnsafeRawBufferPointer { get }
    var placeOfResidence: UnsafeRawBufferPointer { get }
    func phoneNumber(at index: Int) -> UnsafeRawBufferPointer
}

extension ResidentFacts where Self: ResidentSpans {
    @inlinable public func withFullName<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(fullName)
    }
    @inlinable public func withPlaceOfOrigin<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(placeOfOrigin)
    }
    @inlinable public func withPlaceOfResidence<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(placeOfResidence)
    }
    @inlinable public func withPhoneNumber<R>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows
        -> R
    {
        try body(phoneNumber(at: index))
    }
}

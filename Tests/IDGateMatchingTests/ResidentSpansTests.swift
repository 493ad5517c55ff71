import IDGateMatching
import IDGateStore
import Testing

/// A stand-in with the store view's shape: scalars plus UTF-8 spans into memory it does not own. Its conformance is
/// the empty extension below, as the store's `ResidentView` conformance will be.
struct SpanResident: ResidentSpans {
    var idNumber: IDNumber
    var dateOfBirth: PartialDate
    var sex: Sex
    var recordStatus: RecordStatus
    var storedCardStatus: StoredCardStatus?
    var cardIssueDate: PartialDate?
    var cardExpiryDate: PartialDate?
    var fullName: UnsafeRawBufferPointer
    var placeOfOrigin: UnsafeRawBufferPointer
    var placeOfResidence: UnsafeRawBufferPointer
    var phones: [UnsafeRawBufferPointer]
    var phoneNumberCount: Int { phones.count }
    func phoneNumber(at index: Int) -> UnsafeRawBufferPointer { phones[index] }
}

extension SpanResident: ResidentFacts {}

@Suite struct ResidentSpansTests {
    @Test func viewShapedResidentMatchesLikeTheOwningRecord() throws {
        let record = Fixtures.resident()
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 1)
        defer { arena.deallocate() }
        var used = 0
        func span(_ text: String) -> UnsafeRawBufferPointer {
            let bytes = Array(text.utf8)
            let target = UnsafeMutableRawBufferPointer(rebasing: arena[used..<(used + bytes.count)])
            target.copyBytes(from: bytes)
            used += bytes.count
            return UnsafeRawBufferPointer(target)
        }
        let view = SpanResident(
            idNumber: record.idNumber, dateOfBirth: record.dateOfBirth, sex: record.sex, recordStatus: .deceased,
            storedCardStatus: .lost, cardIssueDate: record.card?.issueDate, cardExpiryDate: nil,
            fullName: span(record.fullName), placeOfOrigin: span(record.placeOfOrigin),
            placeOfResidence: span(record.placeOfResidence), phones: record.phoneNumbers.map(span))
        let request = try MatchRequest([
            .idNumber: "001085012345", .fullName: "Nguyen Van An", .placeOfResidence: "Cầu Giấy, Hà Nội",
            .phoneNumber: "+84321234567", .cardIssueDate: "2021-04-20",
        ])
        let engine = MatchEngine()
        let fromView = engine.match(request, against: view, today: Fixtures.today)
        let fromRecord = engine.match(request, against: record, today: Fixtures.today)
        for attribute in request.attributes {
            #expect(fromView[attribute] == fromRecord[attribute], "\(attribute)")
        }
        #expect(fromView.decision == .partial)
        #expect(fromView.recordStatus == .deceased)
        #expect(fromView.cardStatus == .lost)
    }
}

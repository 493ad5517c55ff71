import IDGateMatching
import IDGateStore
import Testing

@Suite struct PhoneNumberTests {
    func parse(_ text: String) -> (number: PhoneNumber, remapped: Bool)? {
        var text = text
        return text.withUTF8 { PhoneNumber.parse(UnsafeRawBufferPointer($0)) }
    }

    @Test func nationalAndInternationalFormsAreEqual() throws {
        let national = try #require(parse("0912345678"))
        #expect(national.number == PhoneNumber(significantNumber: 912_345_678, digitCount: 9))
        #expect(national.remapped == false)
        #expect(parse("+84912345678")?.number == national.number)
        #expect(parse("84912345678")?.number == national.number)
        #expect(parse("+84 91 234 5678")?.number == national.number)
        #expect(parse("091-234-5678")?.number == national.number)
        #expect(parse("(091) 234.5678")?.number == national.number)
        #expect(national.number.description == "0912345678")
    }

    @Test func landlinesKeepTenSignificantDigits() throws {
        let landline = try #require(parse("02438251234"))
        #expect(landline.number.digitCount == 10)
        #expect(landline.remapped == false)
        #expect(parse("+842438251234")?.number == landline.number)
    }

    static let remapping: [(old: String, new: String)] = [
        ("0162", "032"), ("0163", "033"), ("0164", "034"), ("0165", "035"), ("0166", "036"), ("0167", "037"),
        ("0168", "038"), ("0169", "039"), ("0120", "070"), ("0121", "079"), ("0122", "077"), ("0126", "076"),
        ("0128", "078"), ("0123", "083"), ("0124", "084"), ("0125", "085"), ("0127", "081"), ("0129", "082"),
        ("0186", "056"), ("0188", "058"), ("0199", "059"),
    ]

    @Test(arguments: PhoneNumberTests.remapping)
    func elevenDigitMobilePrefixesAreRemapped(old: String, new: String) throws {
        let oldForm = try #require(parse(old + "1234567"))
        #expect(oldForm.remapped)
        #expect(oldForm.number == parse(new + "1234567")?.number)
        #expect(oldForm.number.description == new + "1234567")
        #expect(parse("+84" + old.dropFirst() + "1234567")?.number == oldForm.number)
    }

    @Test func invalidNumbersAreRejected() {
        for text in ["", "12345", "912345678", "+1 212 555 0100", "09123456789012", "0912a45678", "+", "0012345678",
            "09123 4567+8", "+84"]
        {
            #expect(parse(text) == nil, "\(text)")
        }
    }

    @Test func matchesAnyPhoneOfTheRecord() throws {
        #expect(try Fixtures.field(.phoneNumber, "0912345678") == .exact)
        #expect(try Fixtures.field(.phoneNumber, "+84321234567") == .exact)
        #expect(try Fixtures.field(.phoneNumber, "0987654321") == .different)
        #expect(try Fixtures.field(.phoneNumber, "0987654321", against: Fixtures.resident(phoneNumbers: [])) == .different)
    }

    @Test func oldElevenDigitFormMatchesWithLegacyPrefixReason() throws {
        let expected = FieldResult(outcome: .match, score: 100, reasons: Fixtures.reasons(.legacyPrefix))
        #expect(try Fixtures.field(.phoneNumber, "01621234567") == expected)
        // The registry may still hold the old form.
        let stored = Fixtures.resident(phoneNumbers: ["01201234567"])
        #expect(try Fixtures.field(.phoneNumber, "0701234567", against: stored) == expected)
    }
}

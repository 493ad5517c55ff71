import Foundation
import IDGateMatching
import IDGateStore
import Testing

/// The folding table against Unicode's own decompositions: every precomposed Vietnamese letter must compare equal to
/// its NFD form, and differ from its bare base letter only by diacritics.
@Suite struct FoldingTests {
    static let vietnameseLetters: [Character] = Array(
        "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư"
            + "ẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ")

    @Test func tableCoversTheWholeExtendedAdditionalBlock() {
        #expect(FoldingTests.vietnameseLetters.count == 44 + 90)
    }

    @Test(arguments: FoldingTests.vietnameseLetters)
    func precomposedEqualsDecomposed(letter: Character) throws {
        let precomposed = "X\(letter)x"
        let decomposed = precomposed.decomposedStringWithCanonicalMapping
        if letter != "Đ" && letter != "đ" {  // the only Vietnamese letters without a canonical decomposition
            #expect(precomposed.unicodeScalars.count < decomposed.unicodeScalars.count)
        }
        #expect(try Fixtures.field(.fullName, decomposed, against: Fixtures.resident(fullName: precomposed)) == .exact)
    }

    @Test(arguments: FoldingTests.vietnameseLetters)
    func strippedLetterDiffersOnlyInDiacritics(letter: Character) throws {
        let decomposed = String(letter).decomposedStringWithCanonicalMapping
        var base = String(decomposed.unicodeScalars.first!).lowercased()
        if letter == "Đ" || letter == "đ" { base = "d" }
        let stored = "X\(letter)x"
        let result = try Fixtures.field(.fullName, "x\(base)x", against: Fixtures.resident(fullName: stored))
        #expect(result.outcome == .match)
        #expect(result.reasons.contains(.noDiacritics))
    }
}

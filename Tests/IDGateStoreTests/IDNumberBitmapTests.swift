import Testing

@testable import IDGateStore

@Suite struct IDNumberProvinceTests {
    @Test func bitmapAgreesWithTheProvinceList() {
        for code in -5..<1000 {
            #expect(IDNumber.isProvinceCode(code) == IDNumber.provinceCodes.contains(code), "code \(code)")
        }
    }
}

import Testing
@testable import IDGateMatching

@Suite struct IDGateMatchingSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}

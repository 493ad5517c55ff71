import Testing
@testable import IDGateChip

@Suite struct IDGateChipSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}

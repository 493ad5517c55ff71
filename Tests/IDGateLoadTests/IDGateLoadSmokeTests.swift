import Testing
@testable import IDGateLoad

@Suite struct IDGateLoadSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}

import Testing
@testable import IDGateStore

@Suite struct IDGateStoreSmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}

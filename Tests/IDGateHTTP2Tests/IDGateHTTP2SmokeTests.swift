import Testing
@testable import IDGateHTTP2

@Suite struct IDGateHTTP2SmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}

import Testing
@testable import IDGateGateway

@Suite struct IDGateGatewaySmokeTests {
    @Test func moduleLoads() {
        #expect(Bool(true))
    }
}

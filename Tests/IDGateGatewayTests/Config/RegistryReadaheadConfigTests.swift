import Foundation
import IDGateDemo
import IDGateStore
import Testing

@testable import IDGateGateway

@Suite struct RegistryReadaheadConfigTests {
    /// The demo's configuration with `registry.readahead` set to `value` (nil leaves it out), loaded.
    func load(readahead value: String?) async throws -> GatewayConfiguration {
        let demo = try await SharedDemo.shared.directory()
        let scratch = try ScratchDirectory("idgate-readahead")
        defer { scratch.remove() }
        let path = DemoLayout(root: demo).configuration.path
        var json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var registry = try #require(json["registry"] as? [String: Any])
        registry["readahead"] = value
        json["registry"] = registry
        let copy = scratch.appending("config.json")
        try JSONSerialization.data(withJSONObject: json).write(to: copy)
        return try GatewayConfiguration.load(path: copy.path, environment: [:])
    }

    @Test func readaheadIsAutoUnlessSet() async throws {
        #expect(try await load(readahead: nil).registry.readahead == .auto)
        #expect(try await load(readahead: "off").registry.readahead == .off)
        #expect(try await load(readahead: "on").registry.readahead == .on)
    }

    @Test func anUnknownReadaheadNamesTheSetting() async throws {
        let error = await #expect(throws: ConfigurationError.self) { try await load(readahead: "sometimes") }
        #expect(error?.description.contains("registry.readahead") == true, "\(String(describing: error))")
    }
}

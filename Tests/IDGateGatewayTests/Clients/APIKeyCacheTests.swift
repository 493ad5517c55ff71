import Foundation
import Testing

@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

/// The per-loop API-key cache must never outlive what the registry says: disabling, rotation with a grace period
/// and a replaced key file all apply to the very next request.
@Suite struct APIKeyCacheTests {
    private func authenticate(_ cache: APIKeyCache, _ key: String, _ registry: ClientRegistry, now: Date = Date())
        -> Result<Client, PolicyError>
    {
        Array(key.utf8).withUnsafeBytes { cache.authenticate(apiKey: $0, registry: registry, now: now) }
    }

    @Test func repeatedKeyHitsAndWrongKeysNeverDo() throws {
        let (registry, _, key) = try ClientRegistryTests.makeRegistry()
        let cache = APIKeyCache()
        #expect(try authenticate(cache, key, registry).get().id == "bank-a")
        #expect(try authenticate(cache, key, registry).get().id == "bank-a")
        var wrong = Array(key.utf8)
        wrong[wrong.count - 1] ^= 1
        #expect(authenticate(cache, String(decoding: wrong, as: UTF8.self), registry).failureValue?.status == 401)
        #expect(authenticate(cache, key + "x", registry).failureValue?.status == 401)
        #expect(authenticate(cache, String(key.dropLast()), registry).failureValue?.status == 401)
    }

    @Test func disablingTheClientAppliesToTheNextRequest() throws {
        let (registry, initialFile, key) = try ClientRegistryTests.makeRegistry()
        var file = initialFile
        let cache = APIKeyCache()
        #expect(try authenticate(cache, key, registry).get().id == "bank-a")
        try file.setEnabled(false, clientID: "bank-a")
        try registry.replace(with: file)
        #expect(authenticate(cache, key, registry).failureValue?.concealedReason == "client is disabled")
    }

    @Test func rotatedKeyExpiresAfterItsGraceEvenWhenCached() throws {
        let now = Date()
        let (registry, initialFile, oldKey) = try ClientRegistryTests.makeRegistry(now: now)
        var file = initialFile
        let cache = APIKeyCache()
        #expect(try authenticate(cache, oldKey, registry, now: now).get().id == "bank-a")
        let newKey = try file.rotateKey(clientID: "bank-a", grace: 60, now: now)
        try registry.replace(with: file)
        #expect(try authenticate(cache, oldKey, registry, now: now.addingTimeInterval(30)).get().id == "bank-a")
        #expect(try authenticate(cache, newKey, registry, now: now.addingTimeInterval(30)).get().id == "bank-a")
        let late = authenticate(cache, oldKey, registry, now: now.addingTimeInterval(61))
        #expect(late.failureValue?.status == 401)
        #expect(late.failureValue?.message.contains("expired") == true)
    }
}

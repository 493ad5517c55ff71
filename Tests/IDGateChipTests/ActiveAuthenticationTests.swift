import Foundation
import Testing
@testable import IDGateChip

@Suite struct ActiveAuthenticationTests {
    struct Vector: Decodable {
        let hash: String
        let challenge: String
        let signature: String
    }

    static let vectors = try! JSONDecoder().decode([Vector].self, from: Data(Fixture.bytes("aa/aa_vectors_bsi.json")))
    static let dg15 = Fixture.bytes("bsi_tr03105-5_full/EF_DG15.bin")

    @Test func bsiISO9796Vectors() {
        #expect(Self.vectors.map(\.hash) == ["sha1", "sha256"])
        for vector in Self.vectors {
            let result = ActiveAuthentication.verify(
                dg15: Self.dg15, challenge: Fixture.hex(vector.challenge), signature: Fixture.hex(vector.signature))
            #expect(result.result == .valid, "\(vector.hash): \(result.reason ?? "")")
        }
    }

    @Test func changedChallengeOrSignatureFails() {
        for vector in Self.vectors {
            var challenge = Fixture.hex(vector.challenge)
            challenge[7] ^= 1
            #expect(ActiveAuthentication.verify(dg15: Self.dg15, challenge: challenge, signature: Fixture.hex(vector.signature)).result == .invalid)
            var signature = Fixture.hex(vector.signature)
            signature[60] ^= 0x40
            #expect(ActiveAuthentication.verify(dg15: Self.dg15, challenge: Fixture.hex(vector.challenge), signature: signature).result == .invalid)
            #expect(ActiveAuthentication.verify(dg15: Self.dg15, challenge: Fixture.hex(vector.challenge), signature: Array(signature.prefix(10))).result == .invalid)
        }
    }

    @Test func ecdsaAcceptsPlainAndDER() throws {
        let key = try PrivateKey.generateEC()
        let dg15 = DERWriter.tlv(0x6F, key.publicKeyDER)
        let challenge: [UInt8] = [9, 8, 7, 6, 5, 4, 3, 2]
        let plain = try ActiveAuthSigner.sign(challenge: challenge, keyPEM: key.pkcs8PEM)
        #expect(ActiveAuthentication.verify(dg15: dg15, challenge: challenge, signature: plain).result == .valid)
        let der = try key.sign(challenge)
        #expect(ActiveAuthentication.verify(dg15: dg15, challenge: challenge, signature: der).result == .valid)
        #expect(ActiveAuthentication.verify(dg15: dg15, challenge: [0] + challenge.dropFirst(), signature: plain).result == .invalid)
        #expect(ActiveAuthentication.verify(dg15: [0x6F, 0x02, 0x30, 0x00], challenge: challenge, signature: plain)
            == ActiveAuthResult(result: .invalid, reason: "dg15_unparsable"))
    }

    @Test func challengesAreSingleUse() throws {
        let store = ChallengeStore(lifetime: 30, capacity: 10)
        let challenge = try store.issue()
        #expect(challenge.bytes.count == 8)
        #expect(challenge.hex.count == 16)
        #expect(try store.consume(id: challenge.id).get() == challenge.bytes)
        #expect(store.consume(id: challenge.id) == .failure(.unknownOrUsed))
        #expect(store.consume(id: "nonexistent") == .failure(.unknownOrUsed))
        #expect(try store.issue().bytes != store.issue().bytes)
    }

    @Test func expiredChallengeIsRefused() throws {
        let store = ChallengeStore(lifetime: 30, capacity: 10)
        let now = Date()
        let challenge = try store.issue(now: now)
        #expect(store.consume(id: challenge.id, now: now.addingTimeInterval(31)) == .failure(.expired))
        #expect(store.consume(id: challenge.id, now: now) == .failure(.unknownOrUsed))
    }

    @Test func storeIsBounded() throws {
        let store = ChallengeStore(lifetime: 30, capacity: 3)
        let now = Date()
        for _ in 0..<3 { _ = try store.issue(now: now) }
        #expect(throws: ChallengeStore.CapacityExhausted.self) { try store.issue(now: now) }
        // Once the first ones expired they are swept and issuing resumes.
        _ = try store.issue(now: now.addingTimeInterval(31))
        #expect(store.count == 1)
    }

    @Test func concurrentConsumersGetEachChallengeOnce() async throws {
        let store = ChallengeStore(lifetime: 30, capacity: 10_000)
        let ids = try (0..<1000).map { _ in try store.issue().id }
        let successes = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask { ids.reduce(0) { count, id in (try? store.consume(id: id).get()) != nil ? count + 1 : count } }
            }
            return await group.reduce(0, +)
        }
        #expect(successes == 1000)
    }
}

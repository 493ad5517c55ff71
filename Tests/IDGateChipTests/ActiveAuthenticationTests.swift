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

    /// A large store is split into shards by the id's first hex digit: each shard holds its share, so the store
    /// refuses once a shard is full (at most `capacity` live), and every challenge issued is found in its shard.
    @Test func shardedStoreIsBoundedAndFindsEveryChallenge() throws {
        let store = ChallengeStore(lifetime: 30, capacity: 1024)
        let now = Date()
        var issued: [ChallengeStore.Challenge] = []
        while let challenge = try? store.issue(now: now) { issued.append(challenge) }
        #expect(issued.count <= 1024)
        #expect(issued.count >= 64)  // the first shard to fill held 64 of them
        #expect(store.count == issued.count)
        #expect(Set(issued.map { $0.id.prefix(1) }).count == 16)
        for challenge in issued { #expect(try store.consume(id: challenge.id, now: now).get() == challenge.bytes) }
        #expect(store.count == 0)
        #expect(store.consume(id: "zz", now: now) == .failure(.unknownOrUsed))
        #expect(store.consume(id: "", now: now) == .failure(.unknownOrUsed))
    }

    @Test func concurrentConsumersGetEachChallengeOnce() async throws {
        let store = ChallengeStore(lifetime: 30, capacity: 10_000)
        // One clock for issuing and consuming: on a busy machine the tasks may start long after the challenges were
        // issued, and what is tested is the store's exclusion, not the lifetime.
        let now = Date()
        let ids = try (0..<1000).map { _ in try store.issue(now: now).id }
        let successes = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    ids.reduce(0) { count, id in (try? store.consume(id: id, now: now).get()) != nil ? count + 1 : count }
                }
            }
            return await group.reduce(0, +)
        }
        #expect(successes == 1000)
    }
}

/// The decoded-key cache and the stack-built signature forms give the answers the uncached path gives.
@Suite struct ActiveAuthKeyCacheTests {
    @Test func cachedKeyChecksEveryResponseAfresh() throws {
        let pki = try TestPKI.generate(directory: FileManager.default.temporaryDirectory.appendingPathComponent("idgate-aa-\(UUID().uuidString)"))
        defer { try? FileManager.default.removeItem(at: pki.directory) }
        let key = try PrivateKey.generateEC()
        let dg15 = DERWriter.tlv(0x6F, key.publicKeyDER)
        let dg1 = MRZ.vietnameseIDCardDG1(record: GeneratedCardTests.residents[0])
        let sod = try SecurityObjectSigner.sign(
            dataGroups: [1: dg1, 15: dg15], certificate: pki.documentSigner, key: pki.documentSignerKey)
        let verifier = ChipVerifier(trustStore: try pki.trustStore(), cacheCapacity: 8, activeAuthKeyCapacity: 2)
        for round in 0..<20 {
            let challenge = (0..<8).map { UInt8(truncatingIfNeeded: round * 8 + $0) }
            var signature = try ActiveAuthSigner.sign(challenge: challenge, keyPEM: key.pkcs8PEM)
            let valid = verifier.verify(sod: sod, dataGroups: [1: dg1, 15: dg15], activeAuth: ActiveAuthInput(challenge: challenge, signature: signature))
            #expect(valid.activeAuth == ActiveAuthResult(result: .valid, reason: nil), "round \(round)")
            signature[round % signature.count] ^= 0x01
            let flipped = verifier.verify(sod: sod, dataGroups: [1: dg1, 15: dg15], activeAuth: ActiveAuthInput(challenge: challenge, signature: signature))
            #expect(flipped.activeAuth == ActiveAuthResult(result: .invalid, reason: "signature_invalid"), "round \(round)")
        }
        // A DG15 the SOD does not vouch for is refused before any key is decoded.
        let other = DERWriter.tlv(0x6F, try PrivateKey.generateEC().publicKeyDER)
        let unvouched = verifier.verify(sod: sod, dataGroups: [15: other], activeAuth: ActiveAuthInput(challenge: [1], signature: [2]))
        #expect(unvouched.activeAuth.reason == "dg15_not_authenticated")
    }

    @Test func plainToDERMatchesTheWriter() {
        func expected(_ plain: [UInt8]) -> [UInt8] {
            let half = plain.count / 2
            return DERWriter.sequence([DERWriter.unsignedInteger(plain.prefix(half)), DERWriter.unsignedInteger(plain.dropFirst(half))])
        }
        var generator = SystemRandomNumberGenerator()
        for size in [32, 48, 66, 132] {
            for pattern in 0..<6 {
                var plain = (0..<(2 * size)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                switch pattern {
                case 0: plain[0] = 0x80  // top bit set: a zero byte is added
                case 1: plain[0] = 0; plain[1] = 0  // leading zeros dropped
                case 2: for index in 0..<size { plain[index] = 0 }  // r = 0
                case 3: plain[size] = 0xFF
                default: break
                }
                #expect(ECDSASignature.der(fromPlain: plain) == expected(plain), "size \(size) pattern \(pattern)")
            }
        }
        #expect(ECDSASignature.der(fromPlain: [1, 2, 3]) == nil)
        #expect(ECDSASignature.der(fromPlain: [UInt8](repeating: 1, count: 266)) == nil)
    }

    @Test func boundedCacheStaysBoundedAcrossShards() async {
        let cache = BoundedCache<Int, Int>(capacity: 64)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask { for value in 0..<10_000 { cache.insert(value, for: worker * 10_000 + value) } }
            }
        }
        #expect(cache.count <= 64)
        #expect(cache.count >= 32)
        cache.insert(7, for: -1)
        #expect(cache.value(for: -1) == 7)
        let tiny = BoundedCache<Int, Int>(capacity: 1)
        tiny.insert(1, for: 1)
        tiny.insert(2, for: 2)
        #expect(tiny.count == 1 && tiny.value(for: 2) == 2)
    }
}

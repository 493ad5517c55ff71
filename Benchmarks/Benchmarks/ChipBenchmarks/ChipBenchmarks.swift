import Benchmark
import BenchSupport
import Foundation
import IDGateChip
import IDGateCore
import IDGateWire

/// Passive authentication throughput, uncached (every SOD new: parse, hashes, one ECDSA P-256 verification; the
/// Document Signer's chain result is shared by all cards of that DS, as in production) and cached (the card seen
/// before). Compare the uncached rate with `openssl speed -seconds 5 ecdsap256` (verify/s); see docs/CHIP.md.
/// Each measured iteration is 1,000 verifications (`threadCPU`, `wallClock` and `mallocCountTotal` of 1,000). Names contain
/// no spaces or slashes: they name the files in `Benchmarks/Thresholds/`.
let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.threadCPU, .wallClock, .throughput, .mallocCountTotal]
    Benchmark.defaultConfiguration = .init(
        metrics: metrics, warmupIterations: 2, scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 1_000_000,
        thresholds: Tolerance.thresholds(for: metrics, mallocs: 50))

    Benchmark("PA.uncached.ECDSA-P256.DG1+DG13+DG15") { (benchmark: Benchmark, cards: ChipFixture) in
        // Capacity 1 with two alternating cards: every call misses the SOD cache.
        let verifier = ChipVerifier(trustStore: cards.trust, cacheCapacity: 1)
        benchmark.startMeasurement()
        benchmark.measuringThreadCPU {
            for index in benchmark.scaledIterations {
                let card = cards.cards[index & 1]
                blackHole(verifier.verify(sod: card.sod, dataGroups: card.dataGroups))
            }
        }
    } setup: {
        try ChipFixture(count: 2)
    }

    Benchmark("PA.uncached.ECDSA-P256.DG15-only") { (benchmark: Benchmark, cards: ChipFixture) in
        let verifier = ChipVerifier(trustStore: cards.trust, cacheCapacity: 1)
        let dataGroups = cards.cards.map { [15: $0.dataGroups[15]!] }
        benchmark.startMeasurement()
        benchmark.measuringThreadCPU {
            for index in benchmark.scaledIterations {
                blackHole(verifier.verify(sod: cards.cards[index & 1].sod, dataGroups: dataGroups[index & 1]))
            }
        }
    } setup: {
        try ChipFixture(count: 2)
    }

    Benchmark("PA.cached.DG1+DG13+DG15") { (benchmark: Benchmark, cards: ChipFixture) in
        let verifier = ChipVerifier(trustStore: cards.trust)
        let card = cards.cards[0]
        _ = verifier.verify(sod: card.sod, dataGroups: card.dataGroups)
        benchmark.startMeasurement()
        benchmark.measuringThreadCPU {
            for _ in benchmark.scaledIterations {
                blackHole(verifier.verify(sod: card.sod, dataGroups: card.dataGroups))
            }
        }
    } setup: {
        try ChipFixture(count: 1)
    }

    Benchmark("Verify.request.cachedSOD+AA-ECDSA-P256") { (benchmark: Benchmark, cards: ChipFixture) in
        // One gateway request for a card seen before: the SOD from the cache, DG1+DG13+DG15 hashed and compared,
        // and Active Authentication of a fresh challenge (one ECDSA P-256 verification): what `POST /v1/chip/verify`
        // asks of ChipVerifier. Compare with `openssl speed -seconds 3 ecdsap256` (verify/s).
        let verifier = ChipVerifier(trustStore: cards.trust)
        let card = cards.cards[0]
        let responses = card.activeAuthResponses
        _ = verifier.verify(sod: card.sod, dataGroups: card.dataGroups, activeAuth: responses[0])
        benchmark.startMeasurement()
        benchmark.measuringThreadCPU {
            for index in benchmark.scaledIterations {
                blackHole(verifier.verify(sod: card.sod, dataGroups: card.dataGroups, activeAuth: responses[index & 63]))
            }
        }
    } setup: {
        try ChipFixture(count: 1)
    }

    Benchmark("Verify.body.cachedSOD+AA-ECDSA-P256") { (benchmark: Benchmark, cards: ChipFixture) in
        // The route's work on a verify body short of the registry and HTTP/2: the JSON body read (base64 SOD, three
        // data groups, the AA signature), the challenge taken from the store, the card verified (SOD cached, one
        // ECDSA P-256 verification) and the results' JSON written. Its mallocCountTotal is the allocation budget
        // of a whole verify request's chip part (issue 18); the end-to-end rate is scripts/bench-chip.sh.
        let verifier = ChipVerifier(trustStore: cards.trust)
        let challenges = ChallengeStore()
        let card = cards.cards[0]
        let groups = card.dataGroups.map { "\"\($0.key)\":\"\(Base64.encode($0.value))\"" }.joined(separator: ",")
        let prefix = "{\"sod\":\"\(Base64.encode(card.sod))\",\"dataGroups\":{\(groups)},\"purpose\":\"account-opening\""
        _ = verifier.verify(sod: card.sod, dataGroups: card.dataGroups, activeAuth: card.activeAuthResponses[0])
        // Not measured: issuing the challenges (their own route) and the client's bodies with their signatures.
        let bodies = benchmark.scaledIterations.map { index in
            let signature = Base64.encode(card.activeAuthResponses[index & 63].signature)
            let id = (try? challenges.issue())!.id
            return Array((prefix + ",\"activeAuth\":{\"challengeId\":\"\(id)\",\"signature\":\"\(signature)\"}}").utf8)
        }
        benchmark.startMeasurement()
        benchmark.measuringThreadCPU {
            for index in benchmark.scaledIterations {
                let body = bodies[index - benchmark.scaledIterations.lowerBound]
                guard case .success(let request) = body.withUnsafeBytes({ ChipVerifyRequest.parse($0, maxBytes: 1 << 20) }),
                    let activeAuth = request.activeAuth, case .success = challenges.consume(id: activeAuth.challengeId)
                else { fatalError("the benchmark's verify body was refused") }
                // The store's bytes are random; the card signed the fixture's challenge for this slot.
                let result = verifier.verify(
                    sod: request.sod, dataGroups: request.dataGroups,
                    activeAuth: ActiveAuthInput(challenge: card.activeAuthResponses[index & 63].challenge, signature: activeAuth.signature))
                precondition(result.activeAuth.result == .valid)
                blackHole(result.passiveAuth.jsonBytes())
                blackHole(result.activeAuth.jsonBytes())
            }
        }
    } setup: {
        try ChipFixture(count: 1)
    }

    Benchmark("PA.uncached.RSASSA-PSS-2048.specimens") { (benchmark: Benchmark, specimens: [[UInt8]]) in
        let verifier = ChipVerifier(trustStore: try! TrustStore(certificates: []), cacheCapacity: 1)
        benchmark.startMeasurement()
        benchmark.measuringThreadCPU {
            for index in benchmark.scaledIterations {
                blackHole(verifier.verify(sod: specimens[index & 1], dataGroups: [:]))
            }
        }
    } setup: {
        let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("../../../Tests/IDGateChipTests/Fixtures/pymrtd").standardized
        return try ["bsi_tr03105-5/EF_SOD.bin", "etsi_tr103200_EACAA/EF_SOD.bin"].map {
            [UInt8](try Data(contentsOf: root.appendingPathComponent($0)))
        }
    }
}

/// Test cards generated into a temporary directory.
struct ChipFixture: Sendable {
    struct Card: Sendable {
        let sod: [UInt8]
        let dataGroups: [Int: [UInt8]]
        /// 64 challenges, each signed by the card's Active Authentication key.
        let activeAuthResponses: [ActiveAuthInput]
    }

    let trust: TrustStore
    let cards: [Card]

    init(count: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-chip-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pki = try TestPKI.generate(directory: directory.appendingPathComponent("pki"))
        trust = try pki.trustStore()
        var cards: [Card] = []
        for index in 0..<count {
            let record = TestCardFactory.syntheticResident(idNumber: "00108501234\(index)")!
            let folder = directory.appendingPathComponent("card\(index)")
            try TestCardFactory.makeCard(for: record, kind: .valid, pki: pki, into: folder)
            func read(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: folder.appendingPathComponent(name))) }
            let aaKey = try String(contentsOf: folder.appendingPathComponent("aa.key.pem"), encoding: .utf8)
            let responses = try (0..<64).map { (challengeIndex: Int) -> ActiveAuthInput in
                let challenge = (0..<8).map { UInt8(truncatingIfNeeded: challengeIndex &* 31 &+ $0) }
                return ActiveAuthInput(challenge: challenge, signature: try ActiveAuthSigner.sign(challenge: challenge, keyPEM: aaKey))
            }
            cards.append(Card(
                sod: try read("EF_SOD.bin"),
                dataGroups: [1: try read("EF_DG1.bin"), 13: try read("EF_DG13.bin"), 15: try read("EF_DG15.bin")],
                activeAuthResponses: responses))
        }
        self.cards = cards
    }
}


import Foundation
import IDGateStore
import Testing
@testable import IDGateChip

/// Cards from the test PKI: each kind verifies the way `cards/index.json` says it should.
@Suite struct GeneratedCardTests {
    static let residents: [ResidentRecord] = (0..<4).map { index in
        let id = IDNumber("0010850123\(40 + index)")!
        return ResidentRecord(
            idNumber: id, fullName: index == 0 ? "Nguyễn Văn An" : "Đặng Thị Ánh Tuyết", dateOfBirth: PartialDate(year: 1985, month: 3, day: 14)!,
            sex: index == 0 ? .male : .female, placeOfOrigin: "Xã Đông Hòa, Đông Sơn, Thanh Hóa",
            placeOfResidence: "Số 12 Phố Huế, Hoàn Kiếm, Hà Nội", legacyIdNumber: "012345678",
            card: IdentityCard(
                number: id.description, issueDate: PartialDate(year: 2021, month: 4, day: 20)!,
                expiryDate: PartialDate(year: 2025 + 20, month: 3, day: 14)!, status: .valid))
    }

    struct Demo {
        let directory: URL
        let pki: TestPKI
        let entries: [TestCardEntry]
        let verifier: ChipVerifier

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("idgate-chip-\(UUID().uuidString)")
            pki = try TestPKI.generate(directory: directory.appendingPathComponent("pki"))
            entries = try TestCardFactory.makeCards(for: GeneratedCardTests.residents, pki: pki, into: directory)
            verifier = ChipVerifier(trustStore: try pki.trustStore())
        }

        func files(_ entry: TestCardEntry) -> (sod: [UInt8], dataGroups: [Int: [UInt8]]) {
            let folder = directory.appendingPathComponent(entry.dir)
            var groups: [Int: [UInt8]] = [:]
            for number in [1, 13, 14, 15] {
                if let data = FileManager.default.contents(atPath: folder.appendingPathComponent("EF_DG\(number).bin").path) {
                    groups[number] = [UInt8](data)
                }
            }
            return ([UInt8](FileManager.default.contents(atPath: folder.appendingPathComponent("EF_SOD.bin").path)!), groups)
        }

        func aaKey(_ entry: TestCardEntry) -> String? {
            try? String(contentsOf: directory.appendingPathComponent(entry.dir).appendingPathComponent("aa.key.pem"), encoding: .utf8)
        }
    }

    @Test func indexListsEveryKind() throws {
        let demo = try Demo()
        defer { try? FileManager.default.removeItem(at: demo.directory) }
        #expect(demo.entries.map(\.kind) == [.valid, .tampered, .revokedDS, .noAA])
        #expect(try TestCardFactory.readIndex(demoDirectory: demo.directory) == demo.entries)
        let pkiFiles = try FileManager.default.contentsOfDirectory(atPath: demo.pki.directory.path)
        #expect(Set(pkiFiles).isSuperset(of: ["csca.pem", "csca.key.pem", "ds.pem", "ds.key.pem", "ds-revoked.pem", "crl.pem"]))
        // Reloaded from disk, the PKI is the same.
        #expect(try TestPKI.load(directory: demo.pki.directory).documentSigner.der == demo.pki.documentSigner.der)
    }

    @Test func validCardPassesPassiveAndActiveAuthentication() throws {
        let demo = try Demo()
        defer { try? FileManager.default.removeItem(at: demo.directory) }
        let entry = demo.entries[0]
        let (sod, groups) = demo.files(entry)
        let challenges = ChallengeStore()
        let challenge = try challenges.issue()
        let signature = try ActiveAuthSigner.sign(challenge: challenge.bytes, keyPEM: demo.aaKey(entry)!)
        #expect(signature.count == 64)
        let bytes = try challenges.consume(id: challenge.id).get()
        let result = demo.verifier.verify(sod: sod, dataGroups: groups, activeAuth: ActiveAuthInput(challenge: bytes, signature: signature))
        #expect(result.passiveAuth.result == .valid, "\(result.passiveAuth.errors)")
        #expect(result.passiveAuth.chain == .trusted)
        #expect(result.passiveAuth.dataGroups == [1: .match, 13: .match, 14: .match, 15: .match])
        #expect(result.passiveAuth.documentSigner?.country == "VN")
        #expect(result.activeAuth == ActiveAuthResult(result: .valid, reason: nil))

        let data = try #require(result.personalData)
        #expect(data.source == .dg13)
        #expect(data.idNumber == entry.id)
        #expect(data.fullName == "Nguyễn Văn An")
        #expect(data.dateOfBirth == PartialDate(year: 1985, month: 3, day: 14))
        #expect(data.sex == .male)
        #expect(data.cardIssueDate == PartialDate(year: 2021, month: 4, day: 20))
        #expect(data.cardExpiryDate == PartialDate(year: 2045, month: 3, day: 14))
        #expect(data.placeOfOrigin == "Xã Đông Hòa, Đông Sơn, Thanh Hóa")
        #expect(data.legacyIdNumber == "012345678")
        #expect(data.fatherName == "Nguyễn Văn Bình")
        #expect(data.motherName == "Trần Thị Cúc")

        // Seen again: served from the cache, same answer; a wrong challenge is refused.
        let again = demo.verifier.verify(sod: sod, dataGroups: groups, activeAuth: ActiveAuthInput(challenge: [1, 2, 3, 4, 5, 6, 7, 8], signature: signature))
        #expect(again.passiveAuth == result.passiveAuth)
        #expect(again.activeAuth == ActiveAuthResult(result: .invalid, reason: "signature_invalid"))
    }

    @Test func tamperedCardMismatches() throws {
        let demo = try Demo()
        defer { try? FileManager.default.removeItem(at: demo.directory) }
        let (sod, groups) = demo.files(demo.entries[1])
        let result = demo.verifier.verify(sod: sod, dataGroups: groups)
        #expect(result.passiveAuth.signature == .valid)
        #expect(result.passiveAuth.dataGroups[13] == .mismatch)
        #expect(result.passiveAuth.dataGroups[1] == .match)
        #expect(result.passiveAuth.result == .invalid)
        #expect(result.passiveAuth.errors == ["data_group_mismatch:13"])
    }

    @Test func revokedDocumentSignerIsRevoked() throws {
        let demo = try Demo()
        defer { try? FileManager.default.removeItem(at: demo.directory) }
        let (sod, groups) = demo.files(demo.entries[2])
        let result = demo.verifier.verify(sod: sod, dataGroups: groups)
        #expect(result.passiveAuth.signature == .valid)
        #expect(result.passiveAuth.chain == .revoked)
        #expect(result.passiveAuth.errors == ["document_signer_revoked"])
    }

    @Test func cardWithoutActiveAuthentication() throws {
        let demo = try Demo()
        defer { try? FileManager.default.removeItem(at: demo.directory) }
        let entry = demo.entries[3]
        let (sod, groups) = demo.files(entry)
        #expect(groups[15] == nil && demo.aaKey(entry) == nil)
        let result = demo.verifier.verify(sod: sod, dataGroups: groups)
        #expect(result.passiveAuth.result == .valid)
        #expect(result.activeAuth == .notPerformed)
        #expect(result.sodDataGroupHashes.keys.sorted() == [1, 13])
        let attempted = demo.verifier.verify(sod: sod, dataGroups: groups, activeAuth: ActiveAuthInput(challenge: [0, 0, 0, 0, 0, 0, 0, 0], signature: [1]))
        #expect(attempted.activeAuth == ActiveAuthResult(result: .invalid, reason: "dg15_missing"))
    }

    @Test func expiredAtALaterTime() throws {
        let demo = try Demo()
        defer { try? FileManager.default.removeItem(at: demo.directory) }
        let (sod, groups) = demo.files(demo.entries[0])
        let later = demo.pki.documentSigner.notAfter.addingTimeInterval(86_400)
        let result = demo.verifier.verify(sod: sod, dataGroups: groups, at: later)
        #expect(result.passiveAuth.chain == .expired)
        #expect(result.passiveAuth.errors == ["document_signer_expired"])
        let before = demo.pki.csca.notBefore.addingTimeInterval(-86_400)
        #expect(demo.verifier.verify(sod: sod, dataGroups: groups, at: before).passiveAuth.chain == .expired)
    }

    @Test func dg1IsAVietnameseTD1() throws {
        let demo = try Demo()
        defer { try? FileManager.default.removeItem(at: demo.directory) }
        let (_, groups) = demo.files(demo.entries[1])
        let mrz = try MRZ(dg1: groups[1]!)
        #expect(mrz.format == .td1)
        #expect(mrz.documentNumber == "085012341")
        let data = mrz.personalData(today: PartialDate(year: 2026, month: 11, day: 23)!)
        #expect(data.idNumber == "001085012341")
        #expect(data.fullName == "DANG THI ANH TUYET")
        #expect(data.dateOfBirth == PartialDate(year: 1985, month: 3, day: 14))
        #expect(data.sex == .female)
    }

    @Test func everyChangedByteOfTheSODIsRejected() throws {
        let demo = try Demo()
        defer { try? FileManager.default.removeItem(at: demo.directory) }
        let (sod, groups) = demo.files(demo.entries[0])
        for index in sod.indices {
            var mutated = sod
            mutated[index] ^= 0x01
            let result = demo.verifier.verify(sod: mutated, dataGroups: groups)
            // Only the string type of an unsigned signer-name attribute may change (PrintableString ↔
            // NumericString): names are compared by value, and the signature itself is still checked.
            let stringTags: Set<UInt8> = [0x0C, 0x12, 0x13, 0x14, 0x16, 0x1A, 0x1C, 0x1E]
            if stringTags.contains(sod[index]) && stringTags.contains(mutated[index]) { continue }
            #expect(result.passiveAuth.result == .invalid, "byte \(index)")
        }
    }

    @Test func signedForms() throws {
        let pki = try TestPKI.generate(directory: FileManager.default.temporaryDirectory.appendingPathComponent("idgate-pki-\(UUID().uuidString)"))
        defer { try? FileManager.default.removeItem(at: pki.directory) }
        let verifier = ChipVerifier(trustStore: try pki.trustStore())
        let dg1 = MRZ.vietnameseIDCardDG1(record: Self.residents[0])
        func verify(_ variation: SecurityObjectSigner.Variation) throws -> PassiveAuthResult {
            let sod = try SecurityObjectSigner.sign(
                dataGroups: [1: dg1], certificate: pki.documentSigner, key: pki.documentSignerKey, variation: variation)
            return verifier.verify(sod: sod, dataGroups: [1: dg1]).passiveAuth
        }
        // Content signed directly, without signed attributes.
        #expect(try verify(.init(signedAttributes: false)).result == .valid)
        // Signer named by subject key identifier.
        let byKeyIdentifier = try verify(.init(identifySignerByKeyIdentifier: true))
        #expect(byKeyIdentifier.result == .valid, "\(byKeyIdentifier.errors)")
        // contentType attribute (ldsSecurityObject) differs from the encapsulated type.
        let mismatched = try verify(.init(encapsulatedContentType: .data))
        #expect(mismatched.signature == .invalid)
        #expect(mismatched.errors == ["content_type_mismatch"])
    }

    @Test func verifierIsSafeToShareAcrossThreads() async throws {
        let demo = try Demo()
        defer { try? FileManager.default.removeItem(at: demo.directory) }
        let cards = demo.entries.map { demo.files($0) }
        let expected = cards.map { demo.verifier.verify(sod: $0.sod, dataGroups: $0.dataGroups).passiveAuth }
        let verifier = ChipVerifier(trustStore: try demo.pki.trustStore(), cacheCapacity: 2)
        let agreements = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var agreeing = 0
                    for round in 0..<50 {
                        let index = (worker + round) % cards.count
                        let result = verifier.verify(sod: cards[index].sod, dataGroups: cards[index].dataGroups)
                        if result.passiveAuth == expected[index] { agreeing += 1 }
                    }
                    return agreeing
                }
            }
            return await group.reduce(0, +)
        }
        #expect(agreements == 400)
    }
}

@Suite struct DistinguishedNameTests {
    @Test func rdnOrderCaseAndStringTypeDoNotMatter() {
        let a = DERWriter.sequence([
            DERWriter.set([DERWriter.sequence([DERWriter.oid(OID("2.5.4.6")), DERWriter.printableString("VN")])]),
            DERWriter.set([DERWriter.sequence([DERWriter.oid(OID("2.5.4.3")), DERWriter.utf8String("CSCA Test")])]),
        ])
        let b = DERWriter.sequence([
            DERWriter.set([DERWriter.sequence([DERWriter.oid(OID("2.5.4.3")), DERWriter.printableString("csca test ")])]),
            DERWriter.set([DERWriter.sequence([DERWriter.oid(OID("2.5.4.6")), DERWriter.utf8String("VN")])]),
        ])
        let c = DERWriter.sequence([DERWriter.set([DERWriter.sequence([DERWriter.oid(OID("2.5.4.3")), DERWriter.utf8String("CSCA Test")])])])
        #expect(DistinguishedName(strictDER: a[...]) == DistinguishedName(strictDER: b[...]))
        #expect(DistinguishedName(strictDER: a[...]) != DistinguishedName(strictDER: c[...]))
        #expect(DistinguishedName(strictDER: [0x30, 0x03, 0x02, 0x01, 0x00][...]) == nil)
    }
}

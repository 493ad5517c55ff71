import Foundation
import IDGateStore

/// What a generated card is for: the load tester and acceptance checks pick cards by kind.
public enum TestCardKind: String, Sendable, CaseIterable {
    /// Verifies fully (passive and active authentication).
    case valid
    /// DG13 altered after signing: passive authentication reports `mismatch`.
    case tampered
    /// Signed by the Document Signer the CRL revokes: chain `revoked`.
    case revokedDS = "revoked_ds"
    /// No DG15 (and no DG14): active authentication cannot be performed.
    case noAA = "no_aa"
}

/// One entry of `cards/index.json`.
public struct TestCardEntry: Sendable, Equatable {
    public var id: String
    public var kind: TestCardKind
    /// Relative to the demo directory: `cards/<id>`.
    public var dir: String
}

/// Writes chip-card files for registry residents: `EF_SOD.bin`, `EF_DG1.bin` (TD1), `EF_DG13.bin`, and for cards
/// with Active Authentication `EF_DG14.bin`, `EF_DG15.bin` and `aa.key.pem` (ECDSA P-256, PKCS#8).
public enum TestCardFactory {
    /// Kinds by position: most cards are valid; positions 1, 2, 3 of every ten are tampered, revoked_ds, no_aa.
    public static func kind(forIndex index: Int) -> TestCardKind {
        switch index % 10 {
        case 1: .tampered
        case 2: .revokedDS
        case 3: .noAA
        default: .valid
        }
    }

    /// Cards for `records` under `directory/cards/<id>/`, plus `directory/cards/index.json`; every card of `kind`
    /// when given, else kinds by position (`kind(forIndex:)`).
    @discardableResult
    public static func makeCards(
        for records: [ResidentRecord], kind only: TestCardKind? = nil, pki: TestPKI, into directory: URL
    ) throws -> [TestCardEntry] {
        var entries: [TestCardEntry] = []
        entries.reserveCapacity(records.count)
        for (index, record) in records.enumerated() {
            let kind = only ?? kind(forIndex: index)
            let id = record.idNumber.description
            try makeCard(for: record, kind: kind, pki: pki, into: directory.appendingPathComponent("cards/\(id)"))
            entries.append(TestCardEntry(id: id, kind: kind, dir: "cards/\(id)"))
        }
        try writeIndex(entries, to: directory.appendingPathComponent("cards/index.json"))
        return entries
    }

    /// One card's files in `directory` (created if needed).
    public static func makeCard(for record: ResidentRecord, kind: TestCardKind, pki: TestPKI, into directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var files: [Int: [UInt8]] = [1: MRZ.vietnameseIDCardDG1(record: record), 13: VietnameseDG13.encode(record: record)]
        var activeAuthKey: PrivateKey? = nil
        if kind != .noAA {
            let key = try PrivateKey.generateEC()
            files[14] = activeAuthenticationInfo
            files[15] = DERWriter.tlv(0x6F, key.publicKeyDER)
            activeAuthKey = key
        }
        let (signer, signerKey) = kind == .revokedDS
            ? (pki.revokedDocumentSigner, pki.revokedDocumentSignerKey) : (pki.documentSigner, pki.documentSignerKey)
        let sod = try SecurityObjectSigner.sign(dataGroups: files, certificate: signer, key: signerKey)
        if kind == .tampered {
            var altered = record
            altered.fullName += " Giả"
            files[13] = VietnameseDG13.encode(record: altered)
        }
        try Data(sod).write(to: directory.appendingPathComponent("EF_SOD.bin"))
        for (number, bytes) in files {
            try Data(bytes).write(to: directory.appendingPathComponent("EF_DG\(number).bin"))
        }
        if let activeAuthKey {
            let url = directory.appendingPathComponent("aa.key.pem")
            try Data(activeAuthKey.pkcs8PEM.utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        }
    }

    /// A plausible resident for a 12-digit number when no registry record is given (sex and birth year follow the
    /// number); nil when the number is not a valid personal identification number.
    public static func syntheticResident(idNumber: String) -> ResidentRecord? {
        guard let id = IDNumber(idNumber) else { return nil }
        return ResidentRecord(
            idNumber: id, fullName: id.encodedSex == .male ? "Nguyễn Văn An" : "Trần Thị Bích",
            dateOfBirth: PartialDate(year: id.birthYear, month: 3, day: 14)!, sex: id.encodedSex,
            placeOfOrigin: "Xã Đông Hòa, Huyện Đông Sơn, Thanh Hóa",
            placeOfResidence: "Số 12 Phố Huế, Phường Hàng Bài, Hoàn Kiếm, Hà Nội",
            card: IdentityCard(
                number: id.description, issueDate: PartialDate(year: 2021, month: 4, day: 20)!,
                expiryDate: PartialDate(year: max(2031, id.birthYear + 40), month: 3, day: 14), status: .valid))
    }

    /// DG14 with only ActiveAuthenticationInfo (2.23.136.1.1.5): AA signs with ecdsa-plain-SHA256.
    static let activeAuthenticationInfo = DERWriter.tlv(0x6E, DERWriter.set([
        DERWriter.sequence([DERWriter.oid(OID("2.23.136.1.1.5")), DERWriter.integer(1), DERWriter.oid(.ecdsaPlain(3))]),
    ]))

    static func writeIndex(_ entries: [TestCardEntry], to url: URL) throws {
        var json = "{\"cards\": [\n"
        json += entries.map { "  {\"id\": \"\($0.id)\", \"kind\": \"\($0.kind.rawValue)\", \"dir\": \"\($0.dir)\"}" }
            .joined(separator: ",\n")
        json += "\n]}\n"
        try Data(json.utf8).write(to: url)
    }

    /// Reads `cards/index.json`.
    public static func readIndex(demoDirectory: URL) throws -> [TestCardEntry] {
        let data = try Data(contentsOf: demoDirectory.appendingPathComponent("cards/index.json"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let cards = object["cards"] as? [[String: Any]]
        else { throw CocoaError(.fileReadCorruptFile) }
        return cards.compactMap { card in
            guard let id = card["id"] as? String, let kind = (card["kind"] as? String).flatMap(TestCardKind.init),
                let dir = card["dir"] as? String
            else { return nil }
            return TestCardEntry(id: id, kind: kind, dir: dir)
        }
    }
}

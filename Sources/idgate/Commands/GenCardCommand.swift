import ArgumentParser
import Foundation
import IDGateAudit
import IDGateChip
import IDGateDemo
import IDGateStore
import IDGateWire

/// `idgate gen card --id N --pki DIR --out DIR [--record FILE]`: a signed test chip card for one resident.
struct GenCardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card", abstract: "Generate a test chip card (DG1, DG13, DG14, DG15, EF.SOD, AA key).")

    @Option(help: "The 12-digit personal identification number.")
    var id: String

    @Option(help: "Directory written by the PKI generator.")
    var pki: String

    @Option(help: "Output directory for the card files.")
    var out: String

    @Option(help: "A file holding one registry sample NDJSON line for this resident (else synthetic data).")
    var record: String?

    @Option(help: "valid | tampered | revoked_ds | no_aa")
    var kind: String = "valid"

    func run() throws {
        guard let idNumber = IDNumber(id) else { throw ValidationError("--id is not a valid 12-digit number") }
        guard let cardKind = TestCardKind(rawValue: kind) else { throw ValidationError("unknown --kind \(kind)") }
        let resident: ResidentRecord
        if let record {
            guard let data = FileManager.default.contents(atPath: record),
                let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first,
                let parsed = Self.residentRecord(ndjsonLine: String(line))
            else { throw ValidationError("cannot read a resident record from \(record)") }
            guard parsed.idNumber == idNumber else { throw ValidationError("--record is for \(parsed.idNumber), not \(id)") }
            resident = parsed
        } else {
            resident = TestCardFactory.syntheticResident(idNumber: id)!
        }
        let testPKI = try TestPKI.load(directory: URL(fileURLWithPath: pki))
        try TestCardFactory.makeCard(for: resident, kind: cardKind, pki: testPKI, into: URL(fileURLWithPath: out))
        print("card \(id) (\(cardKind.rawValue)) written to \(out)")
    }

    /// A registry sample line (`idgate registry sample`): the match-request attribute names.
    static func residentRecord(ndjsonLine: String) -> ResidentRecord? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(ndjsonLine.utf8)) as? [String: Any],
            let id = (object["idNumber"] as? String).flatMap(IDNumber.init),
            let name = object["fullName"] as? String,
            let birth = (object["dateOfBirth"] as? String).flatMap({ PartialDate(iso: $0) }),
            let sex = (object["sex"] as? String).flatMap(Sex.init(name:))
        else { return nil }
        let issue = (object["cardIssueDate"] as? String).flatMap { PartialDate(iso: $0) }
        let expiry = (object["cardExpiryDate"] as? String).flatMap { PartialDate(iso: $0) }
        return ResidentRecord(
            idNumber: id, fullName: name, dateOfBirth: birth, sex: sex,
            nationality: object["nationality"] as? String ?? "Việt Nam", ethnicity: object["ethnicity"] as? String ?? "Kinh",
            placeOfOrigin: object["placeOfOrigin"] as? String ?? "", placeOfResidence: object["placeOfResidence"] as? String ?? "",
            legacyIdNumber: object["legacyIdNumber"] as? String,
            card: issue.map { IdentityCard(number: id.description, issueDate: $0, expiryDate: expiry, status: .valid) })
    }
}

import Foundation
@testable import IDGateStore

/// A fresh directory under the system temp folder, removed when the test ends.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "idgate-store-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        chmodRecursively(path)
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String, contents: String) -> String {
        let filePath = path + "/" + name
        precondition(FileManager.default.createFile(atPath: filePath, contents: Data(contents.utf8)))
        return filePath
    }

    /// Tests that make folders read-only give write permission back so cleanup succeeds.
    private func chmodRecursively(_ path: String) {
        chmod(path, 0o755)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            chmodRecursively(path + "/" + name)
        }
    }
}

enum Fixtures {
    /// A resident with every field set: a full date of birth, two phones, a legacy ID and a card with expiry.
    static func resident(
        id: String = "001085012345", name: String = "Nguyễn Văn An", phones: [String] = ["0912345678", "0987654321"],
        legacy: String? = "012345678"
    ) -> ResidentRecord {
        ResidentRecord(
            idNumber: IDNumber(id)!, fullName: name, dateOfBirth: PartialDate(year: 1985, month: 3, day: 14)!, sex: .male,
            nationality: "Việt Nam", ethnicity: "Kinh", placeOfOrigin: "Xã Tam Hưng, Huyện Thanh Oai, Thành phố Hà Nội",
            placeOfResidence: "Số 12, Tổ 3, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội", legacyIdNumber: legacy,
            phoneNumbers: phones,
            card: IdentityCard(
                number: id, issueDate: PartialDate(year: 2021, month: 4, day: 20)!,
                expiryDate: PartialDate(year: 2025, month: 3, day: 14)!, status: .valid))
    }

    /// A woman born in 1950 with a year-only birth date, no phone, no legacy ID and a card valid for life.
    static func elderResident() -> ResidentRecord {
        ResidentRecord(
            idNumber: IDNumber("079150000001")!, fullName: "Trần Thị Bích", dateOfBirth: PartialDate(year: 1950)!,
            sex: .female, ethnicity: "Hoa", placeOfOrigin: "Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
            placeOfResidence: "Số 7, Tổ 2, Phường Bến Thành, Quận 1, Thành phố Hồ Chí Minh", phoneNumbers: [],
            card: IdentityCard(
                number: "079150000001", issueDate: PartialDate(year: 2021, month: 6, day: 1)!, expiryDate: nil,
                status: .revoked),
            recordStatus: .deceased)
    }

    /// A child with a month-year birth date and no card.
    static func childResident() -> ResidentRecord {
        ResidentRecord(
            idNumber: IDNumber("048215000042")!, fullName: "Lê Minh Khôi", dateOfBirth: PartialDate(year: 2015, month: 7)!,
            sex: .male, placeOfOrigin: "Xã Hòa Phong, Huyện Hòa Vang, Thành phố Đà Nẵng",
            placeOfResidence: "Số 3, Tổ 9, Phường Thạch Thang, Quận Hải Châu, Thành phố Đà Nẵng", phoneNumbers: ["0356000111"],
            card: nil)
    }

    static func ndjson(_ records: [ResidentRecord]) -> String {
        records.map { ResidentCodec.ndjson($0) + "\n" }.joined()
    }

    /// Imports `records` into a new registry in `directory` and opens it.
    static func store(_ records: [ResidentRecord], in directory: String) throws -> RegistryStore {
        _ = try RegistryImporter(directory: directory).importRecords(records)
        return try RegistryStore.open(directory: directory)
    }
}

extension ResidentRecord {
    /// The record as the store returns it after an import with data sequence `sequence`.
    func stored(sequence: UInt64) -> ResidentRecord {
        var copy = self
        copy.sequence = sequence
        return copy
    }
}

extension UnsafeRawBufferPointer {
    var string: String { String(decoding: self, as: UTF8.self) }
}

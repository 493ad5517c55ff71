import Foundation
import Testing
@testable import IDGateStore

/// Documents and organizations: formats, binary and NDJSON codecs, import beside residents, holder index, updates.
@Suite struct KindRecordTests {
    static let licence = DocumentRecord(
        type: .drivingLicence, number: "010123456789", holderIdNumber: IDNumber("001085012345")!,
        holderName: "Nguyễn Văn An", issuer: "Sở Giao thông vận tải Hà Nội",
        issueDate: PartialDate(year: 2020, month: 5, day: 4)!, expiryDate: PartialDate(year: 2030, month: 5, day: 4)!,
        licenceClasses: ["A1", "B2"])
    static let marriage = DocumentRecord(
        type: .marriageCertificate, number: "00004/2015/77", holderIdNumber: IDNumber("001085012345")!,
        holderName: "Nguyễn Văn An", issuer: "Ủy ban nhân dân Phường Dịch Vọng",
        issueDate: PartialDate(year: 2015, month: 10, day: 2)!, spouseIdNumber: IDNumber("001190000123")!)
    static let company = OrganizationRecord(
        organizationId: OrganizationID("0101234567")!, name: "Công ty TNHH Thương mại Minh Phát",
        tradeName: "Minh Phat Trading Company Limited", address: "Số 5, Phường Dịch Vọng, Quận Cầu Giấy, Thành phố Hà Nội",
        legalRepresentativeIdNumber: IDNumber("001085012345")!, status: .active,
        registrationDate: PartialDate(year: 2012, month: 7, day: 1)!)

    @Test func numberFormatsPerType() {
        #expect(DocumentType.drivingLicence.canonicalNumber("010123456789") == "010123456789")
        #expect(DocumentType.drivingLicence.canonicalNumber("01012345678") == nil)
        #expect(DocumentType.healthInsurance.canonicalNumber("dn4010123456789") == "DN4010123456789")
        #expect(DocumentType.healthInsurance.canonicalNumber("DN6010123456789") == nil)  // benefit level 1-5
        #expect(DocumentType.socialInsurance.canonicalNumber("0123456789") == "0123456789")
        #expect(DocumentType.socialInsurance.canonicalNumber("012345678A") == nil)
        #expect(DocumentType.vehicleRegistration.canonicalNumber("123456") == "123456")
        #expect(DocumentType.birthCertificate.canonicalNumber("26881/2020/000125") == "26881/2020/125")
        #expect(DocumentType.birthCertificate.canonicalNumber("26881/2020/0") == nil)
        #expect(DocumentType.marriageCertificate.canonicalNumber("2688/2020/1") == nil)
        #expect(OrganizationID("0101234567-001")?.description == "0101234567001")
        #expect(OrganizationID("0101234567001") == OrganizationID("0101234567-001"))
        #expect(OrganizationID("010123456") == nil)
        #expect(OrganizationID("01012345678") == nil)
        #expect(OrganizationID("0101234567-01") == nil)
        #expect(VehiclePlate.canonical("30a-123.45") == "30A12345")
        #expect(VehiclePlate.canonical("29H1-234.56") == "29H123456")
        #expect(VehiclePlate.canonical("ABC") == nil)
        #expect(LicenceClass.parse("a1, b2") == ["A1", "B2"])
        #expect(LicenceClass.parse("A1,Z9") == nil)
    }

    @Test func binaryRecordsRoundTrip() throws {
        for record in [Self.licence, Self.marriage] {
            var stored = record
            stored.sequence = 7
            let bytes = try DocumentRecordCodec.encode(stored)
            #expect(bytes.withUnsafeBytes { DocumentRecordCodec.decode($0) } == stored)
        }
        var company = Self.company
        company.sequence = 3
        let bytes = try OrganizationRecordCodec.encode(company)
        #expect(bytes.withUnsafeBytes { OrganizationRecordCodec.decode($0, id: company.organizationId) } == company)
        // A truncated record is refused, not misread.
        #expect(bytes.dropLast(3).withUnsafeBytes { OrganizationRecordCodec.decode($0, id: company.organizationId) } == nil)
    }

    @Test func ndjsonRowsRoundTripAndNameTheFieldAtFault() throws {
        #expect(try DocumentCodec.decodeNDJSON(DocumentCodec.ndjson(Self.licence)) == Self.licence)
        #expect(try DocumentCodec.decodeNDJSON(DocumentCodec.ndjson(Self.marriage)) == Self.marriage)
        #expect(try OrganizationCodec.decodeNDJSON(OrganizationCodec.ndjson(Self.company)) == Self.company)
        func documentError(_ line: String) -> InputError? {
            do { _ = try DocumentCodec.decodeNDJSON(line, lineNumber: 4); return nil } catch { return error }
        }
        let base = #""holderIdNumber":"001085012345","fullName":"A","issuer":"B","issueDate":"2020-01-01""#
        #expect(documentError(#"{"documentType":"passport","documentNumber":"1",\#(base)}"#)?.field == "documentType")
        let badNumber = documentError(#"{"documentType":"driving-licence","documentNumber":"12",\#(base)}"#)
        #expect(badNumber?.field == "documentNumber")
        #expect(badNumber?.line == 4)
        #expect(badNumber?.reason.contains("12 digits") == true)
        #expect(documentError(#"{"documentType":"social-insurance","documentNumber":"0123456789","licenceClasses":"A1",\#(base)}"#)?.field == "licenceClasses")
        #expect(documentError(#"{"documentType":"social-insurance","documentNumber":"0123456789","colour":"red",\#(base)}"#)?.field == "colour")
        #expect(documentError(#"{"documentType":"social-insurance","documentNumber":"0123456789",\#(base),"expiryDate":"2019-01-01"}"#)?.field == "expiryDate")
        #expect(documentError(#"{"documentType":"social-insurance""#)?.reason.contains("malformed JSON") == true)
        #expect(throws: InputError.self) {
            try OrganizationCodec.decodeNDJSON(#"{"organizationId":"12345","name":"X","address":"Y"}"#)
        }
    }

    @Test func importWritesKindsBesideResidentsAndIndexesHolders() throws {
        let directory = TemporaryDirectory()
        var options = ImportOptions()
        options.kinds.documents = [Self.licence, Self.marriage]
        options.kinds.organizationsPath = directory.file("orgs.ndjson", contents: OrganizationCodec.ndjson(Self.company) + "\n")
        _ = try RegistryImporter(directory: directory.path, options: options).importRecords([Fixtures.resident()])
        let store = try RegistryStore.open(directory: directory.path)
        store.makeReader().withTransaction { txn in
            #expect(txn.document(.drivingLicence, number: "010123456789")?.licenceClasses == ["A1", "B2"])
            #expect(txn.document(.drivingLicence, number: "010123456788") == nil)
            #expect(txn.document(.marriageCertificate, number: "00004/2015/000077")?.spouseIdNumber == IDNumber("001190000123"))
            #expect(txn.documents(heldBy: IDNumber("001085012345")!).map(\.type) == [.drivingLicence, .marriageCertificate])
            // The other spouse holds the certificate too.
            #expect(txn.documents(heldBy: IDNumber("001190000123")!).map(\.type) == [.marriageCertificate])
            #expect(txn.organization(OrganizationID("0101234567")!)?.tradeName == "Minh Phat Trading Company Limited")
            #expect(txn.organization(OrganizationID("0101234568")!) == nil)
            #expect(txn.documentCount == 2)
            #expect(txn.organizationCount == 1)
            #expect(txn.resident(IDNumber("001085012345")!) != nil)
        }
    }

    @Test func duplicateOrBadRowsFailTheImportAndKeepTheServedData() throws {
        let directory = TemporaryDirectory()
        _ = try RegistryImporter(directory: directory.path).importRecords([Fixtures.resident()])
        let before = try RegistryStore.open(directory: directory.path).generation
        var options = ImportOptions()
        options.kinds.documentsPath = directory.file(
            "docs.ndjson", contents: DocumentCodec.ndjson(Self.licence) + "\n\n" + DocumentCodec.ndjson(Self.licence) + "\n")
        #expect { try RegistryImporter(directory: directory.path, options: options).importRecords([Fixtures.resident()]) }
            throws: { ($0 as? InputError)?.line == 3 && ($0 as? InputError)?.reason.contains("first given on line 1") == true }
        #expect(try RegistryStore.open(directory: directory.path).generation == before)
    }

    @Test func updatesChangeDocumentsAndOrganizationsInOneTransaction() throws {
        let directory = TemporaryDirectory()
        var options = ImportOptions()
        options.kinds.documents = [Self.licence]
        options.kinds.organizations = [Self.company]
        _ = try RegistryImporter(directory: directory.path, options: options).importRecords([Fixtures.resident()])
        let store = try RegistryStore.open(directory: directory.path, readOnly: false)
        var moved = Self.licence
        moved.holderIdNumber = IDNumber("001190000123")!
        let batch = try UpdateBatch(ndjson: """
            {"sequence":2}
            {"op":"setDocumentStatus","documentType":"driving-licence","documentNumber":"010123456789","status":"suspended"}
            {"op":"upsertDocument","document":\(DocumentCodec.ndjson(Self.marriage))}
            {"op":"setOrganizationStatus","organizationId":"0101234567","status":"dissolved"}
            """)
        #expect(try UpdateBatch(ndjson: batch.ndjson()) == batch)
        #expect(try store.apply(batch) == .applied(operations: 3, sequence: 2))
        store.makeReader().withTransaction { txn in
            #expect(txn.document(.drivingLicence, number: "010123456789")?.status == .suspended)
            #expect(txn.document(.drivingLicence, number: "010123456789")?.sequence == 2)
            #expect(txn.documents(heldBy: IDNumber("001190000123")!).count == 1)
            #expect(txn.organization(OrganizationID("0101234567")!)?.status == .dissolved)
        }
        // Moving a document to another holder moves its index entry; deleting removes it.
        let second = UpdateBatch(sequence: 3, operations: [
            .kind(.upsertDocument(moved)), .kind(.deleteDocument(.marriageCertificate, number: Self.marriage.number)),
            .kind(.deleteOrganization(Self.company.organizationId)),
        ])
        #expect(try store.apply(second) == .applied(operations: 3, sequence: 3))
        store.makeReader().withTransaction { txn in
            #expect(txn.documents(heldBy: IDNumber("001085012345")!).isEmpty)
            #expect(txn.documents(heldBy: IDNumber("001190000123")!).map(\.type) == [.drivingLicence])
            #expect(txn.organization(Self.company.organizationId) == nil)
        }
        // An unknown document fails the whole batch naming its line.
        let failing = try UpdateBatch(ndjson: """
            {"sequence":4}
            {"op":"setDocumentStatus","documentType":"driving-licence","documentNumber":"999999999999","status":"revoked"}
            """)
        #expect { try store.apply(failing) } throws: { ($0 as? InputError)?.line == 2 }
        #expect(throws: InputError.self) {
            try UpdateBatch(ndjson: "{\"sequence\":4}\n{\"op\":\"deleteOrganization\",\"organizationId\":\"12\"}\n")
        }
    }

    @Test func generatedKindsBelongToGeneratedResidentsAndImport() throws {
        let residents = Array(ResidentGenerator(seed: 9).prefix(400))
        var generator = KindGenerator(seed: 9)
        let documents = generator.documents(for: residents)
        let organizations = generator.organizations(count: 30, residents: residents)
        let ids = Set(residents.map(\.idNumber))
        #expect(documents.count > 400)
        #expect(Set(documents.map(\.type)) == Set(DocumentType.allCases))
        #expect(documents.allSatisfy { ids.contains($0.holderIdNumber) && $0.type.canonicalNumber($0.number) == $0.number })
        #expect(organizations.count == 30)
        #expect(organizations.allSatisfy { ids.contains($0.legalRepresentativeIdNumber!) })
        #expect(organizations.contains { $0.name.hasPrefix("Công ty Cổ phần") })
        #expect(organizations.contains { $0.name.hasPrefix("Công ty TNHH") })
        // Deterministic.
        var again = KindGenerator(seed: 9)
        #expect(again.documents(for: residents) == documents)
        let directory = TemporaryDirectory()
        var options = ImportOptions()
        options.kinds.documents = documents
        options.kinds.organizations = organizations
        _ = try RegistryImporter(directory: directory.path, options: options).importRecords(residents)
        let store = try RegistryStore.open(directory: directory.path)
        #expect(store.sampleDocuments(count: 10).count == 10)
        #expect(store.sampleOrganizations(count: 5).count == 5)
    }
}

import Testing
@testable import IDGateChip

/// The typed chip structures read their fields in order: a wrong tag, a missing field, a field left over or bytes
/// after the structure are each an error, never skipped.
@Suite struct ASN1StructureTests {
    static let hash = [UInt8](repeating: 0xAB, count: 32)
    static let sha256 = DERWriter.algorithm(.sha256, nullParameters: true)

    static func dataGroupHash(_ number: Int, _ hash: [UInt8] = ASN1StructureTests.hash, extra: [[UInt8]] = []) -> [UInt8] {
        DERWriter.sequence([DERWriter.integer(number), DERWriter.octetString(hash)] + extra)
    }

    static func lds(version: Int = 0, hashes: [[UInt8]] = [dataGroupHash(1)], tail: [[UInt8]] = []) -> [UInt8] {
        DERWriter.sequence([DERWriter.integer(version), sha256, DERWriter.sequence(hashes)] + tail)
    }

    static let versionInfo = DERWriter.sequence([DERWriter.printableString("0108"), DERWriter.printableString("040000")])

    func parseLDS(_ bytes: [UInt8]) -> Result<LDSSecurityObject, LDSSecurityObject.ParseError> {
        Result { () throws(LDSSecurityObject.ParseError) in try LDSSecurityObject(der: bytes[...]) }
    }

    @Test func ldsSecurityObjectFieldsInOrder() throws {
        let v0 = try parseLDS(Self.lds()).get()
        #expect(v0.version == 0 && v0.hashAlgorithm == .sha256 && v0.dataGroupHashes == [1: Self.hash] && v0.ldsVersion == nil)
        let v1 = try parseLDS(Self.lds(version: 1, tail: [Self.versionInfo])).get()
        #expect(v1.ldsVersion == "0108")
        #expect(try parseLDS(LDSSecurityObject.encode(hashAlgorithm: .sha256, dataGroupHashes: [1: Self.hash, 15: Self.hash])).get()
            .dataGroupHashes.keys.sorted() == [1, 15])
    }

    @Test func ldsSecurityObjectLeftoversAndWrongTagsAreRejected() {
        let cases: [(String, [UInt8], LDSSecurityObject.ParseError)] = [
            ("field after ldsVersionInfo", Self.lds(version: 1, tail: [Self.versionInfo, DERWriter.integer(5)]), .malformed("malformed ASN.1")),
            ("v0 with a fourth field", Self.lds(tail: [DERWriter.integer(5)]), .malformed("ldsVersionInfo")),
            ("v1 without ldsVersionInfo", Self.lds(version: 1), .malformed("ldsVersionInfo does not match version")),
            ("SET instead of SEQUENCE", DERWriter.tlv(ASN1Tag.set, Array(Self.lds().dropFirst(2))), .malformed("unexpected tag")),
            ("byte after the structure", Self.lds() + [0x00], .malformed("malformed ASN.1")),
            ("third field in a DataGroupHash", Self.lds(hashes: [Self.dataGroupHash(1, extra: [DERWriter.null()])]), .malformed("dataGroupHashValues")),
            ("data group 17", Self.lds(hashes: [Self.dataGroupHash(17)]), .malformed("dataGroupHashValues")),
            ("hash of the wrong length", Self.lds(hashes: [Self.dataGroupHash(1, [1, 2, 3])]), .malformed("data group hash entry")),
            ("data group hashed twice", Self.lds(hashes: [Self.dataGroupHash(1), Self.dataGroupHash(1)]), .malformed("data group hash entry")),
            ("hash as INTEGER", Self.lds(hashes: [DERWriter.sequence([DERWriter.integer(1), DERWriter.integer(7)])]), .malformed("dataGroupHashValues")),
            ("version 2", Self.lds(version: 2), .unsupportedVersion(2)),
            ("unknown hash", DERWriter.sequence([DERWriter.integer(0), DERWriter.algorithm(OID("1.2.3.4")), DERWriter.sequence([Self.dataGroupHash(1)])]),
             .unsupportedHashAlgorithm("1.2.3.4")),
        ]
        for (name, bytes, expected) in cases {
            #expect(parseLDS(bytes).failure == expected, "\(name)")
        }
    }

    // A SignedData put together by hand: parsing only, nothing here is signed.
    static func signerInfo(version: Int = 3, tail: [[UInt8]] = []) -> [UInt8] {
        DERWriter.sequence([
            DERWriter.integer(version), DERWriter.tlv(ASN1Tag.contextPrimitive(0), [1, 2, 3, 4]), sha256,
            DERWriter.algorithm(.ecdsaWithSHA256), DERWriter.octetString([0x30, 0x00]),
        ] + tail)
    }

    static func sod(
        digestAlgorithms: [[UInt8]] = [sha256], encapsulated: [UInt8]? = nil, signers: [[UInt8]] = [signerInfo()],
        tail: [[UInt8]] = [], wrapper: UInt32 = 0x77
    ) -> [UInt8] {
        let content = encapsulated
            ?? DERWriter.sequence([DERWriter.oid(.ldsSecurityObject), DERWriter.explicit(0, DERWriter.octetString(lds()))])
        let signedData = DERWriter.sequence(
            [DERWriter.integer(3), DERWriter.set(digestAlgorithms), content, DERWriter.set(signers)] + tail)
        return DERWriter.tlv(wrapper, DERWriter.sequence([DERWriter.oid(.signedData), DERWriter.explicit(0, signedData)]))
    }

    let verifier = ChipVerifier(trustStore: Fixture.emptyTrust)

    func errors(_ sod: [UInt8]) -> [String] { verifier.verify(sod: sod, dataGroups: [:]).passiveAuth.errors }

    @Test func handMadeSignedDataParses() {
        // Structurally sound: it gets as far as looking for the signer's certificate.
        #expect(errors(Self.sod()) == ["signer_certificate_not_found"])
        // The optional crls [1] and unsignedAttrs [1] are skipped.
        #expect(errors(Self.sod(signers: [Self.signerInfo(tail: [DERWriter.explicit(1, DERWriter.null())])])) == ["signer_certificate_not_found"])
    }

    @Test func signedDataLeftoversAndWrongTagsAreRejected() {
        let cases: [(String, [UInt8], String)] = [
            ("field after signerInfos", Self.sod(tail: [DERWriter.integer(1)]), "sod_malformed:malformed ASN.1"),
            ("field after the signature", Self.sod(signers: [Self.signerInfo(tail: [DERWriter.integer(1)])]), "sod_malformed:malformed ASN.1"),
            ("version 1 naming a key identifier", Self.sod(signers: [Self.signerInfo(version: 1)]),
             "sod_malformed:SignerInfo version 1 with subjectKeyIdentifier"),
            ("digest not announced", Self.sod(digestAlgorithms: [DERWriter.algorithm(.sha384, nullParameters: true)]),
             "sod_malformed:digest algorithm not announced in SignedData"),
            ("no encapsulated content", Self.sod(encapsulated: DERWriter.sequence([DERWriter.oid(.ldsSecurityObject)])),
             "sod_malformed:no encapsulated content"),
            ("no signer", Self.sod(signers: []), "sod_malformed:no SignerInfo"),
            ("two signers", Self.sod(signers: [Self.signerInfo(), Self.signerInfo()]), "sod_malformed:2 signers (exactly one expected)"),
            ("wrong file tag", Self.sod(wrapper: 0x78), "sod_malformed:file tag [APPLICATION 24] where [APPLICATION 23] expected"),
            ("byte after the file", Self.sod() + [0x00], "sod_trailing_data:1"),
        ]
        for (name, sod, expected) in cases {
            #expect(errors(sod) == [expected], "\(name)")
        }
        // Not SignedData at all.
        let enveloped = DERWriter.tlv(0x77, DERWriter.sequence([DERWriter.oid(OID("1.2.840.113549.1.7.3")), DERWriter.explicit(0, DERWriter.null())]))
        #expect(errors(enveloped) == ["sod_malformed:not a CMS SignedData"])
    }

    @Test func dataGroupWrappersAreExact() {
        let dg1 = MRZ.vietnameseIDCardDG1(record: GeneratedCardTests.residents[0])
        #expect(throws: Never.self) { try MRZ(dg1: dg1) }
        for bad in [dg1 + [0x00], [0x62] + dg1.dropFirst(), DERWriter.tlv(0x61, DERWriter.tlv(0x5F20, Array(dg1.suffix(90))))] {
            #expect(throws: DataGroupParseError(dataGroup: 1, reason: "not a DG1 file")) { try MRZ(dg1: bad) }
        }
        let key = DERWriter.sequence([DERWriter.algorithm(.ecPublicKey), DERWriter.tlv(ASN1Tag.bitString, [0])])
        for bad in [DERWriter.tlv(0x6F, key) + [0], DERWriter.tlv(0x6F, key + DERWriter.null()), DERWriter.tlv(0x6E, key)] {
            #expect(ActiveAuthentication.verify(dg15: bad, challenge: [1], signature: [1]).reason == "dg15_unparsable")
        }
    }

    @Test func signatureStructures() throws {
        let value = DERWriter.sequence([DERWriter.integer(5), DERWriter.integer(7)])
        #expect(ECDSASignature.plain(fromDER: value, size: 2) == [0, 5, 0, 7])
        #expect(ECDSASignature.plain(fromDER: DERWriter.sequence([DERWriter.integer(5), DERWriter.integer(7), DERWriter.integer(9)]), size: 2) == nil)
        #expect(ECDSASignature.plain(fromDER: value + [0], size: 2) == nil)

        func pss(_ fields: [[UInt8]]) throws -> SignatureScheme {
            let parameters = try RSASSAPSSParameters(berEncoded: DERWriter.sequence(fields)[...])
            return .rsaPSS(hash: parameters.hash, mgf1Hash: parameters.mgf1Hash, saltLength: parameters.saltLength)
        }
        let sha256 = DERWriter.algorithm(.sha256, nullParameters: true)
        #expect(try pss([]) == .rsaPSS(hash: .sha1, mgf1Hash: .sha1, saltLength: 20))
        #expect(try pss([
            DERWriter.explicit(0, sha256), DERWriter.explicit(1, DERWriter.sequence([DERWriter.oid(.mgf1), sha256])),
            DERWriter.explicit(2, DERWriter.integer(32)), DERWriter.explicit(3, DERWriter.integer(1)),
        ]) == .rsaPSS(hash: .sha256, mgf1Hash: .sha256, saltLength: 32))
        // Out of order, or an unknown field: left over, so rejected.
        #expect(throws: (any Error).self) { try pss([DERWriter.explicit(2, DERWriter.integer(32)), DERWriter.explicit(0, sha256)]) }
        #expect(throws: (any Error).self) { try pss([DERWriter.explicit(4, DERWriter.integer(1))]) }
        #expect(throws: (any Error).self) { try pss([DERWriter.explicit(3, DERWriter.integer(2))]) }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

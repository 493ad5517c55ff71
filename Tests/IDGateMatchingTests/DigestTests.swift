import Crypto
import Foundation
import IDGateCore
import IDGateMatching
import IDGateStore
import Testing

@Suite struct DigestTests {
    func hex(_ digest: SHA256Key) -> String { digest.hex }
    /// swift-crypto as the independent reference.
    func hex(_ digest: SHA256Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }

    @Test func digestIsSHA256OfTheDocumentedCanonicalForm() throws {
        let request = try MatchRequest([
            .ref: "r-1", .phoneNumber: "+84 912 345 678", .idNumber: "001085012345", .fullName: "Nguyễn Văn An",
            .purpose: "account-opening", .dateOfBirth: "1985-03",
        ])
        let canonical = "idNumber=001085012345\nfullName=Nguyễn Văn An\ndateOfBirth=1985-03\nphoneNumber=+84 912 345 678\n"
        #expect(hex(request.requestDigest()) == hex(SHA256.hash(data: Array(canonical.utf8))))
    }

    @Test func digestIgnoresOrderRefAndPurposeButNotValues() throws {
        let a = try MatchRequest([.idNumber: "001085012345", .sex: "male", .fullName: "An", .ref: "x"])
        let b = try MatchRequest([.fullName: "An", .sex: "male", .idNumber: "001085012345", .purpose: "kyc"])
        let c = try MatchRequest([.fullName: "an", .sex: "male", .idNumber: "001085012345"])
        #expect(a.requestDigest() == b.requestDigest())
        #expect(a.requestDigest() != c.requestDigest())
    }

    @Test func knownVector() throws {
        let request = try MatchRequest([.idNumber: "001085012345", .sex: "female"])
        // printf 'idNumber=001085012345\nsex=female\n' | sha256sum
        #expect(hex(request.requestDigest()) == "cac6e58bb617f9dc6d8d7bc5d7a6b484ba0e446a6b8ff70fcb54f2d475ea0cb1")
    }
}

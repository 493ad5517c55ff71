import Foundation
import IDGateCore
import Testing

/// The shared helpers against Foundation's and the standards' own answers.
@Suite struct EncodingTests {
    @Test(arguments: [0, 1, 2, 3, 4, 5, 31, 32, 33, 64, 100])
    func base64MatchesFoundation(length: Int) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let standard = Data(bytes).base64EncodedString()
        #expect(Base64.encode(bytes) == standard)
        #expect(Base64.encodedCount(length) == standard.utf8.count)
        let url = standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        #expect(Base64.encodeURL(bytes) == url)
    }

    /// Strict decoding gives Foundation's bytes for every well-formed encoding (random lengths and contents) and
    /// refuses what is not the padded standard form, including the shapes Foundation lets through.
    @Test func base64DecodingAgreesWithFoundationOnValidInputAndIsStrict() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Data(bytes).base64EncodedString()
            #expect(Base64.decode(text) == bytes)
            #expect(Base64.decode(text) == Data(base64Encoded: text).map { [UInt8]($0) })
        }
        #expect(Base64.decode("QR==") == [65])  // unused low bits ignored, as Foundation does
        for bad in ["QQ=", "QQ", "Q===", "====", "QUJD====", "QU=D", "QQ==QQ==", "QUJD\n", " QUJD", "QU JD", "QUJ-", "QUJ_", "QUJ\u{00E9}"] {
            #expect(Base64.decode(bad) == nil, "\(bad.debugDescription)")
        }
    }

    @Test func base64URLDecodingInvertsEncodeURLAndRefusesOtherForms() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<100 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base64.decodeURL(Base64.encodeURL(bytes)) == bytes)
        }
        for bad in ["QQ==", "a+bc", "a/bc", "abcde", "ab c", "ab\u{00E9}"] {
            #expect(Base64.decodeURL(bad) == nil, "\(bad.debugDescription)")
        }
        #expect([UInt8]([1, 2, 3]).constantTimeEquals([1, 2, 3][...]))
        #expect(![UInt8]([1, 2, 3]).constantTimeEquals([1, 2, 4]))
        #expect(![UInt8]([1, 2, 3]).constantTimeEquals([1, 2]))
    }

    @Test func hexBothWays() {
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.decode("000FA5ff") == [0x00, 0x0f, 0xa5, 0xff])
        #expect(Hex.decode("00:0f a5", ignoring: [UInt8(ascii: ":"), UInt8(ascii: " ")]) == [0x00, 0x0f, 0xa5])
        #expect(Hex.decode("abc") == nil, "odd length")
        #expect(Hex.decode("zz") == nil, "not a digit")
        #expect(Hex.decode("") == [])
    }

    @Test func jsonStringEscapesQuotesBackslashesAndControlCharacters() {
        var out: [UInt8] = []
        out.write(jsonString: "a\"b\\c\n\r\t\u{01}é")
        #expect(String(decoding: out, as: UTF8.self) == #""a\"b\\c\n\r\t\u0001é""#)
        let decoded = try? JSONSerialization.jsonObject(with: Data(out), options: .fragmentsAllowed) as? String
        #expect(decoded == "a\"b\\c\n\r\t\u{01}é")
    }

    @Test func sha256KeysMatchTheStandardVectors() {
        #expect(SHA256Key.hashing(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Key.hashing([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let key = SHA256Key.hashing(Array("abc".utf8))
        #expect(SHA256Key(hex: key.hex) == key)
        #expect(SHA256Key(bytes: key.bytes) == key)
        // Every form of the 32 bytes gives the same key: contiguous, a raw buffer, a slice, a non-contiguous collection.
        #expect(key.bytes.withUnsafeBytes { SHA256Key(bytes: $0) } == key)
        #expect(SHA256Key(bytes: ([0] + key.bytes)[1...]) == key)
        #expect(SHA256Key(bytes: key.bytes.reversed().reversed()) == key)
        #expect(SHA256Key(bytes: key.bytes.lazy.map { $0 }) == key)
        #expect(SHA256Key(bytes: key.bytes.prefix(31)) == nil)
        #expect([UInt8](repeating: 1, count: 33).withUnsafeBytes { SHA256Key(bytes: $0) } == nil)
    }
}

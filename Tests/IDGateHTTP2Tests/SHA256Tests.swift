import CIDGateSupport
import Foundation
import IDGateTestSupport
import Testing

/// SHA-256 and HMAC-SHA256 of CIDGateSupport/sha256.c against the published vectors (FIPS 180-4 examples,
/// RFC 4231) and against the openssl command on random messages, through the CPU's SHA instructions and through the
/// portable block function. Serialized: the portable switch is process-wide.
@Suite(.serialized) struct SHA256Tests {
    static let implementations = [Implementation.cpu, .portable]

    enum Implementation: String, CustomTestStringConvertible {
        case cpu, portable
        var testDescription: String { rawValue }
    }

    /// Runs `body` with the block function `implementation`, then returns to the CPU's.
    private func using<Result>(_ implementation: Implementation, _ body: () throws -> Result) rethrows -> Result {
        idgate_sha256_force_portable(implementation == .portable ? 1 : 0)
        defer { idgate_sha256_force_portable(0) }
        if implementation == .portable {
            #expect(String(cString: idgate_sha256_implementation()) == "portable")
        }
        return try body()
    }

    // MARK: - Published vectors

    @Test(arguments: implementations)
    func fips180Examples(_ implementation: Implementation) {
        using(implementation) {
            #expect(sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            #expect(sha256([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            // 448 bits: the padding's length field no longer fits the first block.
            #expect(
                sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                    == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
            let message896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                + "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
            #expect(sha256(Array(message896.utf8))
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
            let millionA = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
            let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
            #expect(sha256(millionA) == expected)
            // The same million bytes fed in uneven parts, crossing block boundaries everywhere.
            var context = idgate_sha256_ctx()
            idgate_sha256_init(&context)
            var offset = 0
            var part = 1
            while offset < millionA.count {
                let end = min(offset + part, millionA.count)
                update(&context, millionA[offset..<end])
                offset = end
                part = part % 997 + 13
            }
            #expect(final(&context) == expected)
        }
    }

    /// RFC 4231 §4.2-4.8: keys shorter than, equal to and longer than the block, and a truncated tag (case 5).
    @Test(arguments: implementations)
    func rfc4231Cases(_ implementation: Implementation) {
        let cases: [(key: [UInt8], message: [UInt8], tag: String)] = [
            ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
             "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            (Array(1...25), [UInt8](repeating: 0xcd, count: 50),
             "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
            ([UInt8](repeating: 0x0c, count: 20), Array("Test With Truncation".utf8),
             "a3b6167473100ee06e0c796c2955552b"),
            ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            ([UInt8](repeating: 0xaa, count: 131),
             Array(("This is a test using a larger than block-size key and a larger than block-size data. The key needs"
                 + " to be hashed before being used by the HMAC algorithm.").utf8),
             "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
        ]
        using(implementation) {
            for (number, testCase) in zip(1..., cases) {
                let key = hmacKey(testCase.key)
                let tag = hmac(key, testCase.message)
                #expect(tag.hasPrefix(testCase.tag), "RFC 4231 test case \(number)")
                #expect(tag.count == 64, "RFC 4231 test case \(number)")
            }
        }
    }

    // MARK: - Against openssl

    @Test(arguments: implementations)
    func randomMessagesMatchOpenSSL(_ implementation: Implementation) async throws {
        var generator = SplitMix64(seed: 0x5eed_0001)
        // Two messages of every length 0...300: empty, partial blocks, exact blocks, padding spilling over.
        let messages = (0..<602).map { index in generator.bytes(index / 2) }
        let keys = [0, 1, 20, 32, 63, 64, 65, 100, 131].map { generator.bytes($0) }
        try await withMessageFiles(messages) { files in
            let expectedDigests = try await opensslDigests(["-sha256"], files: files)
            using(implementation) {
                for (index, message) in messages.enumerated() {
                    #expect(sha256(message) == expectedDigests[index], "message \(index), \(message.count) bytes")
                }
            }
            for key in keys {
                let macOption = key.isEmpty ? ["-hmac", ""] : ["-mac", "HMAC", "-macopt", "hexkey:\(hex(key))"]
                let expectedTags = try await opensslDigests(["-sha256"] + macOption, files: files)
                using(implementation) {
                    let hmacKey = hmacKey(key)
                    for (index, message) in messages.enumerated() {
                        #expect(
                            hmac(hmacKey, message) == expectedTags[index],
                            "key of \(key.count) bytes, message \(index) of \(message.count) bytes")
                    }
                }
            }
        }
    }

    @Test(arguments: implementations)
    func updatesSplitAtEveryPointMatchOneShot(_ implementation: Implementation) async throws {
        var generator = SplitMix64(seed: 0x5eed_0002)
        let messages = [129, 300].map { generator.bytes($0) }
        let key = generator.bytes(40)
        try await withMessageFiles(messages) { files in
            let expectedDigests = try await opensslDigests(["-sha256"], files: files)
            let expectedTags = try await opensslDigests(
                ["-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(hex(key))"], files: files)
            using(implementation) {
                let hmacKey = hmacKey(key)
                for (index, message) in messages.enumerated() {
                    #expect(sha256(message) == expectedDigests[index])
                    #expect(hmac(hmacKey, message) == expectedTags[index])
                    for split in 0...message.count {
                        var context = idgate_sha256_ctx()
                        idgate_sha256_init(&context)
                        update(&context, message[..<split])
                        update(&context, message[split...])
                        #expect(final(&context) == expectedDigests[index], "\(message.count) bytes split at \(split)")

                        var inner = hmacKey.inner
                        update(&inner, message[..<split])
                        update(&inner, message[split...])
                        #expect(
                            hmacFinal(hmacKey, &inner) == expectedTags[index],
                            "HMAC of \(message.count) bytes split at \(split)")
                    }
                    // One byte at a time.
                    var context = idgate_sha256_ctx()
                    idgate_sha256_init(&context)
                    for byte in message { update(&context, [byte][...]) }
                    #expect(final(&context) == expectedDigests[index])
                }
            }
        }
    }

    // MARK: - Value semantics and edge inputs

    /// A copied context is an independent computation: the prefix is hashed once, each copy finishes on its own.
    @Test(arguments: implementations)
    func copiedContextsContinueIndependently(_ implementation: Implementation) {
        using(implementation) {
            let prefix = Array(repeating: UInt8(ascii: "p"), count: 70)
            var shared = idgate_sha256_ctx()
            idgate_sha256_init(&shared)
            update(&shared, prefix[...])
            for suffixLength in [0, 1, 57, 64, 200] {
                let suffix = Array(repeating: UInt8(suffixLength), count: suffixLength)
                var copy = shared
                update(&copy, suffix[...])
                #expect(final(&copy) == sha256(prefix + suffix), "suffix of \(suffixLength) bytes")
            }
            #expect(final(&shared) == sha256(prefix))
        }
    }

    /// A NULL pointer with length 0 is the empty message (what an empty Swift buffer's base address is).
    @Test func nullWithZeroLengthIsTheEmptyMessage() {
        var digest = [UInt8](repeating: 0, count: 32)
        idgate_sha256(nil, 0, &digest)
        #expect(hex(digest) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

        var context = idgate_sha256_ctx()
        idgate_sha256_init(&context)
        idgate_sha256_update(&context, nil, 0)
        #expect(final(&context) == hex(digest))

        // An empty key pads to 64 zero bytes, like every all-zero key up to the block size.
        var emptyKey = idgate_hmac_sha256_key()
        idgate_hmac_sha256_init_key(&emptyKey, nil, 0)
        let zeroKey = hmacKey([UInt8](repeating: 0, count: 64))
        var tag = [UInt8](repeating: 0, count: 32)
        idgate_hmac_sha256(&emptyKey, nil, 0, &tag)
        #expect(hex(tag) == hmac(zeroKey, []))
        // Known value: HMAC-SHA256 with an empty key over an empty message.
        #expect(hex(tag) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    /// On CPUs with SHA instructions the fast path is the one taken (else the other tests would only prove the
    /// portable code twice).
    @Test func cpuInstructionsAreUsedWhenPresent() throws {
        let name = String(cString: idgate_sha256_implementation())
        #if os(Linux) && arch(x86_64)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let hasSHA = flags.split(separator: " ").contains("sha_ni")
        #expect(name == (hasSHA ? "x86-sha-ni" : "portable"))
        #elseif os(Linux) && arch(arm64)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let features = cpuinfo.split(separator: "\n").first { $0.hasPrefix("Features") } ?? ""
        let hasSHA = features.split(separator: " ").contains("sha2")
        #expect(name == (hasSHA ? "armv8-sha2" : "portable"))
        #elseif os(macOS) && arch(arm64)
        #expect(name == "armv8-sha2")
        #else
        #expect(["x86-sha-ni", "armv8-sha2", "portable"].contains(name))
        #endif
    }

    // MARK: - Helpers

    private func sha256(_ message: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        message.withUnsafeBytes { idgate_sha256($0.baseAddress, $0.count, &digest) }
        return hex(digest)
    }

    private func update(_ context: inout idgate_sha256_ctx, _ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { idgate_sha256_update(&context, $0.baseAddress, $0.count) }
    }

    private func final(_ context: inout idgate_sha256_ctx) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        idgate_sha256_final(&context, &digest)
        return hex(digest)
    }

    private func hmacKey(_ key: [UInt8]) -> idgate_hmac_sha256_key {
        var hmacKey = idgate_hmac_sha256_key()
        key.withUnsafeBytes { idgate_hmac_sha256_init_key(&hmacKey, $0.baseAddress, $0.count) }
        return hmacKey
    }

    private func hmac(_ key: idgate_hmac_sha256_key, _ message: [UInt8]) -> String {
        var key = key
        var tag = [UInt8](repeating: 0, count: 32)
        message.withUnsafeBytes { idgate_hmac_sha256(&key, $0.baseAddress, $0.count, &tag) }
        return hex(tag)
    }

    private func hmacFinal(_ key: idgate_hmac_sha256_key, _ inner: inout idgate_sha256_ctx) -> String {
        var key = key
        var tag = [UInt8](repeating: 0, count: 32)
        idgate_hmac_sha256_final(&key, &inner, &tag)
        return hex(tag)
    }

    private func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Writes each message to a file of its own in a fresh directory (removed afterwards) and passes the paths.
    private func withMessageFiles(
        _ messages: [[UInt8]], _ body: ([String]) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("idgate-sha256-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [String] = []
        for (index, message) in messages.enumerated() {
            let path = directory.appendingPathComponent("\(index)").path
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            try #require(descriptor >= 0, "cannot create \(path)")
            defer { close(descriptor) }
            let written = message.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            try #require(written == message.count, "short write to \(path)")
            files.append(path)
        }
        try await body(files)
    }

    /// Runs `openssl dgst` with `options` over `files` and returns the hex digests in the order of the files.
    private func opensslDigests(_ options: [String], files: [String]) async throws -> [String] {
        let result = try await Subprocess.run(["openssl", "dgst"] + options + ["-r"] + files)
        try #require(result.status == 0, "openssl failed: \(result.stderr)")
        let digests = result.text.split(separator: "\n").map { String($0.prefix { $0 != " " }) }
        try #require(digests.count == files.count, "openssl gave \(digests.count) digests for \(files.count) files")
        try #require(digests.allSatisfy { $0.count == 64 }, "unexpected openssl output: \(result.text.prefix(200))")
        return digests
    }
}

/// A seeded generator so a failing message can be reproduced (SplitMix64, Steele et al. 2014).
private struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        while bytes.count < count { withUnsafeBytes(of: next()) { bytes.append(contentsOf: $0) } }
        return Array(bytes.prefix(count))
    }
}

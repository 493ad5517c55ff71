import Foundation
import Testing
@testable import IDGateAudit
@testable import IDGateGateway
import IDGateDemo
@testable import IDGateWire
import IDGateCore

@Suite struct BatchResponseSignerTests {
    @Test(arguments: [1, 2, 3, 5, 8, 13, 64])
    func everyBodyVerifiesWithItsOwnHeaderOnly(count: Int) throws {
        let signer = ResponseSigner.generate()
        let bodies = (0..<count).map { Array(#"{"transactionId":"tx-\#($0)","decision":"match"}"#.utf8) }
        let headers = BatchResponseSigner(signer: signer).headerValues(for: bodies)
        #expect(headers.count == count)
        for (index, header) in headers.enumerated() {
            #expect(signer.publicKey.verifies(headerValue: header, body: bodies[index]), "body \(index) of \(count)")
            #expect(!signer.publicKey.verifies(headerValue: header, body: bodies[(index + 1) % count] + (count == 1 ? [0x20] : [])))
        }
        // One signature for the whole batch.
        #expect(Set(headers.map { SignatureHeader($0)!.signature }).count == 1)
    }

    @Test func tamperedPathOrPositionFails() throws {
        let signer = ResponseSigner.generate()
        let bodies = (0..<6).map { Array("body-\($0)".utf8) }
        let header = BatchResponseSigner(signer: signer).headerValues(for: bodies)[2]
        let parsed = try #require(SignatureHeader(header))
        let batch = try #require(parsed.batch)
        var path = batch.path
        path[0] ^= 1
        let badPath = "keyid=\(parsed.keyID); sig=\(Data(parsed.signature).base64EncodedString()); leaf=2/6; path=\(Data(path).base64EncodedString())"
        #expect(!signer.publicKey.verifies(headerValue: badPath, body: bodies[2]))
        let badIndex = header.replacingOccurrences(of: "leaf=2/6", with: "leaf=3/6")
        #expect(!signer.publicKey.verifies(headerValue: badIndex, body: bodies[2]))
        let shortPath = "keyid=\(parsed.keyID); sig=\(Data(parsed.signature).base64EncodedString()); leaf=2/6; path="
        #expect(!signer.publicKey.verifies(headerValue: shortPath, body: bodies[2]))
    }

    @Test(arguments: [[1], [4], [1, 3, 5, 2], [7, 1, 1, 16]])
    func groupedBodiesVerifyWithTheirSharedHeader(sizes: [Int]) throws {
        let signer = ResponseSigner.generate()
        let bodies = sizes.enumerated().map { group, size in
            (0..<size).map { Array(#"{"transactionId":"tx-\#(group)-\#($0)"}"#.utf8) }
        }
        let leaves = bodies.map { $0.map { body in body.withUnsafeBytes { MerkleHash.leaf($0) } } }
        let headers = BatchResponseSigner(signer: signer).headerValues(groups: leaves)
        #expect(headers.count == sizes.count)
        for (group, header) in headers.enumerated() {
            let parsed = try #require(SignatureHeader(header))
            #expect(parsed.batch?.index == group)
            #expect(parsed.leaves == (sizes[group] > 1 ? leaves[group] : nil))
            for body in bodies[group] {
                #expect(signer.publicKey.verifies(headerValue: header, body: body))
                #expect(!signer.publicKey.verifies(headerValue: header, body: body + [0x20]))
            }
            // Another group's body is not proven by this group's header.
            let otherGroup = (group + 1) % sizes.count
            if otherGroup != group {
                #expect(!signer.publicKey.verifies(headerValue: header, body: bodies[otherGroup][0]))
            }
        }
        // One signature for all groups.
        #expect(Set(headers.map { SignatureHeader($0)!.signature }).count == 1)
    }

    @Test func editedLeafListFails() throws {
        let signer = ResponseSigner.generate()
        let bodies = (0..<5).map { Array("body-\($0)".utf8) }
        let leaves = bodies.map { body in body.withUnsafeBytes { MerkleHash.leaf($0) } }
        let batch = BatchResponseSigner(signer: signer)
        let header = batch.headerValues(groups: [leaves, [leaves[0]]])[0]
        #expect(signer.publicKey.verifies(headerValue: header, body: bodies[3]))
        // A forged body's leaf added to (or swapped into) the list changes the group root: the signature fails.
        let forged = Array("forged".utf8)
        let forgedLeaf = forged.withUnsafeBytes { MerkleHash.leaf($0) }
        let list = header.components(separatedBy: "; leaves=")
        func withLeaves(_ hashes: [SHA256Key]) -> String {
            var bytes: [UInt8] = []
            for hash in hashes { bytes.append(hash) }
            return list[0] + "; leaves=" + Data(bytes).base64EncodedString()
        }
        #expect(signer.publicKey.verifies(headerValue: withLeaves(leaves), body: bodies[1]), "re-encoding is faithful")
        #expect(!signer.publicKey.verifies(headerValue: withLeaves(leaves + [forgedLeaf]), body: forged))
        #expect(!signer.publicKey.verifies(headerValue: withLeaves([forgedLeaf] + leaves.dropFirst()), body: forged))
        // Reordered leaves give another root too.
        #expect(!signer.publicKey.verifies(headerValue: withLeaves(leaves.reversed()), body: bodies[1]))
        // A list of one is not a group (a lone answer has no list), and a truncated hash is malformed.
        #expect(!signer.publicKey.verifies(headerValue: withLeaves([leaves[0]]), body: bodies[0]))
        #expect(SignatureHeader(list[0] + "; leaves=" + Data(repeating: 1, count: 31).base64EncodedString()) == nil)
    }

    @Test func groupsFitTheConnectionsHeaderTable() throws {
        let signer = ResponseSigner.generate()
        let batch = BatchResponseSigner(signer: signer)
        #expect(batch.maximumGroupSize(headerTableSize: 0) == 1)
        #expect(batch.maximumGroupSize(headerTableSize: 512) == 1)
        let size = batch.maximumGroupSize(headerTableSize: 4096)
        #expect(size > 32)
        // The longest value, a full group in a tick of 2^16 groups, stays within nghttp2's indexing limit for that
        // table. Built with 2^10 groups (10 sibling hashes) plus the base64 length of 6 more.
        let leaves = (0..<size).map { SHA256Key.hashing(Array("leaf-\($0)".utf8)) }
        var groups = Array(repeating: [leaves[0]], count: 1023)
        groups.append(leaves)
        let value = batch.headerValues(groups: groups).last!
        #expect(SignatureHeader(value)?.leaves?.count == size)
        #expect(SignatureHeader(value)?.batch?.path.count == 10 * 32)
        let longest = value.utf8.count + Base64.encodedCount(16 * 32) - Base64.encodedCount(10 * 32)
        #expect(ResponseSigner.headerName.utf8.count + longest + 32 <= 4096 * 3 / 4)
        // The budget is not wasteful: two more members would not fit.
        #expect(ResponseSigner.headerName.utf8.count + longest + 2 * 43 + 32 > 4096 * 3 / 4 || size == 64)
    }

    @Test func singleSignatureIsNotABatchRoot() throws {
        // A body signed alone must not verify as a batch, and a batch root signature must not verify as a body.
        let signer = ResponseSigner.generate()
        let body = Array("{}".utf8)
        let single = signer.headerValue(for: body)
        #expect(!signer.publicKey.verifies(headerValue: single + "; leaf=0/1; path=", body: body))
        let batch = BatchResponseSigner(signer: signer).headerValues(for: [body])[0]
        let withoutPosition = batch.components(separatedBy: "; leaf=")[0]
        #expect(!signer.publicKey.verifies(headerValue: withoutPosition, body: body))
    }
}

@Suite struct Base64Tests {
    @Test func matchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var encoded: [UInt8] = []
            Base64.append(bytes[...], to: &encoded)
            #expect(String(decoding: encoded, as: UTF8.self) == Data(bytes).base64EncodedString(), "length \(length)")
        }
    }
}

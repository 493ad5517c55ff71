import Foundation
import Testing
@testable import IDGateGateway

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
        let header = try #require(BatchResponseSigner(signer: signer).headerValues(for: bodies)[2])
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
    func groupedBodiesVerifyWithBothHeaders(sizes: [Int]) throws {
        let signer = ResponseSigner.generate()
        let bodies = sizes.enumerated().map { group, size in
            (0..<size).map { Array(#"{"transactionId":"tx-\#(group)-\#($0)"}"#.utf8) }
        }
        let leaves = bodies.map { $0.map { body in body.withUnsafeBytes { MerkleHash.leaf($0) } } }
        let groups = BatchResponseSigner(signer: signer).headerValues(groups: leaves)
        #expect(groups.count == sizes.count)
        for (group, headers) in groups.enumerated() {
            #expect(headers.subtrees.count == sizes[group])
            #expect(SignatureHeader(headers.signature)?.batch?.index == group)
            for (index, body) in bodies[group].enumerated() {
                let subtree = headers.subtrees[index]
                #expect((subtree == nil) == (sizes[group] == 1))
                #expect(signer.publicKey.verifies(headerValue: headers.signature, subtree: subtree, body: body))
                #expect(!signer.publicKey.verifies(headerValue: headers.signature, subtree: subtree, body: body + [0x20]))
                if sizes[group] > 1 {
                    // The shared header alone does not prove a member, nor does another member's position.
                    #expect(!signer.publicKey.verifies(headerValue: headers.signature, body: body))
                    let other = headers.subtrees[(index + 1) % sizes[group]]
                    #expect(!signer.publicKey.verifies(headerValue: headers.signature, subtree: other, body: body))
                }
            }
        }
        // One signature for all groups.
        #expect(Set(groups.map { SignatureHeader($0.signature)!.signature }).count == 1)
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

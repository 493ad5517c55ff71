import Crypto
import Foundation

/// Signs many response bodies with one Ed25519 signature: a Merkle tree over the bodies, its root signed, each
/// response carrying the signature and its inclusion path.
///
/// Why: one Ed25519 signature costs tens of microseconds, as much as a whole match; signing the responses an event
/// loop produced in one tick together costs one signature per tick plus two small hashes per response, and adds no
/// waiting. Header: `keyid=<kid>; sig=<base64>; leaf=<index>/<count>; path=<base64 of the sibling hashes>`.
/// Leaves are SHA-256(0x00 ‖ body), nodes SHA-256(0x01 ‖ left ‖ right); an unpaired last node moves up unchanged;
/// the signature covers `idgate-merkle-v1:` ‖ root.
public struct BatchResponseSigner: Sendable {
    static let rootPrefix = Array("idgate-merkle-v1:".utf8)
    public let signer: ResponseSigner

    public init(signer: ResponseSigner) { self.signer = signer }

    /// One `x-idgate-signature` value per body, in order.
    public func headerValues(for bodies: [UnsafeRawBufferPointer]) -> [String] {
        headerValues(leaves: bodies.map { MerkleHash.leaf($0) })
    }

    /// One header value per leaf hash (`MerkleHash.leaf` of each body), in order. Per response this costs a few
    /// small hashes and one string; the signature is shared.
    func headerValues(leaves: [SHA256Key]) -> [String] {
        guard !leaves.isEmpty else { return [] }
        var levels: [[SHA256Key]] = [leaves]
        while let level = levels.last, level.count > 1 {
            levels.append(stride(from: 0, to: level.count, by: 2).map { index in
                index + 1 < level.count ? MerkleHash.node(level[index], level[index + 1]) : level[index]
            })
        }
        let signature = signer.signature(forRoot: levels.last![0])
        var prefix = Array("keyid=\(signer.keyID); sig=".utf8)
        Base64.append(signature[...], to: &prefix)
        prefix.append(contentsOf: "; leaf=".utf8)
        let countSuffix = Array("/\(leaves.count); path=".utf8)
        var path: [UInt8] = []
        path.reserveCapacity(32 * levels.count)
        var value: [UInt8] = []
        value.reserveCapacity(prefix.count + countSuffix.count + 12 + 44 * levels.count)
        return leaves.indices.map { leaf in
            path.removeAll(keepingCapacity: true)
            var index = leaf
            for level in levels.dropLast() {
                let sibling = index ^ 1
                if sibling < level.count { path.append(level[sibling]) }
                index /= 2
            }
            value.removeAll(keepingCapacity: true)
            value.append(contentsOf: prefix)
            value.append(contentsOf: String(leaf).utf8)
            value.append(contentsOf: countSuffix)
            Base64.append(path[...], to: &value)
            return String(decoding: value, as: UTF8.self)
        }
    }

    public func headerValues(for bodies: [[UInt8]]) -> [String] {
        func withPointers(_ remaining: ArraySlice<[UInt8]>, _ collected: [UnsafeRawBufferPointer]) -> [String] {
            guard let first = remaining.first else { return headerValues(for: collected) }
            return first.withUnsafeBytes { withPointers(remaining.dropFirst(), collected + [$0]) }
        }
        return withPointers(bodies[...], [])
    }
}

enum MerkleHash {
    static func leaf(_ body: UnsafeRawBufferPointer) -> SHA256Key {
        SHA256Key.hashing(prefix: 0x00, body)
    }

    static func node(_ left: SHA256Key, _ right: SHA256Key) -> SHA256Key {
        withUnsafeTemporaryAllocation(byteCount: 64, alignment: 8) { bytes in
            withUnsafeBytes(of: left.words) { bytes.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 32) }
            withUnsafeBytes(of: right.words) { (bytes.baseAddress! + 32).copyMemory(from: $0.baseAddress!, byteCount: 32) }
            return SHA256Key.hashing(prefix: 0x01, UnsafeRawBufferPointer(bytes))
        }
    }

    /// The root implied by a leaf, its position and its path; nil if the path has the wrong length.
    static func root(leaf: SHA256Key, index: Int, count: Int, path: [UInt8]) -> SHA256Key? {
        guard index >= 0, index < count, path.count % 32 == 0 else { return nil }
        var hash = leaf, index = index, width = count, offset = 0
        func nextSibling() -> SHA256Key? {
            guard offset + 32 <= path.count else { return nil }
            defer { offset += 32 }
            return SHA256Key(bytes: path[offset..<offset + 32])
        }
        while width > 1 {
            if index % 2 == 1 {
                guard let sibling = nextSibling() else { return nil }
                hash = node(sibling, hash)
            } else if index + 1 < width {
                guard let sibling = nextSibling() else { return nil }
                hash = node(hash, sibling)
            }
            index /= 2
            width = (width + 1) / 2
        }
        return offset == path.count ? hash : nil
    }
}

extension ResponseSigner {
    func signature(forRoot root: SHA256Key) -> [UInt8] {
        var message = BatchResponseSigner.rootPrefix
        message.append(root)
        return message.withUnsafeBytes { signature(for: $0) }
    }
}

/// Standard base64 (RFC 4648, padded), appended to a byte array: the signature header is built once per response.
enum Base64 {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    static func append(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        let encodedCount = (bytes.count + 2) / 3 * 4
        guard encodedCount > 0 else { return }
        let start = output.count
        output.append(contentsOf: repeatElement(UInt8(ascii: "="), count: encodedCount))
        let table = alphabet.utf8Start
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { buffer in
                let out = buffer.baseAddress! + start
                var read = 0, written = 0
                while read + 3 <= input.count {
                    let chunk = UInt32(input[read]) << 16 | UInt32(input[read + 1]) << 8 | UInt32(input[read + 2])
                    out[written] = table[Int(chunk >> 18)]
                    out[written + 1] = table[Int(chunk >> 12 & 63)]
                    out[written + 2] = table[Int(chunk >> 6 & 63)]
                    out[written + 3] = table[Int(chunk & 63)]
                    read += 3
                    written += 4
                }
                let rest = input.count - read
                guard rest > 0 else { return }
                let chunk = UInt32(input[read]) << 16 | (rest == 2 ? UInt32(input[read + 1]) << 8 : 0)
                out[written] = table[Int(chunk >> 18)]
                out[written + 1] = table[Int(chunk >> 12 & 63)]
                if rest == 2 { out[written + 2] = table[Int(chunk >> 6 & 63)] }
            }
        }
    }
}

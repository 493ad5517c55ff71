import Crypto
import Foundation

/// Signs many response bodies with one Ed25519 signature: a Merkle tree over the bodies, its root signed, each
/// response carrying the signature and its inclusion path.
///
/// Why: one Ed25519 signature costs tens of microseconds, as much as a whole match; signing the responses an event
/// loop produced in one tick together costs one signature per tick plus two small hashes per response, and adds no
/// waiting. Leaves are SHA-256(0x00 ‖ body), nodes SHA-256(0x01 ‖ left ‖ right); an unpaired last node moves up
/// unchanged; the signature covers `idgate-merkle-v1:` ‖ root.
///
/// Responses can be grouped (the gateway groups them by connection): each group's bodies form a subtree, and the
/// subtree roots are the leaves of the signed tree. The proof then travels in two headers (docs/CLIENTS.md):
/// `x-idgate-signature: keyid=<kid>; sig=<base64>; leaf=<group>/<groups>; path=<base64>` is the same for every
/// response of a group — HPACK sends it once per connection and tick and then as a table index — and
/// `x-idgate-signature-subtree: leaf=<index>/<count>; path=<base64>` places the body in its group (absent for a
/// group of one). A tick of 900 answers on 16 connections sends ~6 hashes per answer instead of 10 (each costs
/// ~43 Huffman-coded header bytes).
public struct BatchResponseSigner: Sendable {
    static let rootPrefix = Array("idgate-merkle-v1:".utf8)
    public static let subtreeHeaderName = "x-idgate-signature-subtree"
    public let signer: ResponseSigner

    public init(signer: ResponseSigner) { self.signer = signer }

    /// The signature header values of one group: `signature` is shared by every member, `subtrees[i]` places
    /// member i in the group (nil for a group of one).
    public struct GroupHeaders: Sendable {
        public var signature: String
        public var subtrees: [String?]
    }

    /// One `x-idgate-signature` value per body, in order (every body its own group: one header each).
    public func headerValues(for bodies: [UnsafeRawBufferPointer]) -> [String] {
        headerValues(leaves: bodies.map { MerkleHash.leaf($0) })
    }

    public func headerValues(for bodies: [[UInt8]]) -> [String] {
        headerValues(leaves: bodies.map { body in body.withUnsafeBytes { MerkleHash.leaf($0) } })
    }

    func headerValues(leaves: [SHA256Key]) -> [String] {
        headerValues(groups: leaves.map { [$0] }).map(\.signature)
    }

    /// Signs groups of leaf hashes (`MerkleHash.leaf` of each body) with one signature.
    public func headerValues(groups: [[SHA256Key]]) -> [GroupHeaders] {
        guard !groups.isEmpty else { return [] }
        // A group of one is its own root: no subtree to build or place it in.
        let subtrees = groups.map { $0.count > 1 ? MerkleTree(leaves: $0) : nil }
        let tree = MerkleTree(leaves: groups.indices.map { subtrees[$0]?.root ?? groups[$0][0] })
        let signature = signer.signature(forRoot: tree.root)
        var prefix = Array("keyid=\(signer.keyID); sig=".utf8)
        Base64.append(signature[...], to: &prefix)
        prefix.append(contentsOf: "; leaf=".utf8)
        var scratch: [UInt8] = []
        scratch.reserveCapacity(prefix.count + 64 + 44 * tree.depth)
        var path: [UInt8] = []
        path.reserveCapacity(32 * max(tree.depth, 1))
        func position(_ index: Int, of tree: MerkleTree, after start: [UInt8]) -> String {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: start)
            scratch.write(decimal: index)
            scratch.append(UInt8(ascii: "/"))
            scratch.write(decimal: tree.leafCount)
            scratch.append(contentsOf: "; path=".utf8)
            path.removeAll(keepingCapacity: true)
            tree.appendPath(of: index, to: &path)
            Base64.append(path[...], to: &scratch)
            return String(decoding: scratch, as: UTF8.self)
        }
        let subtreeStart = Array("leaf=".utf8)
        return groups.indices.map { group in
            GroupHeaders(
                signature: position(group, of: tree, after: prefix),
                subtrees: subtrees[group].map { subtree in
                    (0..<subtree.leafCount).map { position($0, of: subtree, after: subtreeStart) }
                } ?? [nil])
        }
    }
}

/// The levels of a Merkle tree, leaves first.
struct MerkleTree {
    private var levels: [[SHA256Key]]

    init(leaves: [SHA256Key]) {
        levels = [leaves]
        while let level = levels.last, level.count > 1 {
            levels.append(stride(from: 0, to: level.count, by: 2).map { index in
                index + 1 < level.count ? MerkleHash.node(level[index], level[index + 1]) : level[index]
            })
        }
    }

    var root: SHA256Key { levels.last![0] }
    var leafCount: Int { levels[0].count }
    var depth: Int { levels.count - 1 }

    /// Appends the sibling hashes from leaf `index` up to the root (an unpaired node has none at its level).
    func appendPath(of index: Int, to path: inout [UInt8]) {
        var index = index
        for level in levels.dropLast() {
            let sibling = index ^ 1
            if sibling < level.count { path.append(level[sibling]) }
            index /= 2
        }
    }
}

/// The hashes of the answer-signing Merkle tree (docs/CLIENTS.md): a leaf per answer body, a node per pair.
public enum MerkleHash {
    public static func leaf(_ body: UnsafeRawBufferPointer) -> SHA256Key {
        SHA256Key.hashing(prefix: 0x00, body)
    }

    public static func node(_ left: SHA256Key, _ right: SHA256Key) -> SHA256Key {
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

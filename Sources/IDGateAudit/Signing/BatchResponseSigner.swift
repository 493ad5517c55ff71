import Crypto
import Foundation
import IDGateCore
import IDGateWire

/// Signs many response bodies with one Ed25519 signature: a Merkle tree over the bodies, its root signed, each
/// response carrying the signature and its inclusion proof.
///
/// Why: one Ed25519 signature costs tens of microseconds, as much as a whole match; signing the responses an event
/// loop produced in one tick together costs one signature per tick plus two small hashes per response, and adds no
/// waiting. Leaves are SHA-256(0x00 ‖ body), nodes SHA-256(0x01 ‖ left ‖ right); an unpaired last node moves up
/// unchanged; the signature covers `idgate-merkle-v1:` ‖ root.
///
/// Responses are grouped (the gateway groups them by connection): each group's bodies form a subtree, and the
/// subtree roots are the leaves of the signed tree. Every member of a group carries the same header (docs/CLIENTS.md):
/// `x-idgate-signature: keyid=<kid>; sig=<base64>; leaf=<group>/<groups>; path=<base64>; leaves=<base64>`, where
/// `leaves` lists the group's leaf hashes; a verifier finds its body's leaf among them. Why not a per-answer path:
/// a value shared by the group is HPACK-indexed, sent once per connection and tick and then as a one-byte table
/// index, so each leaf hash is Huffman-coded once instead of ~6 sibling hashes per answer (that coding was the
/// largest cost of signing). A group must fit HPACK's indexing limit: `maximumGroupSize(headerTableSize:)`.
public struct BatchResponseSigner: Sendable {
    static let rootPrefix = Array("idgate-merkle-v1:".utf8)
    public let signer: ResponseSigner

    public init(signer: ResponseSigner) { self.signer = signer }

    /// The most answers one shared header can list and still be indexed by an HPACK encoder whose dynamic table
    /// holds `headerTableSize` bytes (nghttp2 indexes a field only if name + value + 32 ≤ 3/4 of the table).
    /// Budget for the rest of the value: a tree of 2^16 groups (16 sibling hashes). 1 when nothing would fit.
    public func maximumGroupSize(headerTableSize: Int) -> Int {
        let signature: Int = Base64.encodedCount(64) + Base64.encodedCount(16 * 32)
        let text: Int = "keyid=; sig=; leaf=65535/65536; path=; leaves=".utf8.count + signer.keyID.utf8.count
        let fixed: Int = ResponseSigner.headerName.utf8.count + 32 + text + signature
        let room = headerTableSize * 3 / 4 - fixed - 3  // base64 padding of the list
        return min(max(room / 43, 1), Self.groupSizeLimit)
    }

    /// Upper bound on a group: beyond it each answer's header copies cost more than the hashes they save.
    static let groupSizeLimit = 64


    /// One `x-idgate-signature` value per body, in order (every body its own group: one header each).
    public func headerValues(for bodies: [UnsafeRawBufferPointer]) -> [String] {
        headerValues(groups: bodies.map { [MerkleHash.leaf($0)] })
    }

    public func headerValues(for bodies: [[UInt8]]) -> [String] {
        headerValues(groups: bodies.map { body in [body.withUnsafeBytes { MerkleHash.leaf($0) }] })
    }

    /// Signs groups of leaf hashes (`MerkleHash.leaf` of each body) with one signature: one header value per group,
    /// shared by its members.
    public func headerValues(groups: [[SHA256Key]]) -> [String] {
        guard !groups.isEmpty else { return [] }
        // A group of one is its own root: no subtree to build and no list to send.
        let tree = MerkleTree(leaves: groups.map { $0.count > 1 ? MerkleTree(leaves: $0).root : $0[0] })
        let signature = signer.signature(forRoot: tree.root)
        var prefix = Array("keyid=\(signer.keyID); sig=".utf8)
        Base64.append(signature[...], to: &prefix)
        prefix.append(contentsOf: "; leaf=".utf8)
        var scratch: [UInt8] = []
        var bytes: [UInt8] = []
        return groups.indices.map { group in
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: prefix)
            scratch.write(decimal: group)
            scratch.append(UInt8(ascii: "/"))
            scratch.write(decimal: tree.leafCount)
            scratch.append(contentsOf: "; path=".utf8)
            bytes.removeAll(keepingCapacity: true)
            tree.appendPath(of: group, to: &bytes)
            Base64.append(bytes[...], to: &scratch)
            if groups[group].count > 1 {
                scratch.append(contentsOf: "; leaves=".utf8)
                bytes.removeAll(keepingCapacity: true)
                for leaf in groups[group] { bytes.append(leaf) }
                Base64.append(bytes[...], to: &scratch)
            }
            return String(decoding: scratch, as: UTF8.self)
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

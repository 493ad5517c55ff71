import SwiftASN1

/// An LDS elementary file as read from the chip: one ISO/IEC 7816-4 BER-TLV under an application tag
/// (`[APPLICATION 1]` 0x61 DG1, `[APPLICATION 13]` 0x6D DG13, `[APPLICATION 15]` 0x6F DG15, `[APPLICATION 23]`
/// 0x77 EF.SOD) around the structure, in the exact bytes the SOD hashes.
enum ElementaryFile {
    enum Failure: Error {
        case tooLarge
        case malformed(String)
        /// The file's TLV ends before the bytes do, by this many bytes.
        case trailingData(Int)
    }

    /// The file's root node, which must carry `tag` and fill `bytes` exactly.
    static func parse(_ bytes: ArraySlice<UInt8>, tag: ASN1Identifier, maxSize: Int) throws(Failure) -> ASN1Node {
        guard bytes.count <= maxSize else { throw .tooLarge }
        // 7816-4 BER-TLV lengths are always definite, so the file's end is known from its header alone.
        guard let length = encodedLength(bytes) else { throw .malformed("truncated or indefinite file length") }
        guard length == bytes.count else { throw .trailingData(bytes.count - length) }
        let node: ASN1Node
        do {
            node = try BER.parse(bytes)
        } catch {
            throw .malformed(parseFailureReason(error))
        }
        guard node.identifier == tag else { throw .malformed("file tag \(tagName(node.identifier)) where \(tagName(tag)) expected") }
        return node
    }

    /// The single structure inside the file's wrapper.
    static func content(_ bytes: ArraySlice<UInt8>, tag: ASN1Identifier, maxSize: Int) throws(Failure) -> ASN1Node {
        let file = try parse(bytes, tag: tag, maxSize: maxSize)
        do {
            return try file.onlyChild(of: tag)
        } catch {
            throw .malformed(parseFailureReason(error))
        }
    }

    private static func tagName(_ identifier: ASN1Identifier) -> String {
        switch identifier.tagClass {
        case .application: "[APPLICATION \(identifier.tagNumber)]"
        case .contextSpecific: "[\(identifier.tagNumber)]"
        case .private: "[PRIVATE \(identifier.tagNumber)]"
        case .universal: "[UNIVERSAL \(identifier.tagNumber)]"
        }
    }

    /// Header plus content length of the TLV starting `bytes`, when its length is definite and within `bytes`.
    static func encodedLength(_ bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        guard index < bytes.endIndex else { return nil }
        if bytes[index] & 0x1F == 0x1F {
            // Multi-byte tag number: continuation bytes have the top bit set (at most 3, as 7816-4 allows).
            var count = 0
            repeat {
                index += 1
                count += 1
                guard index < bytes.endIndex, count <= 3 else { return nil }
            } while bytes[index] & 0x80 != 0
        }
        index += 1
        guard index < bytes.endIndex else { return nil }
        let first = bytes[index]
        index += 1
        var length = Int(first)
        if first & 0x80 != 0 {
            let count = Int(first & 0x7F)
            guard count >= 1, count <= 4, bytes.endIndex - index >= count else { return nil }
            length = 0
            for byte in bytes[index..<(index + count)] { length = length << 8 | Int(byte) }
            index += count
        }
        guard length <= bytes.endIndex - index else { return nil }
        return index - bytes.startIndex + length
    }
}

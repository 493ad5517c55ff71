import SwiftASN1

/// EF.SOD as read from the chip: the 0x77 application wrapper around a CMS SignedData whose content is the
/// LDSSecurityObject.
///
/// Parsing checks structure only (nothing cryptographic): the exact bytes, no trailing data after the wrapper,
/// a known hash algorithm, one signer. Legacy content types seen in issued documents are accepted and reported.
struct SecurityObjectDocument: Sendable {
    let signedData: SignedData
    let securityObject: LDSSecurityObject
    let signerInfo: SignerInfo
    /// Non-fatal findings (e.g. `legacy_content_type:id-data`).
    let warnings: [String]

    /// The largest EF.SOD accepted; real ones are 1-10 KB (a few certificates at most).
    static let maxSize = 64 * 1024

    enum ParseError: Error, Sendable {
        case tooLarge(Int)
        case malformed(String)
        case trailingData(Int)
        case lds(LDSSecurityObject.ParseError)
    }

    init(bytes: ArraySlice<UInt8>) throws(ParseError) {
        let contentInfo: ASN1Node
        do {
            contentInfo = try ElementaryFile.content(bytes, tag: .application(23), maxSize: SecurityObjectDocument.maxSize)
        } catch {
            switch error {
            case .tooLarge: throw .tooLarge(bytes.count)
            case .trailingData(let count): throw .trailingData(count)
            case .malformed(let detail): throw .malformed(detail)
            }
        }
        do {
            signedData = try SignedData(contentInfo: ContentInfo(berEncoded: contentInfo))
        } catch {
            throw .malformed(parseFailureReason(error))
        }
        guard signedData.signerInfos.count == 1 else {
            throw .malformed("\(signedData.signerInfos.count) signers (exactly one expected)")
        }
        signerInfo = signedData.signerInfos[0]
        var warnings: [String] = []
        if signedData.eContentType != .ldsSecurityObject {
            // Issued documents (e.g. CN) declare id-data; anything else is not an LDS security object.
            guard signedData.eContentType == .data else {
                throw .malformed("content type \(signedData.eContentType) is not an LDS security object")
            }
            warnings.append("legacy_content_type:id-data")
        }
        do {
            securityObject = try LDSSecurityObject(der: signedData.eContent)
        } catch {
            throw .lds(error)
        }
        self.warnings = warnings
    }
}

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
        guard bytes.count <= SecurityObjectDocument.maxSize else { throw .tooLarge(bytes.count) }
        let wrapper: ASN1Element
        var reader = ASN1Reader(bytes, depth: 0)
        do throws(ASN1Error) {
            guard let first = try reader.next() else { throw ASN1Error.truncated }
            wrapper = first
        } catch {
            throw .malformed(error.description)
        }
        guard wrapper.tag == 0x77 else { throw .malformed("EF.SOD tag is not 0x77") }
        guard reader.isAtEnd else { throw .trailingData(bytes.endIndex - wrapper.encoded.endIndex) }
        do throws(ASN1Error) {
            let contentInfo = try wrapper.unwrapped()
            signedData = try SignedData(contentInfo: contentInfo.encoded, maxSize: SecurityObjectDocument.maxSize)
        } catch {
            throw .malformed(error.description)
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

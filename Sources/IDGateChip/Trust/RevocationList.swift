import COpenSSL
import Foundation

/// A CSCA's certificate revocation list, reduced to what the chain check needs.
final class RevocationList: @unchecked Sendable {
    // @unchecked Sendable: the X509_CRL is only read after init, which OpenSSL allows from several threads.
    let crl: OpaquePointer
    let issuerName: DistinguishedName
    /// Serial magnitudes (leading zeros stripped) of revoked certificates.
    let revokedSerials: Set<[UInt8]>

    init(der: [UInt8]) throws {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509_CRL(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw OpenSSLError("d2i_X509_CRL") }
        crl = parsed
        issuerName = DistinguishedName(x509Name: X509_CRL_get_issuer(parsed))
        var serials = Set<[UInt8]>()
        if let revoked = X509_CRL_get_REVOKED(parsed) {
            for index in 0..<OPENSSL_sk_num(revoked) {
                let entry = OpaquePointer(OPENSSL_sk_value(revoked, index))
                let serial = X509_REVOKED_get0_serialNumber(entry)
                let bytes = Array(UnsafeBufferPointer(start: ASN1_STRING_get0_data(serial), count: Int(ASN1_STRING_length(serial))))
                serials.insert(Array(bytes.drop { $0 == 0 }))
            }
        }
        revokedSerials = serials
    }

    deinit { X509_CRL_free(crl) }

    func isSigned(by issuer: Certificate) -> Bool {
        guard let key = issuer.publicKey else { return false }
        defer { ERR_clear_error() }
        return X509_CRL_verify(crl, key) == 1
    }

    func revokes(_ certificate: Certificate) -> Bool {
        certificate.issuerName == issuerName && revokedSerials.contains(Array(certificate.serialMagnitude.drop { $0 == 0 }))
    }

    static func load(pemOrDER bytes: [UInt8]) throws -> [RevocationList] {
        if bytes.firstRange(of: Array("-----BEGIN".utf8)) != nil {
            return try PEM.blocks(in: bytes, label: "X509 CRL").map { try RevocationList(der: $0) }
        }
        return [try RevocationList(der: bytes)]
    }
}

import COpenSSL
import IDGateCore
import NIOSSL

/// `XN_FLAG_RFC2253` without `ASN1_STRFLGS_ESC_MSB`, so UTF-8 names stay readable (the C macro is not
/// importable): ESC_2253 | ESC_CTRL | UTF8_CONVERT | DUMP_UNKNOWN | DUMP_DER, SEP_COMMA_PLUS, DN_REV,
/// DUMP_UNKNOWN_FIELDS.
private let rfc2253UTF8Flags: UInt = 0x0000_0313 | (1 << 16) | (1 << 20) | (1 << 24)

extension PeerIdentity {
    enum CertificateError: Error { case unparsable }

    /// Reads the subject (RFC 2253) and the SHA-256 fingerprint from a verified peer certificate.
    init(certificate: NIOSSLCertificate) throws {
        let der = try certificate.toDERBytes()
        let fingerprint = der.withUnsafeBytes { SHA256Key.hashing($0) }

        let subject = try der.withUnsafeBufferPointer { buffer -> String in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let x509 = d2i_X509(nil, &cursor, buffer.count) else { throw CertificateError.unparsable }
            defer { X509_free(x509) }
            guard let bio = BIO_new(BIO_s_mem()) else { throw CertificateError.unparsable }
            defer { BIO_free(bio) }
            guard X509_NAME_print_ex(bio, X509_get_subject_name(x509), 0, rfc2253UTF8Flags) >= 0 else {
                throw CertificateError.unparsable
            }
            var data: UnsafeMutablePointer<CChar>?
            let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data)
            guard length >= 0, let data else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        }
        self.init(subject: subject, fingerprint: fingerprint)
    }
}

import IDGateCore
import COpenSSL
import Foundation

/// An X.509 certificate parsed once by OpenSSL, with the fields chain building and reporting need pre-extracted.
///
/// `@unchecked Sendable`: the `X509` is never mutated after `init` (its extension cache is filled there by
/// `X509_check_purpose`), and OpenSSL allows concurrent read-only use of a certificate and its public key.
public final class Certificate: @unchecked Sendable {
    let x509: OpaquePointer
    /// The subject public key (owned by `x509`), nil when OpenSSL does not know its algorithm.
    let publicKey: OpaquePointer?
    public let der: [UInt8]
    /// RFC 2253 form, for reports.
    public let subject: String
    public let issuer: String
    public let country: String?
    /// Hex of the serial number's magnitude, uppercase.
    public let serialNumber: String
    let serialMagnitude: [UInt8]
    let subjectName: DistinguishedName
    let issuerName: DistinguishedName
    let subjectKeyIdentifier: [UInt8]?
    let authorityKeyIdentifier: [UInt8]?
    public let notBefore: Date
    public let notAfter: Date

    public convenience init(der: [UInt8]) throws {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw OpenSSLError("d2i_X509") }
        try self.init(taking: parsed, der: der)
    }

    /// Takes ownership of `x509`.
    init(taking x509: OpaquePointer, der knownDER: [UInt8]? = nil) throws {
        self.x509 = x509
        _ = X509_check_purpose(x509, -1, 0)
        if let knownDER {
            der = knownDER
        } else {
            var out: UnsafeMutablePointer<UInt8>? = nil
            let length = i2d_X509(x509, &out)
            guard length > 0, let out else { X509_free(x509); throw OpenSSLError("i2d_X509") }
            der = Array(UnsafeBufferPointer(start: out, count: Int(length)))
            CRYPTO_free(out, #file, #line)
        }
        publicKey = X509_get0_pubkey(x509)
        ERR_clear_error()
        subject = Certificate.rfc2253(X509_get_subject_name(x509))
        issuer = Certificate.rfc2253(X509_get_issuer_name(x509))
        country = Certificate.entry(NID_countryName, in: X509_get_subject_name(x509))
        let serial = X509_get0_serialNumber(x509)
        serialMagnitude = Array(UnsafeBufferPointer(start: ASN1_STRING_get0_data(serial), count: Int(ASN1_STRING_length(serial))))
        serialNumber = serialMagnitude.hexString.uppercased()
        subjectName = DistinguishedName(x509Name: X509_get_subject_name(x509))
        issuerName = DistinguishedName(x509Name: X509_get_issuer_name(x509))
        subjectKeyIdentifier = X509_get0_subject_key_id(x509).map {
            Array(UnsafeBufferPointer(start: ASN1_STRING_get0_data($0), count: Int(ASN1_STRING_length($0))))
        }
        authorityKeyIdentifier = X509_get0_authority_key_id(x509).map {
            Array(UnsafeBufferPointer(start: ASN1_STRING_get0_data($0), count: Int(ASN1_STRING_length($0))))
        }
        notBefore = Certificate.date(X509_get0_notBefore(x509))
        notAfter = Certificate.date(X509_get0_notAfter(x509))
    }

    deinit { X509_free(x509) }

    /// Whether `issuer`'s key verifies this certificate's signature (any algorithm OpenSSL knows, PSS included).
    func isSigned(by issuer: Certificate) -> Bool {
        guard let key = issuer.publicKey else { return false }
        defer { ERR_clear_error() }
        return X509_verify(x509, key) == 1
    }

    var isSelfSigned: Bool { subjectName == issuerName && isSigned(by: self) }

    public func isValid(at time: Date) -> Bool { notBefore <= time && time <= notAfter }

    /// Every certificate in a PEM bundle, or the single DER certificate.
    public static func load(pemOrDER bytes: [UInt8]) throws -> [Certificate] {
        if bytes.firstRange(of: Array("-----BEGIN".utf8)) != nil {
            return try PEM.blocks(in: bytes, label: "CERTIFICATE").map { try Certificate(der: $0) }
        }
        return [try Certificate(der: bytes)]
    }

    /// XN_FLAG_RFC2253 without ASN1_STRFLGS_ESC_MSB (a macro Swift cannot import): UTF-8 names stay readable.
    private static let rfc2253UTF8Flags: UInt = 0x1 | 0x2 | 0x10 | 0x100 | 0x200 | 0x1_0000 | 0x10_0000 | 0x100_0000

    private static func rfc2253(_ name: OpaquePointer?) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        X509_NAME_print_ex(bio, name, 0, rfc2253UTF8Flags)
        return MemoryBIO.readAll(bio)
    }

    private static func entry(_ nid: Int32, in name: OpaquePointer?) -> String? {
        let index = X509_NAME_get_index_by_NID(name, nid, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index), let data = X509_NAME_ENTRY_get_data(entry)
        else { return nil }
        return String(decoding: UnsafeBufferPointer(start: ASN1_STRING_get0_data(data), count: Int(ASN1_STRING_length(data))), as: UTF8.self)
    }

    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date {
        var tm = tm()
        guard let time, ASN1_TIME_to_tm(time, &tm) == 1 else { return .distantPast }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&tm)))
    }
}

enum MemoryBIO {
    /// Drains a memory BIO into a string.
    static func readAll(_ bio: OpaquePointer) -> String { String(decoding: readAllBytes(bio), as: UTF8.self) }

    static func readAllBytes(_ bio: OpaquePointer) -> [UInt8] {
        let pending = Int(BIO_ctrl_pending(bio))
        var bytes = [UInt8](repeating: 0, count: pending)
        let read = BIO_read(bio, &bytes, Int32(pending))
        return Array(bytes.prefix(max(0, Int(read))))
    }
}

import COpenSSL
import Foundation

/// Issues the test PKI's certificates and CRL with OpenSSL (CSCA self-signed, Document Signers under it).
enum CertificateBuilder {
    struct Profile {
        var subject: [(String, String)]
        var serial: Int
        var notBefore: Date
        var notAfter: Date
        var isCA: Bool
    }

    /// Issues a certificate for `subjectKey`, signed by `issuerKey` (self-signed when `issuer` is nil).
    static func issue(_ profile: Profile, subjectKey: PrivateKey, issuer: Certificate?, issuerKey: PrivateKey) throws -> Certificate {
        guard let x509 = X509_new() else { throw OpenSSLError("X509_new") }
        var owned = true
        defer { if owned { X509_free(x509) } }
        guard X509_set_version(x509, 2) == 1, ASN1_INTEGER_set(X509_get_serialNumber(x509), profile.serial) == 1 else {
            throw OpenSSLError("X509 version/serial")
        }
        let name = try makeName(profile.subject)
        defer { X509_NAME_free(name) }
        X509_set_subject_name(x509, name)
        X509_set_issuer_name(x509, issuer.map { X509_get_subject_name($0.x509) } ?? name)
        ASN1_TIME_set(X509_getm_notBefore(x509), time_t(profile.notBefore.timeIntervalSince1970))
        ASN1_TIME_set(X509_getm_notAfter(x509), time_t(profile.notAfter.timeIntervalSince1970))
        X509_set_pubkey(x509, subjectKey.pkey)
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer?.x509 ?? x509, x509, nil, nil, 0)
        let extensions: [(Int32, String)] = [
            (NID_basic_constraints, profile.isCA ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE"),
            (NID_key_usage, profile.isCA ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature"),
            (NID_subject_key_identifier, "hash"),
            (NID_authority_key_identifier, "keyid:always"),
        ]
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else { throw OpenSSLError("extension \(nid)") }
            X509_add_ext(x509, ext, -1)
            X509_EXTENSION_free(ext)
        }
        guard X509_sign(x509, issuerKey.pkey, DigestAlgorithm.sha256.md) > 0 else { throw OpenSSLError("X509_sign") }
        owned = false
        return try Certificate(taking: x509)
    }

    /// A CRL from `issuer` listing `revoked` certificates.
    static func revocationList(issuer: Certificate, issuerKey: PrivateKey, revoked: [Certificate], at now: Date) throws -> [UInt8] {
        guard let crl = X509_CRL_new() else { throw OpenSSLError("X509_CRL_new") }
        defer { X509_CRL_free(crl) }
        X509_CRL_set_version(crl, 1)
        X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer.x509))
        let thisUpdate = ASN1_TIME_set(nil, time_t(now.timeIntervalSince1970))
        let nextUpdate = ASN1_TIME_set(nil, time_t(now.addingTimeInterval(90 * 86_400).timeIntervalSince1970))
        defer { ASN1_STRING_free(thisUpdate); ASN1_STRING_free(nextUpdate) }
        X509_CRL_set1_lastUpdate(crl, thisUpdate)
        X509_CRL_set1_nextUpdate(crl, nextUpdate)
        for certificate in revoked {
            guard let entry = X509_REVOKED_new() else { throw OpenSSLError("X509_REVOKED_new") }
            X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(certificate.x509))
            X509_REVOKED_set_revocationDate(entry, thisUpdate)
            X509_CRL_add0_revoked(crl, entry)
        }
        X509_CRL_sort(crl)
        guard X509_CRL_sign(crl, issuerKey.pkey, DigestAlgorithm.sha256.md) > 0 else { throw OpenSSLError("X509_CRL_sign") }
        var out: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_X509_CRL(crl, &out)
        guard length > 0, let out else { throw OpenSSLError("i2d_X509_CRL") }
        defer { CRYPTO_free(out, #file, #line) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    private static func makeName(_ entries: [(String, String)]) throws -> OpaquePointer {
        guard let name = X509_NAME_new() else { throw OpenSSLError("X509_NAME_new") }
        for (field, value) in entries {
            let bytes = Array(value.utf8)
            guard X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, bytes, Int32(bytes.count), -1, 0) == 1 else {
                X509_NAME_free(name)
                throw OpenSSLError("name entry \(field)")
            }
        }
        return name
    }
}

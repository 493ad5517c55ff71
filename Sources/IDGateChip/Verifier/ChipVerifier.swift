import Foundation
import IDGateStore

/// Checks what an NFC reader took from a chip: passive authentication of EF.SOD and the data groups against a
/// trust store, active authentication, and the holder's personal data for the registry comparison.
///
/// Thread-safe and meant to be shared (the gateway calls it from every event loop). Bounded caches, keyed by the
/// SHA-256 of the bytes they came from, make a card seen again cost little more than its signature math: verified
/// SODs (signature and issuer search skipped; validity, revocation and the data-group hashes are still evaluated
/// on every call), Document Signer certificates with their issuing CSCA, and Active Authentication keys decoded
/// from DG15 (no `d2i_PUBKEY` or context set-up per request). The caches are sharded, so event loops checking
/// different cards do not wait on one lock.
public final class ChipVerifier: Sendable {
    public let trustStore: TrustStore
    private let verifiedSODs: BoundedCache<Digest256, VerifiedSecurityObject>
    private let documentSigners: BoundedCache<Digest256, VerifiedSigner>
    private let activeAuthKeys: BoundedCache<Digest256, ActiveAuthKey>

    /// - Parameters:
    ///   - cacheCapacity: verified SODs kept (a few KB each).
    ///   - activeAuthKeyCapacity: decoded DG15 keys kept (an OpenSSL key and context, a few KB each); at most
    ///     `cacheCapacity`.
    public init(trustStore: TrustStore, cacheCapacity: Int = 100_000, activeAuthKeyCapacity: Int = 16_384) {
        self.trustStore = trustStore
        verifiedSODs = BoundedCache(capacity: cacheCapacity)
        documentSigners = BoundedCache(capacity: 4096)
        activeAuthKeys = BoundedCache(capacity: min(activeAuthKeyCapacity, cacheCapacity))
    }

    /// - Parameters:
    ///   - sod: EF.SOD with its 0x77 wrapper.
    ///   - dataGroups: data-group number → the whole file (tag included), as read from the chip.
    ///   - activeAuth: the challenge issued to the chip and its signature; nil when not performed.
    ///   - at: the time at which certificate validity is judged (now when nil).
    public func verify(
        sod: [UInt8], dataGroups: [Int: [UInt8]], activeAuth: ActiveAuthInput? = nil, at: Date? = nil
    ) -> ChipVerificationResult {
        let time = at ?? Date()
        let verified: VerifiedSecurityObject
        switch securityObject(sod) {
        case .success(let found): verified = found
        case .failure(let rejection):
            return ChipVerificationResult(
                passiveAuth: .rejected(rejection.code),
                activeAuth: activeAuth == nil ? .notPerformed : ActiveAuthResult(result: .invalid, reason: "sod_unusable"),
                personalData: nil, sodDataGroupHashes: [:])
        }
        var passive = PassiveAuthResult(
            result: .invalid, signature: verified.signatureFailure == nil ? .valid : .invalid,
            chain: chainStatus(verified, at: time), documentSigner: verified.documentSigner, dataGroups: [:],
            errors: verified.signatureFailure.map { [$0] } ?? [], warnings: verified.warnings)
        if let signer = verified.signer?.certificate {
            switch passive.chain {
            case .untrusted: passive.errors.append("no_trusted_csca")
            case .revoked: passive.errors.append("document_signer_revoked")
            case .expired:
                passive.errors.append(signer.isValid(at: time) ? "csca_expired" : "document_signer_expired")
            case .trusted: break
            }
        }

        // DG15's SHA-256, when the SOD's hashes are SHA-256 and DG15 matched: the key of its decoded AA key.
        var dg15Digest: Digest256? = nil
        let hashAlgorithm = verified.securityObject.hashAlgorithm
        for number in dataGroups.keys.sorted() {
            let file = dataGroups[number]!
            guard let tag = DataGroupTag.tag(of: number) else {
                passive.errors.append("invalid_data_group_number:\(number)")
                continue
            }
            if file.first != tag { passive.errors.append("data_group_tag_mismatch:\(number)") }
            guard let expected = verified.securityObject.dataGroupHashes[number] else {
                passive.dataGroups[number] = .notInSOD
                continue
            }
            let matches = hashAlgorithm.hashOf(file, equals: expected)
            passive.dataGroups[number] = matches ? .match : .mismatch
            if matches, number == 15, hashAlgorithm == .sha256 { dg15Digest = expected.withUnsafeBytes(Digest256.init(digest:)) }
        }
        for (number, status) in passive.dataGroups where status != .match {
            passive.errors.append("data_group_\(status.rawValue):\(number)")
        }

        let content = readContent(dataGroups, statuses: passive.dataGroups, verified: verified, at: time)
        passive.errors += content.errors

        let valid = passive.signature == .valid && passive.chain == .trusted && passive.errors.isEmpty
        passive.result = valid ? .valid : .invalid
        passive.errors.sort()

        return ChipVerificationResult(
            passiveAuth: passive,
            activeAuth: activeAuthentication(activeAuth, dataGroups: dataGroups, passive: passive, dg15Digest: dg15Digest),
            personalData: content.personalData, sodDataGroupHashes: verified.securityObject.dataGroupHashes)
    }

    /// Personal data from DG13 (else DG1), with DG1's check digits verified whenever it is supplied. Data groups
    /// whose hashes match the SOD are the exact bytes it vouches for, so their reading is remembered with the SOD.
    private func readContent(
        _ dataGroups: [Int: [UInt8]], statuses: [Int: PassiveAuthResult.DataGroupStatus],
        verified: VerifiedSecurityObject, at time: Date
    ) -> DataGroupContent {
        let supplied = DataGroupContent.Supplied(dg1: dataGroups[1] != nil, dg13: dataGroups[13] != nil)
        let authentic = (!supplied.dg1 || statuses[1] == .match) && (!supplied.dg13 || statuses[13] == .match)
        if authentic, let remembered = verified.content(for: supplied) { return remembered }
        var content = DataGroupContent(supplied: supplied, personalData: nil, errors: [])
        do {
            if let dg13 = dataGroups[13] {
                content.personalData = try VietnameseDG13.parse(dg13)
            } else if let dg1 = dataGroups[1] {
                let today = PartialDate.today(secondsSinceEpoch: time.timeIntervalSince1970)
                content.personalData = try MRZ(dg1: dg1).personalData(today: today)
            }
        } catch {
            content.errors.append(error.description)
        }
        if supplied.dg13, let dg1 = dataGroups[1] {
            do { _ = try MRZ(dg1: dg1) } catch { content.errors.append(error.description) }
        }
        if authentic { verified.remember(content) }
        return content
    }

    private func activeAuthentication(
        _ input: ActiveAuthInput?, dataGroups: [Int: [UInt8]], passive: PassiveAuthResult, dg15Digest: Digest256?
    ) -> ActiveAuthResult {
        guard let input else { return .notPerformed }
        guard let dg15 = dataGroups[15] else { return ActiveAuthResult(result: .invalid, reason: "dg15_missing") }
        // A key that the SOD does not vouch for proves nothing about the chip.
        guard passive.dataGroups[15] == .match, passive.signature == .valid else {
            return ActiveAuthResult(result: .invalid, reason: "dg15_not_authenticated")
        }
        let digest = dg15Digest ?? dg15.withUnsafeBytes(Digest256.init(hashing:))
        let key: ActiveAuthKey
        if let cached = activeAuthKeys.value(for: digest) {
            key = cached
        } else {
            guard let decoded = ActiveAuthKey(dg15: dg15) else {
                return ActiveAuthResult(result: .invalid, reason: "dg15_unparsable")
            }
            activeAuthKeys.insert(decoded, for: digest)
            key = decoded
        }
        return key.verify(challenge: input.challenge, signature: input.signature)
    }

    /// Validity and revocation are judged on every call (time moves, a card may be checked `--at` another time).
    private func chainStatus(_ verified: VerifiedSecurityObject, at time: Date) -> PassiveAuthResult.ChainStatus {
        guard let signer = verified.signer, let issuer = signer.issuer else { return .untrusted }
        if trustStore.isRevoked(signer.certificate) { return .revoked }
        guard signer.certificate.isValid(at: time), issuer.isValid(at: time) else { return .expired }
        return .trusted
    }

    /// The parsed and signature-checked SOD, from the cache when seen before.
    private func securityObject(_ sod: [UInt8]) -> Result<VerifiedSecurityObject, SecurityObjectDocument.ParseError> {
        guard sod.count <= SecurityObjectDocument.maxSize else { return .failure(.tooLarge(sod.count)) }
        let key = sod.withUnsafeBytes(Digest256.init(hashing:))
        if let cached = verifiedSODs.value(for: key) { return .success(cached) }
        let document: SecurityObjectDocument
        do {
            document = try SecurityObjectDocument(bytes: sod[...])
        } catch {
            return .failure(error)
        }
        let verified = VerifiedSecurityObject(document: document, signer: signer(of: document))
        verifiedSODs.insert(verified, for: key)
        return .success(verified)
    }

    /// The Document Signer certificate named by the SignerInfo (embedded in the SOD, else from the trust store) and
    /// the trusted CSCA that issued it.
    private func signer(of document: SecurityObjectDocument) -> VerifiedSigner? {
        for der in document.signedData.certificates {
            let key = der.withUnsafeBytes(Digest256.init(hashing:))
            if let cached = documentSigners.value(for: key) {
                if document.signerInfo.identifies(cached.certificate) { return cached }
                continue
            }
            guard let certificate = try? Certificate(der: Array(der)) else { continue }
            let signer = VerifiedSigner(certificate: certificate, issuer: trustStore.issuer(of: certificate))
            documentSigners.insert(signer, for: key)
            if document.signerInfo.identifies(certificate) { return signer }
        }
        guard let certificate = trustStore.anchors.first(where: document.signerInfo.identifies) else { return nil }
        return VerifiedSigner(certificate: certificate, issuer: trustStore.issuer(of: certificate))
    }
}

/// A Document Signer certificate, the trusted certificate whose key signed it (nil: untrusted), and its key made
/// ready for the signature scheme its SODs use.
final class VerifiedSigner: @unchecked Sendable {
    // @unchecked Sendable: `prepared` is only accessed with `lock` held; the rest is immutable.
    let certificate: Certificate
    let issuer: Certificate?
    private let lock = NSLock()
    private var prepared: [PreparedVerifier] = []

    init(certificate: Certificate, issuer: Certificate?) {
        self.certificate = certificate
        self.issuer = issuer
    }

    /// The signer's key prepared for `scheme` (one per scheme seen; a Document Signer normally uses one).
    func verifier(for scheme: SignatureScheme) -> PreparedVerifier? {
        lock.lock()
        defer { lock.unlock() }
        if let found = prepared.first(where: { $0.scheme == scheme }) { return found }
        guard let key = certificate.publicKey, let made = PreparedVerifier(key: key, scheme: scheme) else { return nil }
        if prepared.count < 4 { prepared.append(made) }
        return made
    }
}

/// What DG1/DG13 said, for one combination of supplied data groups.
struct DataGroupContent: Sendable {
    struct Supplied: Equatable, Sendable {
        var dg1: Bool
        var dg13: Bool
    }

    var supplied: Supplied
    var personalData: ChipPersonalData?
    /// Parse failures (`dg1_unparsable:…`, `dg13_unparsable:…`).
    var errors: [String]
}

/// What is remembered about a SOD once its signature has been checked.
final class VerifiedSecurityObject: @unchecked Sendable {
    // @unchecked Sendable: `contents` is only accessed with `lock` held; everything else is immutable.
    private let lock = NSLock()
    private var contents: [DataGroupContent] = []

    func content(for supplied: DataGroupContent.Supplied) -> DataGroupContent? {
        lock.lock()
        defer { lock.unlock() }
        return contents.first { $0.supplied == supplied }
    }

    func remember(_ content: DataGroupContent) {
        lock.lock()
        defer { lock.unlock() }
        if contents.count < 3, !contents.contains(where: { $0.supplied == content.supplied }) { contents.append(content) }
    }

    let securityObject: LDSSecurityObject
    let signer: VerifiedSigner?
    /// nil when the signature verified; else the reason code.
    let signatureFailure: String?
    let documentSigner: PassiveAuthResult.DocumentSigner?
    let warnings: [String]

    init(document: SecurityObjectDocument, signer: VerifiedSigner?) {
        securityObject = document.securityObject
        self.signer = signer
        warnings = document.warnings
        if let signer {
            let certificate = signer.certificate
            signatureFailure = document.signerInfo.verify(
                eContent: document.signedData.eContent, eContentType: document.signedData.eContentType,
                verifier: signer.verifier(for:))?.code
            documentSigner = PassiveAuthResult.DocumentSigner(
                subject: certificate.subject, serialNumber: certificate.serialNumber, country: certificate.country)
        } else {
            signatureFailure = "signer_certificate_not_found"
            documentSigner = nil
        }
    }
}

extension SecurityObjectDocument.ParseError {
    /// Machine-readable reason for `errors`.
    var code: String {
        switch self {
        case .tooLarge: "sod_too_large"
        case .trailingData(let count): "sod_trailing_data:\(count)"
        case .malformed(let detail): "sod_malformed:\(detail)"
        case .lds(.unsupportedVersion(let version)): "lds_unsupported_version:\(version)"
        case .lds(.unsupportedHashAlgorithm(let oid)): "unsupported_algorithm:digest \(oid)"
        case .lds(.malformed(let detail)): "lds_malformed:\(detail)"
        }
    }
}

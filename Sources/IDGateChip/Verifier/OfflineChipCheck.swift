import Foundation

/// What an operator checks offline with `idgate chip verify`: passive authentication when an EF.SOD is given,
/// Active Authentication when a captured response is given, or both.
///
/// The Active Authentication key is DG15 or a bare SubjectPublicKeyInfo. DG15 given with its SOD is only trusted
/// when the SOD vouches for it (as the gateway does); a bare key, or DG15 without an SOD, is taken as given.
public struct OfflineChipCheck: Sendable {
    public var sod: [UInt8]?
    /// Data-group number → the whole EF.DGn file.
    public var dataGroups: [Int: [UInt8]]
    /// SubjectPublicKeyInfo DER, instead of DG15.
    public var activeAuthPublicKey: [UInt8]?
    public var activeAuthResponse: ActiveAuthInput?

    public init(
        sod: [UInt8]? = nil, dataGroups: [Int: [UInt8]] = [:], activeAuthPublicKey: [UInt8]? = nil,
        activeAuthResponse: ActiveAuthInput? = nil
    ) {
        self.sod = sod
        self.dataGroups = dataGroups
        self.activeAuthPublicKey = activeAuthPublicKey
        self.activeAuthResponse = activeAuthResponse
    }

    /// Input that asks for no check or for an impossible one.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case nothingToVerify
        case activeAuthKeyMissing
        case activeAuthKeyGivenTwice

        public var description: String {
            switch self {
            case .nothingToVerify: "nothing to verify: give an EF.SOD, or an Active Authentication response with its key"
            case .activeAuthKeyMissing: "Active Authentication needs a key: DG15 or a SubjectPublicKeyInfo"
            case .activeAuthKeyGivenTwice: "give the Active Authentication key once: DG15 or a SubjectPublicKeyInfo, not both"
            }
        }
    }

    /// Whether the input makes sense; `run` checks the same.
    public func validate() throws(Problem) {
        if activeAuthResponse != nil {
            if activeAuthPublicKey == nil, dataGroups[15] == nil { throw .activeAuthKeyMissing }
            if activeAuthPublicKey != nil, dataGroups[15] != nil { throw .activeAuthKeyGivenTwice }
        } else if sod == nil {
            throw .nothingToVerify
        }
    }

    /// - Parameters:
    ///   - trustStore: the CSCAs for passive authentication (unused without an SOD).
    ///   - time: when certificate validity is judged (now when nil).
    public func run(trustStore: TrustStore, at time: Date? = nil) throws(Problem) -> OfflineChipReport {
        try validate()
        let bareKey: ActiveAuthPublicKey? = if let activeAuthPublicKey {
            .subjectPublicKeyInfo(activeAuthPublicKey)
        } else if sod == nil {
            dataGroups[15].map(ActiveAuthPublicKey.dataGroup15)
        } else {
            nil
        }
        let offline = activeAuthResponse.flatMap { response in
            bareKey.map { ActiveAuthentication.verify(publicKey: $0, response: response) }
        }
        guard let sod else { return OfflineChipReport(verification: nil, activeAuth: offline) }
        let verification = ChipVerifier(trustStore: trustStore, cacheCapacity: 1)
            .verify(sod: sod, dataGroups: dataGroups, activeAuth: bareKey == nil ? activeAuthResponse : nil, at: time)
        let activeAuth = activeAuthResponse == nil ? nil : (offline ?? verification.activeAuth)
        return OfflineChipReport(verification: verification, activeAuth: activeAuth)
    }
}

/// The outcome of an `OfflineChipCheck`.
public struct OfflineChipReport: Sendable {
    /// Passive authentication (and the SOD's hash list), when an SOD was given.
    public var verification: ChipVerificationResult?
    /// When a response was given.
    public var activeAuth: ActiveAuthResult?

    /// Every check made is valid.
    public var isValid: Bool {
        verification.map { $0.passiveAuth.result == .valid } != false && activeAuth.map { $0.result == .valid } != false
    }

    /// The passiveAuth object with `sodDataGroupHashes` and `activeAuth` members, or `{"activeAuth":{...}}` alone.
    public func jsonString() -> String {
        guard let verification else { return activeAuth?.reportJSONString() ?? "{}" }
        return verification.passiveAuth.jsonString(sodDataGroupHashes: verification.sodDataGroupHashes, activeAuth: activeAuth)
    }
}

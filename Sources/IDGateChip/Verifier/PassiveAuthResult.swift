/// The outcome of passive authentication, field for field the `passiveAuth` object of API.md.
public struct PassiveAuthResult: Sendable, Equatable {
    public enum Outcome: String, Sendable { case valid, invalid }
    public enum SignatureStatus: String, Sendable { case valid, invalid }
    public enum ChainStatus: String, Sendable { case trusted, untrusted, expired, revoked }
    public enum DataGroupStatus: String, Sendable {
        case match, mismatch
        case notInSOD = "not_in_sod"
    }

    /// The Document Signer that signed the SOD.
    public struct DocumentSigner: Sendable, Equatable {
        public var subject: String
        public var serialNumber: String
        public var country: String?
    }

    /// `valid` only when the signature is valid, the chain trusted, every supplied data group matches and
    /// nothing else failed (see docs/CHIP.md).
    public var result: Outcome
    public var signature: SignatureStatus
    public var chain: ChainStatus
    public var documentSigner: DocumentSigner?
    /// Supplied data-group number → comparison with the SOD.
    public var dataGroups: [Int: DataGroupStatus]
    /// Machine-readable reasons for anything that failed.
    public var errors: [String]
    /// Accepted deviations (legacy content type and the like): reported, not failing.
    public var warnings: [String]

    /// The all-failed result for input that could not be examined at all.
    static func rejected(_ error: String) -> PassiveAuthResult {
        PassiveAuthResult(
            result: .invalid, signature: .invalid, chain: .untrusted, documentSigner: nil, dataGroups: [:],
            errors: [error], warnings: [])
    }
}

/// The outcome of active authentication (`activeAuth` in API.md).
public struct ActiveAuthResult: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        case valid, invalid
        case notPerformed = "not_performed"
    }

    public var result: Outcome
    /// Why it is not valid (nil when valid).
    public var reason: String?

    public static let notPerformed = ActiveAuthResult(result: .notPerformed, reason: nil)
}

/// Everything `ChipVerifier.verify` found: the two API objects, the personal data for the registry comparison and
/// the SOD's own hash list (for `idgate chip verify`).
public struct ChipVerificationResult: Sendable {
    public var passiveAuth: PassiveAuthResult
    public var activeAuth: ActiveAuthResult
    /// From DG13 when supplied and parsable, else from DG1; nil when neither was usable.
    public var personalData: ChipPersonalData?
    public var sodDataGroupHashes: [Int: [UInt8]]
}

/// What the chip returned for an Active Authentication challenge.
public struct ActiveAuthInput: Sendable {
    /// The 8 bytes the verifier issued (from `ChallengeStore.consume`).
    public var challenge: [UInt8]
    public var signature: [UInt8]

    public init(challenge: [UInt8], signature: [UInt8]) {
        self.challenge = challenge
        self.signature = signature
    }
}

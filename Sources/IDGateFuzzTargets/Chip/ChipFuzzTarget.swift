import Foundation
import IDGateChip

/// The chip's structures as one fuzz target (Fuzz/Sources/FuzzChip; replayed by `make test`,
/// `FuzzCorpusReplayTests`). The first byte picks the structure: EF.SOD through the verifier (CMS, LDS security
/// object, signer certificate, signature), DG1 (MRZ), DG13 (Vietnamese personal data), or DG15 with an Active
/// Authentication challenge and response. An empty trust store: parsing and signature checks run, the chain is untrusted.
public enum ChipFuzzTarget {
    public enum Parser: CaseIterable, Sendable {
        case sod, dg1, dg13, dg15
    }

    /// Which structure an input reached and whether it was accepted: for EF.SOD a valid signature (the chain is
    /// untrusted by construction), for DG15 a valid Active Authentication signature, for DG1 and DG13 a parse.
    /// Nil for the empty input (no first byte).
    public struct Outcome: Hashable, Sendable {
        public let parser: Parser
        public let accepted: Bool
    }

    private static let verifier = ChipVerifier(trustStore: try! TrustStore(paths: []), cacheCapacity: 16)
    private static let time = Date(timeIntervalSince1970: 1_780_000_000)

    public static func run(_ input: UnsafeRawBufferPointer) -> Outcome? {
        guard let selector = input.first else { return nil }
        let bytes = Array(input.dropFirst())
        switch selector % 4 {
        case 0:
            let result = verifier.verify(sod: bytes, dataGroups: [:], at: time)
            return Outcome(parser: .sod, accepted: result.passiveAuth.signature == .valid)
        case 1:
            return Outcome(parser: .dg1, accepted: (try? MRZ(dg1: bytes)) != nil)
        case 2:
            return Outcome(parser: .dg13, accepted: (try? VietnameseDG13.parse(bytes)) != nil)
        default:
            // A byte stating the signature's length, then DG15, the 8-byte challenge and the signature (ECDSA raw
            // r||s or RSA ISO 9796-2, up to 255 bytes), each cut short when the input is.
            let rest = bytes.dropFirst()
            let signatureStart = max(rest.startIndex, rest.endIndex - Int(bytes.first ?? 0))
            let challengeStart = max(rest.startIndex, signatureStart - 8)
            let result = ActiveAuthentication.verify(
                dg15: Array(rest[..<challengeStart]), challenge: Array(rest[challengeStart..<signatureStart]),
                signature: Array(rest[signatureStart...]))
            return Outcome(parser: .dg15, accepted: result.result == .valid)
        }
    }

    /// libFuzzer's `LLVMFuzzerTestOneInput`: one input, always 0.
    public static func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        _ = run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}

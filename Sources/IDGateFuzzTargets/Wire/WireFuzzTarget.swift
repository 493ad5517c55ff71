import IDGateWire

/// The request-body parsers as one fuzz target (Fuzz/Sources/FuzzWire hands it to libFuzzer; `make test` replays
/// Fuzz/Corpus/FuzzWire through it, `FuzzCorpusReplayTests`). The first byte picks the parser; the rest is the body.
/// Every input must end in a parsed request or a WireError: never a crash, a hang or an out-of-bounds read (the
/// address sanitizer checks the last under libFuzzer).
public struct WireFuzzTarget {
    public enum Parser: CaseIterable, Sendable {
        /// `/v1/identity/match` bodies and batch lines (`MatchRequestParser`).
        case match
        /// `/v1/chip/verify` bodies.
        case chipVerify
        /// The generic JSON reader.
        case json
        /// `/v1/documents/verify` bodies (`DocumentVerifyParser`).
        case documentVerify
        /// `/v1/organizations/match` bodies (`OrganizationMatchParser`).
        case organizationMatch
        /// A batch or offline line's `"kind"` (`BatchLineKind.read`, which blanks the member for the identity parser).
        case batchLineKind
    }

    /// Which parser an input reached and whether it accepted it; nil for the empty input (no first byte).
    public struct Outcome: Hashable, Sendable {
        public let parser: Parser
        public let accepted: Bool
    }

    /// Reused across inputs as a connection reuses its parser, so state left by one input meets the next.
    private var matchParser = MatchRequestParser()

    public init() {}

    public mutating func run(_ input: UnsafeRawBufferPointer) -> Outcome? {
        guard let selector = input.first else { return nil }
        let body = UnsafeRawBufferPointer(rebasing: input.dropFirst())
        switch Parser.allCases[Int(selector) % Parser.allCases.count] {
        case .match:
            guard matchParser.parse(body) == nil else { return Outcome(parser: .match, accepted: false) }
            // A parsed request must survive being read back.
            _ = matchParser.request.idNumber
            return Outcome(parser: .match, accepted: true)
        case .chipVerify:
            // The one-pass reader must accept only what the checked parser accepts, with the same request.
            let checked = ChipVerifyRequest.parseChecked(body)
            if let fast = ChipVerifyRequest.readWellFormed(body) {
                guard case .success(let reference) = checked, reference == fast else {
                    fatalError("ChipVerifyRequest.readWellFormed accepted a body parseChecked reads differently")
                }
            }
            guard case .success = ChipVerifyRequest.parse(body, maxBytes: 256 * 1024) else {
                return Outcome(parser: .chipVerify, accepted: false)
            }
            return Outcome(parser: .chipVerify, accepted: true)
        case .json:
            guard case .success = JSONValue.parse(body) else { return Outcome(parser: .json, accepted: false) }
            return Outcome(parser: .json, accepted: true)
        case .documentVerify:
            guard case .success = DocumentVerifyParser.parse(body) else {
                return Outcome(parser: .documentVerify, accepted: false)
            }
            return Outcome(parser: .documentVerify, accepted: true)
        case .organizationMatch:
            guard case .success = OrganizationMatchParser.parse(body) else {
                return Outcome(parser: .organizationMatch, accepted: false)
            }
            return Outcome(parser: .organizationMatch, accepted: true)
        case .batchLineKind:
            var blanked: [UInt8] = []
            guard case .success(let reading) = BatchLineKind.read(body, blanked: &blanked) else {
                return Outcome(parser: .batchLineKind, accepted: false)
            }
            // A blanked line is the same length as the line: the identity parser reads it in place of the original.
            if reading.isBlanked { precondition(blanked.count == body.count, "blanked line changed length") }
            return Outcome(parser: .batchLineKind, accepted: true)
        }
    }

    /// libFuzzer runs one input at a time on one thread: the one instance it uses.
    nonisolated(unsafe) private static var shared = WireFuzzTarget()

    /// libFuzzer's `LLVMFuzzerTestOneInput`: one input, always 0.
    public static func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        _ = shared.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}

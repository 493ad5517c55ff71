/// What a stream carries in its 64-bit tag, so completions need no lookup table: the operation, the step of a
/// chip flow, whether it counts (not warm-up), how often it was refused and sent again, and the chip card.
struct LoadRequestTag {
    enum Step: UInt64 { case single = 0, chipChallenge = 1, chipVerify = 2 }

    var operation: LoadOperation
    var step: Step
    var measured: Bool
    /// Attempts before this one that the target refused (REFUSED_STREAM); bits 40-46.
    var retries: Int
    var card: Int

    init(operation: LoadOperation, step: Step = .single, measured: Bool, retries: Int = 0, card: Int = 0) {
        self.operation = operation
        self.step = step
        self.measured = measured
        self.retries = retries
        self.card = card
    }

    init(_ raw: UInt64) {
        operation = LoadOperation(rawValue: Int(raw >> 56)) ?? .raw
        step = Step(rawValue: (raw >> 48) & 0xFF) ?? .single
        measured = (raw >> 47) & 1 == 1
        retries = Int((raw >> 40) & 0x7F)
        card = Int(raw & 0xFFFF_FFFF)
    }

    var raw: UInt64 {
        UInt64(operation.rawValue) << 56 | step.rawValue << 48 | (measured ? 1 << 47 : 0) | UInt64(retries & 0x7F) << 40
            | UInt64(card & 0xFFFF_FFFF)
    }
}

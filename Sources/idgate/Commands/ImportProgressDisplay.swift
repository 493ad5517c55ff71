import Foundation
import IDGateAudit
import IDGateDemo
import IDGateStore
import IDGateWire
import Synchronization

/// Progress of a long data command on stderr: a redrawn bar (rows, rate, ETA) on a terminal, a plain line every
/// few seconds otherwise (logs, CI).
final class ProgressDisplay: Sendable {
    private struct State {
        var lastDraw: Double = -1
        var drewBar = false
    }

    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let state = Mutex(State())

    init(label: String) {
        self.label = label
    }

    /// Reports `done` of `total` units (nil when unknown) after `elapsed` seconds, `fraction` of the work.
    func update(phase: String, done: Int, fraction: Double, elapsed: Double) {
        let interval = isTerminal ? 0.2 : 5.0
        state.withLock { state in
            guard elapsed - state.lastDraw >= interval || fraction >= 1 else { return }
            state.lastDraw = elapsed
            let rate = elapsed > 0 ? Double(done) / elapsed : 0
            let remaining = fraction > 0.001 ? elapsed * (1 - fraction) / fraction : 0
            let numbers = "\(Self.count(done)) rows, \(Self.count(Int(rate)))/s, ETA \(Self.duration(remaining))"
            if isTerminal {
                let width = 24
                let filled = Int(fraction * Double(width))
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                let percent = Int(fraction * 100)
                Self.write("\r\u{1B}[2K\(label) \(phase) [\(bar)] \(percent)% \(numbers)")
                state.drewBar = true
            } else {
                Self.write("\(label) \(phase): \(Int(fraction * 100))%, \(numbers)\n")
            }
        }
    }

    func update(_ progress: ImportProgress) {
        update(phase: progress.phase.rawValue, done: progress.rows, fraction: progress.fractionDone, elapsed: progress.elapsedSeconds)
    }

    /// Ends the bar's line so later output starts on a fresh one.
    func finish() {
        state.withLock { state in
            if state.drewBar { Self.write("\n") }
            state.drewBar = false
        }
    }

    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func count(_ value: Int) -> String {
        switch value {
        case 1_000_000...: String(format: "%.2fM", Double(value) / 1e6)
        case 10_000...: String(format: "%.1fk", Double(value) / 1e3)
        default: String(value)
        }
    }

    static func duration(_ seconds: Double) -> String {
        seconds >= 60 ? "\(Int(seconds) / 60)m\(Int(seconds) % 60)s" : String(format: "%.0fs", seconds)
    }
}

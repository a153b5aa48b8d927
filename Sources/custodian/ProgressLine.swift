import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A progress bar with rate and ETA on standard error for long commands: redrawn in place on a terminal, a line at
/// most every two seconds otherwise (a log file, CI).
final class ProgressLine {
    let total: Int
    let label: String
    private let started = ContinuousClock.now
    private var lastShown = ContinuousClock.now - .seconds(10)
    private let terminal = isatty(STDERR_FILENO) != 0

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    /// Shows `done` of ``total``, when it is time to.
    func show(_ done: Int) {
        let now = ContinuousClock.now
        guard now - lastShown >= (terminal ? .milliseconds(100) : .seconds(2)) else { return }
        lastShown = now
        write(line(done, at: now) + (terminal ? "" : "\n"), returning: terminal)
    }

    /// Shows the last figure and ends the line.
    func finish(_ done: Int) {
        write(line(done, at: .now) + "\n", returning: terminal)
    }

    private func line(_ done: Int, at now: ContinuousClock.Instant) -> String {
        let seconds = max(Double((now - started).components.attoseconds) / 1e18 + Double((now - started).components.seconds), 0.001)
        let rate = Double(done) / seconds
        let fraction = total > 0 ? min(Double(done) / Double(total), 1) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let eta = rate > 0 && total > done ? String(format: "%.0fs", Double(total - done) / rate) : "0s"
        return "[\(bar)] \(label) \(done)/\(total) (\(Int(fraction * 100))%) \(Int(rate))/s ETA \(eta)"
    }

    private func write(_ text: String, returning: Bool) {
        FileHandle.standardError.write(Data(((returning ? "\r" : "") + text).utf8))
    }
}

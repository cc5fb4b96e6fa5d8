import PlatformModel
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress of one command's simulations by simulated time, on a terminal only: one line on
/// standard error redrawn in place (`run: [#####-----] 43%  simulated 28 min of 65, 9 s
/// elapsed, about 12 s left`) and erased when the runs end, so that the results on standard
/// output follow a clean line. When standard error is not a terminal (a log, a pipe, a test)
/// nothing is written and the runs go unwatched: the output is what it always was.
///
/// Runs are watched between slices of simulated time (``RunMonitor``), which changes nothing
/// in their results.
final class RunProgressLine: Sendable {
    let label: String
    let interactive: Bool
    /// Simulated seconds between progress reports of one run.
    static let interval = 5.0

    private struct State {
        var fractions: [Double]
        var simulated: [Double]
        var totals: [Double]
        var lastDrawn = -1.0
        var drawn = false
    }
    private let state: Mutex<State>
    private let clock = WallClock()

    init(runs: Int, label: String, interactive: Bool = isatty(2) != 0) {
        self.label = label
        self.interactive = interactive
        state = Mutex(State(fractions: Array(repeating: 0, count: runs), simulated: Array(repeating: 0, count: runs),
                            totals: Array(repeating: 0, count: runs)))
    }

    /// The monitor of run `i`; nil when standard error is not a terminal.
    func monitor(run i: Int) -> RunMonitor? {
        guard interactive else { return nil }
        return RunMonitor(interval: Self.interval) { [self] p in
            update(run: i, p)
            return true
        }
    }

    func update(run i: Int, _ p: RunProgress) {
        let now = clock.elapsed
        let text: String? = state.withLock { s in
            s.fractions[i] = p.fraction
            s.simulated[i] = p.simulatedSeconds
            s.totals[i] = p.totalSeconds
            guard now - s.lastDrawn >= 0.2 || s.fractions.allSatisfy({ $0 >= 1 }) else { return nil }
            s.lastDrawn = now
            s.drawn = true
            return Self.line(label: label, fractions: s.fractions, simulated: s.simulated, totals: s.totals, elapsed: now)
        }
        if let text { write("\r" + text + "\u{1B}[K") }
    }

    /// Erases the line (when one was drawn).
    func finish() {
        if state.withLock({ $0.drawn }) { write("\r\u{1B}[K") }
    }

    /// `run: [#####-----] 43%  simulated 28 min of 65, 9 s elapsed, about 12 s left`.
    static func line(label: String, fractions: [Double], simulated: [Double], totals: [Double], elapsed: Double) -> String {
        let share = fractions.isEmpty ? 1 : fractions.reduce(0, +) / Double(fractions.count)
        let width = 30
        let filled = Swift.min(width, Swift.max(0, Int((Double(width) * share).rounded(.down))))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        var text = "\(label): [\(bar)] \(Swift.min(100, Int((100 * share).rounded(.down))))%"
        let done = simulated.reduce(0, +), total = totals.reduce(0, +)
        if total > 0 { text += "  simulated \(minutes(done)) of \(minutes(total)) min" }
        text += ", \(SweepProgress.duration(elapsed)) elapsed"
        if share > 0 && share < 1 { text += ", about \(SweepProgress.duration(elapsed * (1 - share) / share)) left" }
        return text
    }

    static func minutes(_ seconds: Double) -> String {
        let m = seconds / 60
        return m < 10 ? String(Int((m * 10).rounded(.down)) / 10) + "." + String(Int((m * 10).rounded(.down)) % 10) : String(Int(m.rounded(.down)))
    }

    private func write(_ text: String) {
        var stderr = StandardError()
        stderr.write(text)
    }
}

import ExperimentRunner
import PlatformModel
import Reports
import Synchronization
import Formatting
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress of a sweep on standard error: on a terminal, one bar redrawn in place with `\r`
/// (runs done of all, the share of the work done counting the runs under way by their
/// simulated time, time left), moving while runs are under way; otherwise, as in a log or a
/// pipe, one plain line per finished run and nothing else.
final class SweepProgress: Sendable {
    let total: Int
    let interactive: Bool
    private let drawn = Mutex(false)
    /// When the bar was last drawn from inside a run (wall seconds), to redraw at most five
    /// times a second.
    private let lastDrawn = Mutex(-1.0)
    private let clock = WallClock()

    init(total: Int, interactive: Bool = isatty(2) != 0) {
        self.total = total
        self.interactive = interactive
    }

    func start() {
        guard interactive, total > 0 else { return }
        draw(done: 0, left: nil, elapsed: 0)
    }

    func update(_ p: SweepRunner.Progress) {
        if interactive {
            draw(done: p.done, left: p.secondsLeft, elapsed: p.elapsedSeconds)
        } else {
            let k = p.finished
            let seed = k.replication > 0 ? "seed \(k.seed) replication \(k.replication)" : "seed \(k.seed)"
            let variant = k.variant == "default" ? "" : " (\(k.variant))"
            var line = "sweep: \(p.done)/\(p.total) runs done: \(k.configuration)\(variant) at \(Format.users(k.users)) users, \(seed), \(Format.fixed(p.runWallSeconds, 1)) s"
            if let left = p.secondsLeft, p.done < p.total { line += "; about \(Self.duration(left)) left" }
            write(line + "\n")
        }
    }

    /// What to call from inside the runs: nil when standard error is not a terminal, so that
    /// runs go unwatched and a log gets exactly the lines it always got.
    var onRunning: (@Sendable (SweepRunner.RunningProgress) -> Void)? {
        guard interactive else { return nil }
        return { @Sendable [self] p in running(p) }
    }

    /// Redraws the bar with the runs under way counted by their progress.
    func running(_ p: SweepRunner.RunningProgress) {
        guard interactive else { return }
        let now = clock.elapsed
        let due = lastDrawn.withLock { last in
            guard now - last >= 0.2 else { return false }
            last = now
            return true
        }
        if due { draw(done: p.done, left: p.secondsLeft, elapsed: p.elapsedSeconds, share: p.share) }
    }

    /// Ends the bar's line.
    func finish() {
        if drawn.withLock({ $0 }) { write("\n") }
    }

    /// - Parameter share: the share of the work done (runs weighted, those under way by their
    ///   simulated time); nil: runs done over all runs.
    private func draw(done: Int, left: Double?, elapsed: Double, share: Double? = nil) {
        let width = 30
        let fraction = share ?? (total == 0 ? 1 : Double(done) / Double(total))
        let filled = Swift.min(width, Swift.max(0, Int((Double(width) * fraction).rounded(.down))))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let percent = Swift.min(100, Int((100 * fraction).rounded(.down)))
        var text = "\r[\(bar)] \(done)/\(total) runs \(percent)%  \(Self.duration(elapsed)) elapsed"
        if let left, done < total { text += ", about \(Self.duration(left)) left" }
        write(text + "\u{1B}[K")
        drawn.withLock { $0 = true }
    }

    /// `42 s`, `3 min 05 s`, `1 h 02 min`.
    static func duration(_ s: Double) -> String {
        let t = Int(saturating: s.rounded())
        if t < 60 { return "\(t) s" }
        if t < 3600 { return "\(t / 60) min \(String(format2: t % 60)) s" }
        return "\(t / 3600) h \(String(format2: (t % 3600) / 60)) min"
    }

    private func write(_ text: String) {
        var stderr = StandardError()
        stderr.write(text)
    }
}

extension String {
    /// Two digits with a leading zero.
    init(format2 n: Int) { self = n < 10 ? "0\(n)" : "\(n)" }
}

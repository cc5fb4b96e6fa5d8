import ExperimentRunner
import Reports
import Synchronization
import Formatting
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress of a sweep on standard error: on a terminal, one bar redrawn in place with `\r`
/// (runs done of all, share, time left); otherwise, as in a log or a pipe, one plain line per
/// finished run.
final class SweepProgress: Sendable {
    let total: Int
    let interactive: Bool
    private let drawn = Mutex(false)

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

    /// Ends the bar's line.
    func finish() {
        if drawn.withLock({ $0 }) { write("\n") }
    }

    private func draw(done: Int, left: Double?, elapsed: Double) {
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let share = total == 0 ? 100 : 100 * done / total
        var text = "\r[\(bar)] \(done)/\(total) runs \(share)%  \(Self.duration(elapsed)) elapsed"
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

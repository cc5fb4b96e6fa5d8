import PlatformModel
import Reports

/// Whether the measured window looks like a steady state: errors that keep rising through it
/// (with nothing triggered) mean a figure is still settling and its share is a lower bound.
extension Notebook {
    func steadinessFindings() -> [Finding] {
        var bullets: [String] = []
        var limiterDriven = false
        for l in m.lines {
            let (c, v) = (l.configuration, l.variant)
            guard let u = users(c, v).last, let run = m.runs(c, v, u).first, let model = model(c, v, u), let cell = m.cell(c, v, u),
                  triggers(model, windowStartHour: run.run.windowStartHour).isEmpty else { continue }
            let rows = run.timeSeries.sorted { $0.tS < $1.tS }
            let third = rows.count / 3
            guard third >= 2 else { continue }
            let width = ExperimentCharts.bucketWidth(rows)
            let first = Double(rows.prefix(third).reduce(0) { $0 + $1.errors }) / (Double(third) * width)
            let last = Double(rows.suffix(third).reduce(0) { $0 + $1.errors }) / (Double(third) * width)
            guard last >= 1.5 * first, last * Double(third) * width >= 20 else { continue }
            var text = "- \(name(c, v)) at \(Prose.users(u)): \(Prose.number(first)) errors per second in the first third of the window, \(Prose.number(last)) in the last"
            let k = cell.errorRateByKind
            let limited = k.rateLimitedTotal
            if limited >= 0.5 * cell.errorRate {
                text += ", mostly 429s"
                limiterDriven = true
            } else {
                if let top = ErrorKind.allCases.first(where: { !$0.isRateLimit && k[$0] >= 0.5 * cell.errorRate }) {
                    text += ", mostly \(Self.plural(top))"
                }
            }
            bullets.append(text + ".")
        }
        guard !bullets.isEmpty else { return [] }
        var text = "With nothing triggered and traffic steady, errors still rise through the measured window here:\n\n" + bullets.joined(separator: "\n") + "\n\n"
        text += "A figure that is still moving at the end of the window has not reached its steady state, so its share over the window understates it."
        if limiterDriven, let window = s.configurations.lazy.compactMap({ self.model($0, self.variants(of: $0).first ?? "") }).first?.rateLimiters.first(where: { $0.key == .ip })?.window {
            text += " Here the 429s are still climbing: a rate limiter's window lasts \(Prose.seconds(window)), longer than the \(Prose.seconds(e.window.warmUpS)) of warm-up plus the \(Prose.seconds(e.window.durationS)) measured, "
            text += "so the busiest IPs are still filling their windows when the run ends. Read the 429 shares of this notebook as lower bounds; a longer warm-up (at least the limiter's window) gives a better estimate, at the cost of simulating it."
        }
        return [Finding(title: "Is the measured window a steady state?", text: text)]
    }

    /// A kind of error as a plural noun: `P2024 pool timeouts`, `503s`.
    static func plural(_ kind: ErrorKind) -> String {
        switch kind {
        case .rateLimited: "429s"
        case .rateLimitedFalse: "false 429s"
        case .poolTimeout: "P2024 pool timeouts"
        case .connectionRefused: "refused connections"
        case .pgbouncerWaitTimeout: "PgBouncer wait timeouts"
        case .upstream: "provider errors"
        case .timeout: "timeouts"
        case .overloaded: "503s"
        case .redisUnavailable: "Redis errors"
        }
    }
}

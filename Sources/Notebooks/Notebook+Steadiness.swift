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
        if limiterDriven {
            // The limiters whose window outlasts the history a run starts with (the replayed
            // traffic and the warm-up): their keys are still filling when measuring begins.
            let history = RunSettings().replaySeconds + e.window.warmUpS
            var long: [String] = []
            for c in s.configurations {
                guard let model = self.model(c, variants(of: c).first ?? "") else { continue }
                for l in model.rateLimiters where l.window > history && !long.contains("`\(l.name)` (\(Prose.seconds(l.window)))") {
                    long.append("`\(l.name)` (\(Prose.seconds(l.window)))")
                }
            }
            text += " Here the 429s are still climbing. Each run starts from \(Prose.seconds(RunSettings().replaySeconds)) of replayed traffic and \(Prose.seconds(e.window.warmUpS)) of warm-up, which fill every limiter window up to that length"
            if long.isEmpty {
                text += ", so the limiters' windows start full; what still climbs is the traffic itself within the window (the hour's profile) or a slow build-up such as sessions and retries. Read the shares as the window's average."
            } else {
                text += "; the windows of \(Prose.list(long)) are longer, so their busiest keys are still filling when the run ends. Read those limiters' 429 shares as lower bounds."
            }
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

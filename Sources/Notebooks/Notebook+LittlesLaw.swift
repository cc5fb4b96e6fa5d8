import PlatformModel
import Reports
import Formatting

/// L = λW per station: the mean number inside against throughput times mean time inside.
extension Notebook {
    struct LittleCheck {
        var c: String, v: String, u: Int
        var station: String
        var kind: ComponentKind
        var l: Double, lambda: Double, wMs: Double
        var lambdaW: Double { lambda * wMs / 1000 }
        var difference: Double { max(l, lambdaW) > 0 ? abs(l - lambdaW) / max(l, lambdaW) : 0 }
        /// The simulator derives L from λW for providers: a restatement, not a test.
        var derived: Bool { kind == .externalService }
    }

    func littleChecks() -> [LittleCheck] {
        var out: [LittleCheck] = []
        for l in m.lines {
            for u in users(l.configuration, l.variant) {
                for name in m.componentNames(l.configuration, l.variant) {
                    guard let x = m.component(name, l.configuration, l.variant, u), let inside = x.meanInSystem, let w = x.meanResponseMs,
                          x.throughputPerS > 0 else { continue }
                    out.append(LittleCheck(c: l.configuration, v: l.variant, u: u, station: name, kind: x.kind, l: inside, lambda: x.throughputPerS, wMs: w))
                }
            }
        }
        return out
    }

    func littlesLaw() -> String {
        let checks = littleChecks()
        guard !checks.isEmpty else { return "No station reported both its mean number inside and its mean time inside.\n\n" }
        var out = "Little's law says that for any system in steady state the mean number inside, **L**, equals the rate things pass through, **λ**, "
        out += "times the mean time each spends inside, **W**, whatever the distributions and the order of service. The simulator measures L as a time average "
        out += "(the area under the count of requests present, over the window) and W as the mean over the requests that completed, separately; "
        out += "so L ≈ λW checks both the bookkeeping and that the window is long enough for the station to be in steady state.\n\n"
        let tested = checks.filter { !$0.derived }
        if let worst = tested.max(by: { $0.difference < $1.difference || ($0.difference == $1.difference && $0.station > $1.station) }) {
            let sorted = tested.map(\.difference).sorted()
            let median = sorted[sorted.count / 2]
            out += "Over the \(tested.count) measurements of this experiment (every cell, every station that keeps both figures), the median difference is \(Format.percent(median, 2)) "
            out += "and the largest \(Format.percent(worst.difference, 1)), for `\(worst.station)` in \(name(worst.c, worst.v)) at \(Prose.users(worst.u)) (L = \(Prose.number(worst.l)), λW = \(Prose.number(worst.lambdaW))). "
            if worst.u == users(worst.c, worst.v).first, worst.difference >= 0.02 {
                out += "It is largest where the fewest requests pass (λ = \(Prose.number(worst.lambda)) per second): there a handful of long requests straddling the window's edges moves the averages. "
            }
            if worst.difference < 0.02 {
                out += "The law holds to within 2% everywhere: the time averages and the per-request means agree.\n\n"
            } else {
                out += "The differences come from the window's edges: a request that arrived during the warm-up and finishes in the window counts in W but only partly in L, "
                out += "and one still inside at the end counts in L but not in W. They grow when a station keeps requests for a long time compared with the window, "
                out += "or is not in steady state at all (a backlog growing through the window, as in an overloaded cell), which is itself a finding: such a cell has no steady state to report.\n\n"
            }
        }
        if checks.contains(where: \.derived) {
            out += "For Mailgun and the LLM the simulator keeps no count of calls in flight and derives L from λW, so their rows restate the law rather than test it.\n\n"
        }
        // The table: each line at its largest user count (only the first variant of each configuration when there are many lines).
        let lines = m.lines.count > 6 ? m.lines.filter { $0.variant == variants(of: $0.configuration).first } : m.lines
        var t = TextTable(["configuration", "users", "station", "L (mean inside)", "λ (per s)", "W (ms)", "λ × W", "difference"],
                          alignments: [.left, .right, .left, .right, .right, .right, .right, .right])
        for l in lines {
            guard let u = users(l.configuration, l.variant).last else { continue }
            for x in checks where x.c == l.configuration && x.v == l.variant && x.u == u {
                t.add([m.name(l), Format.users(u), x.station + (x.derived ? " (derived)" : ""), Prose.number(x.l), Prose.number(x.lambda),
                       Prose.number(x.wMs), Prose.number(x.lambdaW), Format.percent(x.difference, 2)])
            }
        }
        out += "Each line at its largest user count:\n\n" + t.markdown() + "\n"
        return out
    }
}

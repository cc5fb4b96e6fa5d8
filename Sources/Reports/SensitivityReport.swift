import Analysis
import PlatformModel
import Formatting

/// A one-at-a-time sensitivity study as a table, tornado charts and a markdown notebook.
public struct SensitivityReport: Sendable {
    public var configuration: String
    public var users: Int
    public var spread: Double
    public var baseline: Sensitivity.Outcome
    /// Sorted by their largest relative swing, widest first; parameters that changed nothing
    /// are in ``unchanged`` instead.
    public var effects: [Sensitivity.Effect]
    /// Parameters whose low and high runs were the baseline's run again (a setting that is off
    /// in this configuration), by path.
    public var unchanged: [String]
    /// The SLO each run is judged against.
    public var slo: ServiceLevelObjective
    /// Parameters that could not be moved (the moved value failed validation), with why.
    public var skipped: [(path: String, reason: String)]
    public var command: String

    /// Seeds per end; every figure is their mean.
    public var replications: Int

    public init(configuration: String, users: Int, spread: Double, replications: Int = 1, slo: ServiceLevelObjective, baseline: Sensitivity.Outcome,
                effects: [Sensitivity.Effect], skipped: [(path: String, reason: String)], command: String) {
        self.replications = replications
        self.configuration = configuration
        self.users = users
        self.spread = spread
        self.slo = slo
        self.baseline = baseline
        unchanged = effects.filter { $0.changesNothing(from: baseline) }.map(\.perturbation.path)
        self.effects = effects.filter { !$0.changesNothing(from: baseline) }.enumerated().sorted { a, b in
            let x = a.element.swing(from: baseline), y = b.element.swing(from: baseline)
            return x != y ? x > y : a.offset < b.offset
        }.map(\.element)
        self.skipped = skipped
        self.command = command
    }

    public func table() -> TextTable {
        var t = TextTable(["parameter", "baseline", "low", "high", "p99 ms low / high", "errors low / high", "SLO low / high",
                           "users to saturation low / high", "monthly USD low / high"],
                          alignments: [.left, .left, .left, .left, .right, .right, .left, .right, .right])
        func verdict(_ o: Sensitivity.Outcome) -> String { o.meetsSLO ? "meets" : "fails" }
        t.add(["(baseline)", "", "", "", Format.number(baseline.p99Ms), Format.percent(baseline.errorRate, 3), verdict(baseline),
               Format.users(Int(saturating: baseline.capacityUsers)), Format.usd(baseline.monthlyUSD)])
        for e in effects {
            let p = e.perturbation
            t.add([p.path, p.baseline, p.lowIsBaseline ? "(= baseline)" : p.low, p.high,
                   "\(Format.number(e.low.p99Ms)) / \(Format.number(e.high.p99Ms))",
                   "\(Format.percent(e.low.errorRate, 3)) / \(Format.percent(e.high.errorRate, 3))",
                   "\(verdict(e.low)) / \(verdict(e.high))",
                   "\(Format.users(Int(saturating: e.low.capacityUsers))) / \(Format.users(Int(saturating: e.high.capacityUsers)))",
                   "\(Format.usd(e.low.monthlyUSD)) / \(Format.usd(e.high.monthlyUSD))"])
        }
        return t
    }

    /// Tornado charts of the `top` widest parameters for each figure.
    public func charts(top: Int) -> [(name: String, svg: String)] {
        let label = "\(configuration) at \(Format.users(users)) users"
        func chart(_ title: String, _ base: Double, _ f: (Sensitivity.Outcome) -> Double, _ unit: TickFormat, _ axis: String) -> String {
            let bars = effects.map { TornadoBar($0.perturbation.path, low: f($0.low), high: f($0.high),
                                                lowLabel: $0.perturbation.low, highLabel: $0.perturbation.high) }
                .sorted { $0.spread > $1.spread }.prefix(top)
            return TornadoChart(title: title, subtitle: "each assumption at -\(Int(spread * 100))% and +\(Int(spread * 100))%, all else as modelled",
                                baselineLabel: label, baseline: base, bars: Array(bars), unit: unit, axisLabel: axis).svg()
        }
        return [("tornado-p99", chart("p99 latency: which assumptions move it", baseline.p99Ms, \.p99Ms, .milliseconds, "p99 latency")),
                ("tornado-errors", chart("Errors the SLO counts, share of requests", baseline.errorRate, \.errorRate, .percent, "share of requests")),
                ("tornado-capacity", chart("Users until the first component saturates", baseline.capacityUsers, \.capacityUsers, .users, "users")),
                ("tornado-cost", chart("Monthly cost", baseline.monthlyUSD, \.monthlyUSD, .usd, "USD per month"))]
    }

    /// The notebook, with charts referenced from `chartFolder` (relative to the notebook).
    public func markdown(chartFolder: String, top: Int) -> String {
        let pct = Int((spread * 100).rounded())
        var out = "# Sensitivity of \(configuration) at \(Format.users(users)) users\n\n"
        out += "Which of the model's assumptions matter most? Every number in the model files labelled `assumption` "
            + "(no public source) was moved to \(pct)% below and \(pct)% above its value, one at a time, "
            + "everything else as modelled, and the run's p99 latency, the errors the SLO counts (\(sloText)), whether the run "
            + "meets the SLO, the users the configuration takes before its first component saturates, and its monthly cost were "
            + "recorded. " + seedsText + " The widest bars are the assumptions to measure first.\n\n"
        out += "Generated by the program; to reproduce:\n\n```sh\n\(command)\n```\n\n"
        out += "Baseline: p99 \(Format.number(baseline.p99Ms)) ms, \(Format.percent(baseline.errorRate, 3)) of requests failing in ways the SLO counts "
            + "(the SLO is \(baseline.meetsSLO ? "met" : "missed")), saturation at about \(Format.users(Int(saturating: baseline.capacityUsers))) users, "
            + "\(Format.usd(baseline.monthlyUSD)) a month.\n\n"
        for (name, _) in charts(top: top) { out += "![\(name)](\(chartFolder)/\(name).svg)\n\n" }
        out += "## What matters most\n\n"
        for (figure, f, unit) in [("p99 latency", { (o: Sensitivity.Outcome) in o.p99Ms }, "ms"),
                                  ("users to saturation", { (o: Sensitivity.Outcome) in o.capacityUsers }, "users"),
                                  ("monthly cost", { (o: Sensitivity.Outcome) in o.monthlyUSD }, "USD")] {
            let base = f(baseline)
            let ranked = effects.sorted { abs(f($0.high) - f($0.low)) > abs(f($1.high) - f($1.low)) }
            guard let top1 = ranked.first, base > 0 else { continue }
            let swing = abs(f(top1.high) - f(top1.low)) / base
            out += "- **\(figure)**: `\(top1.perturbation.path)` moves it most: from \(Format.number(f(top1.low))) to \(Format.number(f(top1.high))) \(unit) "
                + "(\(Format.percent(swing, 0)) of the baseline)"
            if ranked.count > 1 {
                out += "; then " + ranked.dropFirst().prefix(2).map { "`\($0.perturbation.path)`" }.joined(separator: " and ")
            }
            out += ".\n"
        }
        out += errorsAndSLO()
        out += "\n## Every assumption\n\nThe first row is the baseline run; each other row moves one assumption.\n\n" + table().markdown() + "\n"
        if !unchanged.isEmpty {
            out += "## Changed nothing here\n\nMoving these gave the baseline's run again, figure for figure: settings that are off or "
                + "not reached in this configuration at this size (a disabled cache's TTL, a fault that is not triggered, a limit nobody meets). "
                + "They may matter in another configuration.\n\n"
            out += unchanged.map { "`\($0)`" }.joined(separator: ", ") + "\n\n"
        }
        if !skipped.isEmpty {
            out += "## Not moved\n\nThese assumptions could not be moved alone (the moved value breaks a rule of the model, "
                + "such as shares that must sum to 1):\n\n"
            for s in skipped { out += "- `\(s.path)`: \(s.reason)\n" }
        }
        return out
    }

    var seedsText: String {
        let same = "so users, sessions and requests are the same draws in every run (common random numbers): a difference between two runs is the parameter's effect, not another sample of the traffic."
        if replications == 1 {
            return "Every run uses the same seed, " + same + " One seed still leaves each run's p99 its own noise (a few percent), so a bar shorter than that says the parameter does not matter here, and both ends can fall on the same side of the baseline."
        }
        return "Each end is the mean of \(replications) seeds, the same seeds for every parameter and the baseline, " + same + " The SLO counts as met when more than half of the seeds meet it."
    }

    var sloText: String { "p99 ≤ \(Format.number(slo.p99Ms)) ms and errors ≤ \(Format.percent(slo.errorRate, 2))" }

    /// The error-rate bullet and the assumptions whose ends change the SLO's verdict.
    func errorsAndSLO() -> String {
        var out = ""
        let ranked = effects.sorted { abs($0.high.errorRate - $0.low.errorRate) > abs($1.high.errorRate - $1.low.errorRate) }
        if let e = ranked.first, e.high.errorRate != e.low.errorRate {
            out += "- **errors the SLO counts**: `\(e.perturbation.path)` moves them most: from \(Format.percent(e.low.errorRate, 3)) to "
                + "\(Format.percent(e.high.errorRate, 3)) of requests (baseline \(Format.percent(baseline.errorRate, 3))).\n"
        } else {
            out += "- **errors the SLO counts**: no assumption moves them (\(Format.percent(baseline.errorRate, 3)) in every run).\n"
        }
        let flips = effects.filter { $0.low.meetsSLO != baseline.meetsSLO || $0.high.meetsSLO != baseline.meetsSLO }
        if flips.isEmpty {
            out += "- **the SLO** (\(sloText)): \(baseline.meetsSLO ? "met" : "missed") at both ends of every assumption.\n"
        } else {
            let ends = flips.map { e -> String in
                var which: [String] = []
                if e.low.meetsSLO != baseline.meetsSLO { which.append(e.perturbation.lowIsBaseline ? "" : "at \(e.perturbation.low)") }
                if e.high.meetsSLO != baseline.meetsSLO { which.append("at \(e.perturbation.high)") }
                return "`\(e.perturbation.path)` (" + which.filter { !$0.isEmpty }.joined(separator: " and ") + ")"
            }
            out += "- **the SLO** (\(sloText)), \(baseline.meetsSLO ? "met" : "missed") by the baseline, is \(baseline.meetsSLO ? "missed" : "met") when these move: "
                + ends.joined(separator: ", ") + ".\n"
        }
        return out
    }
}

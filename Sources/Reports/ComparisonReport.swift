import Analysis
import Formatting
import PlatformModel

/// Two sets of runs side by side (``RunComparison``) as `platform-sim compare` prints them: a
/// table of every figure (baseline, other, the difference with its 95% interval, `*` where the
/// interval excludes zero), the bottleneck of each side, and the same as JSON.
public enum ComparisonReport {
    /// The comparison for people: what was compared, how the difference is taken, the figures
    /// (components and cost items only where a run has them above zero) and the bottlenecks. `slo` adds a row of how many runs of each side meet it.
    public static func render(_ c: RunComparison, baselineLabel: String, otherLabel: String, slo: ServiceLevelObjective?,
                              markdown: Bool) -> String {
        var out = ""
        let nb = c.baseline.count, no = c.other.count
        out += line("A: \(baselineLabel) (\(runs(c.baseline)))", markdown)
        out += line("B: \(otherLabel) (\(runs(c.other)))", markdown)
        if c.paired && nb > 1 {
            out += line("Figures are means over the runs ± their 95% half-width. B - A is the mean of the \(nb) differences of runs on the same seed and replication (common random numbers) ± its 95% half-width (Student t, \(nb - 1) degrees of freedom); * marks a difference whose interval excludes zero.", markdown)
        } else if c.paired {
            out += line("One run per side, on the same seed: B - A has no interval, and a difference of a few percent may be noise; compare with --replications 3 or more.", markdown)
        } else if nb > 1 && no > 1 {
            out += line("The sides ran different seeds, so their runs do not pair: B - A is the difference of the means with Welch's 95% interval; * marks one that excludes zero. Runs on the same seeds (common random numbers) would give a much narrower interval.", markdown)
        } else {
            out += line("The sides ran different seeds and one of them once: B - A has no interval.", markdown)
        }
        out += "\n"
        var t = TextTable(["figure", "A", "B", "B - A"], alignments: [.left, .right, .right, .right])
        t.keyColumns = 1
        let figures = c.figures()
        for f in figures where f.section == .headline {
            t.add(row(f, name: f.name, c))
        }
        if let slo {
            t.add(["SLO (\(slo.description)): runs meeting it", "\(c.meeting(slo, .baseline)) of \(nb)", "\(c.meeting(slo, .other)) of \(no)", ""])
        }
        for f in figures where f.section == .errors { t.add(row(f, name: "errors: \(f.name)", c)) }
        // A component or cost item at zero in every run of both sides (a rate limiter's
        // utilization, an item neither side pays) says nothing: left out.
        func zero(_ f: RunComparison.Figure) -> Bool { (c.baseline + c.other).allSatisfy { f.value($0) == 0 } }
        for f in figures where f.section == .components && !zero(f) {
            t.add(row(f, name: (f.unit == .utilization ? "utilization: " : "p99 wait ms: ") + f.name, c))
        }
        for f in figures where f.section == .costs && !zero(f) { t.add(row(f, name: "cost: \(f.name)", c)) }
        out += markdown ? t.markdown() : t.plain()
        out += "\n"
        for (name, side) in [("A", RunComparison.Side.baseline), ("B", .other)] {
            let (b, count) = c.usualBottleneck(side)
            let n = side == .baseline ? nb : no
            let text = "Bottleneck \(name): \(b.component): \(b.reason)" + (n > 1 ? " (\(count) of \(n) runs)" : "")
            out += markdown ? "- \(text)\n" : TextTable.wrap(text, TextTable.defaultWidth).joined(separator: "\n") + "\n"
        }
        return out
    }

    static func line(_ text: String, _ markdown: Bool) -> String {
        markdown ? text + "\n\n" : TextTable.wrap(text, TextTable.defaultWidth).joined(separator: "\n") + "\n"
    }

    /// `seed 1, replications 0-2` or `3 runs`.
    static func runs(_ runs: [DiagnosedRun]) -> String {
        let seeds = Set(runs.map(\.result.seed))
        let first = runs[0].result
        if seeds.count == 1 {
            let reps = runs.map(\.result.replication).sorted()
            if runs.count == 1 { return "seed \(first.seed)" + (first.replication > 0 ? ", replication \(first.replication)" : "") }
            if reps == Array(reps[0]..<(reps[0] + reps.count)) { return "seed \(first.seed), replications \(reps[0])-\(reps.last!)" }
        }
        return "\(runs.count) runs"
    }

    static func row(_ f: RunComparison.Figure, name: String, _ c: RunComparison) -> [String] {
        let a = c.estimate(.baseline, f.value), b = c.estimate(.other, f.value), d = c.difference(f.value)
        return [name, value(a, f.unit), value(b, f.unit), difference(d, f.unit)]
    }

    static func value(_ e: Estimate, _ unit: RunComparison.Unit) -> String {
        e.halfWidth.isFinite && e.replications > 1 ? "\(format(e.mean, unit)) ± \(format(e.halfWidth, unit))" : format(e.mean, unit)
    }

    static func difference(_ d: Estimate, _ unit: RunComparison.Unit) -> String {
        if d.mean == 0 && (d.halfWidth == 0 || !d.halfWidth.isFinite) { return "0" }
        var text = (d.mean > 0 ? "+" : "") + format(d.mean, unit)
        if d.halfWidth.isFinite { text += " ± \(format(d.halfWidth, unit))" }
        return text + (d.excludesZero ? " *" : "")
    }

    /// A figure in its unit, for people.
    public static func format(_ x: Double, _ unit: RunComparison.Unit) -> String {
        switch unit {
        case .milliseconds, .perSecond: Format.number(x)
        case .share: Format.percent(x, 3)
        case .utilization: Format.percent(x, 1)
        case .usd: Format.usd(x)
        case .usdPerThousandUsers: (x < 0 ? "-$" : "$") + Format.fixed(abs(x), 2)
        }
    }

    // MARK: JSON

    /// The comparison for programs: every figure with both sides' means and half-widths and the
    /// difference (raw numbers; a half-width is null where there is no interval).
    public struct Document: Encodable, Sendable {
        public struct Side: Encodable, Sendable {
            public var label: String
            public var runs: Int
            public var bottleneck: String
            public var bottleneckReason: String
        }
        public struct Value: Encodable, Sendable {
            public var mean: Double
            public var halfWidth: Double?
        }
        public struct Row: Encodable, Sendable {
            public var section: String
            public var key: String
            public var a: Value
            public var b: Value
            public var difference: Value
            public var significant: Bool
        }
        public var a: Side
        public var b: Side
        public var paired: Bool
        public var slo: String?
        public var runsMeetingSLO: [Int]?
        public var figures: [Row]
    }

    public static func document(_ c: RunComparison, baselineLabel: String, otherLabel: String, slo: ServiceLevelObjective?) -> Document {
        func value(_ e: Estimate) -> Document.Value { Document.Value(mean: e.mean, halfWidth: e.halfWidth.isFinite ? e.halfWidth : nil) }
        let rows = c.figures().map { f -> Document.Row in
            let d = c.difference(f.value)
            return Document.Row(section: f.section.rawValue, key: f.key, a: value(c.estimate(.baseline, f.value)),
                                b: value(c.estimate(.other, f.value)), difference: value(d), significant: d.excludesZero)
        }
        func side(_ label: String, _ s: RunComparison.Side) -> Document.Side {
            let (b, _) = c.usualBottleneck(s)
            return Document.Side(label: label, runs: s == .baseline ? c.baseline.count : c.other.count, bottleneck: b.component, bottleneckReason: b.reason)
        }
        return Document(a: side(baselineLabel, .baseline), b: side(otherLabel, .other), paired: c.paired, slo: slo?.description,
                        runsMeetingSLO: slo.map { [c.meeting($0, .baseline), c.meeting($0, .other)] }, figures: rows)
    }
}

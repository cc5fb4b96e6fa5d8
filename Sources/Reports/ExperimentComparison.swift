import Analysis
import Formatting

/// Two experiments side by side, cell by cell (the same configuration, variant and user count
/// in both: two results databases of one experiment, or two experiments of one grid): p99,
/// error rate and monthly cost of each with the difference B - A, paired over the runs of
/// the same seed and replication (common random numbers) where the cells share two or more,
/// Welch's interval of the means where they share none, and whether each meets its own SLO.
public enum ExperimentComparison {
    typealias Column = DataTable.Column
    typealias Cell = DataTable.Cell

    /// The cells both summaries have, in A's order.
    public static func data(_ a: ExperimentSummary, _ b: ExperimentSummary) -> DataTable {
        let columns = [
            Column("configuration", field: "configuration", unit: .text),
            Column("variant", field: "variant", unit: .text, audience: a.variants.count > 1 || b.variants.count > 1 ? .everyone : .programs),
            Column("users", field: "users", unit: .users, alignment: .left),
            Column("runs A/B", field: "runs_ab", unit: .text, alignment: .right, audience: .people),
            Column("runs A", field: "runs_a", unit: .count, audience: .programs),
            Column("runs B", field: "runs_b", unit: .count, audience: .programs),
            Column("p99 ms A", field: "p99_ms_a", unit: .figure, interval: .halfWidth),
            Column("p99 ms B", field: "p99_ms_b", unit: .figure, interval: .halfWidth),
            Column("p99 B - A", field: "p99_ms_difference", unit: .figure, interval: .difference),
            Column("errors A", field: "error_share_a", unit: .share, interval: .halfWidth),
            Column("errors B", field: "error_share_b", unit: .share, interval: .halfWidth),
            Column("errors B - A", field: "error_share_difference", unit: .share, interval: .difference),
            Column("cost A", field: "monthly_usd_a", unit: .usd, interval: .halfWidth),
            Column("cost B", field: "monthly_usd_b", unit: .usd, interval: .halfWidth),
            Column("cost B - A", field: "monthly_usd_difference", unit: .usd, interval: .difference),
            Column("SLO A", field: "meets_slo_a", unit: .flag),
            Column("SLO B", field: "meets_slo_b", unit: .flag),
            Column("paired runs", field: "paired_runs", unit: .count),
            Column("bottleneck A", field: "bottleneck_a", unit: .text),
            Column("bottleneck B", field: "bottleneck_b", unit: .text),
        ]
        var t = DataTable(columns, keyColumns: 3)
        for x in a.cells {
            guard let y = b.cell(x.configuration, x.variant, x.users) else { continue }
            let shared = x.samples.filter { s in y.samples.contains { $0.seed == s.seed && $0.replication == s.replication } }.count
            func difference(_ f: (CellSample) -> Double) -> Cell {
                if let d = ExperimentSummary.pairedDifference(y, x, f) { return .number(d.mean, halfWidth: d.halfWidth) }
                let d = Estimate.unpairedDifference(y.samples.map(f), x.samples.map(f))
                return .number(d.mean, halfWidth: d.halfWidth.isFinite ? d.halfWidth : nil)
            }
            t.add([.text(x.configuration), .text(x.variant), .integer(x.users), .text("\(x.runs)/\(y.runs)"), .integer(x.runs), .integer(y.runs),
                   .number(x.p99Ms, halfWidth: x.p99HalfWidth), .number(y.p99Ms, halfWidth: y.p99HalfWidth), difference { $0.p99Ms },
                   .number(x.errorRate, halfWidth: x.errorRateHalfWidth), .number(y.errorRate, halfWidth: y.errorRateHalfWidth),
                   difference { $0.errorRate },
                   .number(x.monthlyCostUSD, halfWidth: x.monthlyCostHalfWidth), .number(y.monthlyCostUSD, halfWidth: y.monthlyCostHalfWidth),
                   difference { $0.monthlyCostUSD }, .flag(x.meetsSLO), .flag(y.meetsSLO), .integer(shared >= 2 ? shared : 0),
                   .text(x.bottleneckComponent), .text(y.bottleneckComponent)])
        }
        return t
    }

    /// The comparison for people: what A and B are, how differences are taken, the table.
    public static func render(_ a: ExperimentSummary, _ b: ExperimentSummary, labelA: String, labelB: String, markdown: Bool) -> String {
        let table = data(a, b)
        func slo(_ s: ExperimentSummary) -> String { "p99 <= \(Format.number(s.sloP99Ms)) ms, errors <= \(Format.percent(s.sloErrorRate, 2))" }
        let lines = [
            "A: \(labelA) (SLO \(slo(a)))",
            "B: \(labelB) (SLO \(slo(b)))",
            "Cells in both, with means ± 95% half-widths over their runs. B - A pairs the runs of the same seed and replication "
                + "(common random numbers) where a cell shares two or more (paired runs), and is Welch's interval of the means otherwise; "
                + "* marks a difference whose interval excludes zero. SLO: whether the cell meets its own experiment's SLO.",
        ]
        var out = ""
        for l in lines { out += markdown ? l + "\n\n" : TextTable.wrap(l, TextTable.defaultWidth).joined(separator: "\n") + "\n" }
        if !markdown { out += "\n" }
        let text = table.text()
        out += markdown ? text.markdown() : text.plain()
        return out
    }
}

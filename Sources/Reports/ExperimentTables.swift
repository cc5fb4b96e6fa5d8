import Analysis
import PlatformModel
import ResultsStore
import Formatting

/// The tables of an experiment, from its database records: bottlenecks (with the SLO limits
/// under them), costs, and the configurations side by side. `sweep` prints them after running;
/// `report` writes them from the database alone.
public struct ExperimentTables: Sendable {
    public let summary: ExperimentSummary

    public init(_ results: ExperimentResults) { summary = ExperimentSummary(results) }
    public init(summary: ExperimentSummary) { self.summary = summary }

    /// Error kinds as columns, every kind in its order.
    public static let errorColumns: [ErrorKind] = ErrorKind.allCases

    /// Cost line items as columns: the column header and the `CostModel` item name.
    public static let costColumns: [(header: String, item: String)] = [
        ("API compute", "API compute"), ("Postgres primary", "Postgres primary"), ("replicas", "read replicas"),
        ("shards", "shards"), ("PgBouncer", "PgBouncer"), ("Redis", "Redis"), ("workers", "workers"),
        ("Mailgun", "Mailgun"), ("dedicated IPs", "dedicated IPs"), ("LLM tokens", "LLM tokens"), ("Sentry", "Sentry"),
        ("CDN", "CDN"), ("egress", "egress"), ("platform plan", "platform plan"),
    ]

    /// Whether tables need a variant column (the experiment has more than one).
    var showsVariant: Bool { summary.variants.count > 1 }

    func leading(_ c: CellSummary) -> [String] {
        showsVariant ? [c.configuration, c.variant, Format.users(c.users)] : [c.configuration, Format.users(c.users)]
    }
    var leadingHeaders: [String] { showsVariant ? ["configuration", "variant", "users"] : ["configuration", "users"] }
    func leftAligned(_ n: Int) -> [TextTable.Alignment] { Array(repeating: .left, count: n) }

    // MARK: Tables

    /// A row per (configuration, users): the component that saturates first and why, its
    /// utilization, latency, error rate by kind and the headroom in users.
    public func bottleneckTable() -> TextTable {
        let headers = leadingHeaders + ["bottleneck", "utilization", "p50 ms", "p95 ms", "p99 ms", "errors", "SLO errors"]
            + Self.errorColumns.map(\.label) + ["jobs lost", "headroom users", "why"]
        var t = TextTable(headers, alignments: leftAligned(leadingHeaders.count + 1)
            + Array(repeating: .right, count: headers.count - leadingHeaders.count - 2) + [.left])
        for c in summary.cells {
            let component = c.bottleneckRuns < c.runs ? "\(c.bottleneckComponent) (\(c.bottleneckRuns) of \(c.runs) runs)" : c.bottleneckComponent
            // A rate limiter has no utilization: its limit is hit or not.
            let utilization = c.bottleneckUtilization == 0 ? "-" : Format.percent(c.bottleneckUtilization, 0)
            t.add(leading(c) + [component, utilization, Self.value(c.p50Ms, c.p50HalfWidth), Self.value(c.p95Ms, c.p95HalfWidth),
                                Self.value(c.p99Ms, c.p99HalfWidth), Self.rate(c.errorRate, c.errorRateHalfWidth), Self.rate(c.sloErrorRate)]
                  + Self.errorColumns.map { Self.rate(c.errorRateByKind[$0]) }
                  + [Self.rate(c.jobsDeadLetteredShare), c.headroomUsers.map { Format.grouped(Int(saturating: $0.rounded())) } ?? "-", c.bottleneckReason])
        }
        return t
    }

    /// Per configuration: the largest user count that meets the SLO and what stops it.
    public func sloTable() -> TextTable {
        let lead = showsVariant ? ["configuration", "variant"] : ["configuration"]
        let headers = lead + ["meets the SLO up to", "first failing", "fails on", "stopped by", "why", "slowest endpoint there"]
        var t = TextTable(headers, alignments: leftAligned(lead.count) + [.right, .right, .left, .left, .left, .left])
        for s in summary.slo {
            let up = s.largestUsersMeetingSLO.map(Format.users) ?? "none"
            let first = s.firstFailingUsers.map(Format.users) ?? "none tested"
            t.add((showsVariant ? [s.configuration, s.variant] : [s.configuration])
                  + [up, first, s.failsOn ?? "-", s.stoppedBy ?? "-", s.reason ?? "meets the SLO at every user count tested",
                     s.slowestEndpoint ?? "-"])
        }
        return t
    }

    /// A row per (configuration, users): monthly USD per line item, total, cost per 1,000 users.
    public func costTable() -> TextTable {
        let known = Set(Self.costColumns.map(\.item))
        let hasOther = summary.cells.contains { $0.costByItem.keys.contains { !known.contains($0) } }
        let headers = leadingHeaders + Self.costColumns.map(\.header) + (hasOther ? ["other"] : []) + ["total", "per 1k users"]
        var t = TextTable(headers, alignments: leftAligned(leadingHeaders.count) + Array(repeating: .right, count: headers.count - leadingHeaders.count))
        for c in summary.cells {
            var row = leading(c) + Self.costColumns.map { col in c.costByItem[col.item].map(Format.usd) ?? "-" }
            if hasOther { row.append(Format.usd(c.costByItem.filter { !known.contains($0.key) }.values.reduce(0, +))) }
            row += [c.monthlyCostHalfWidth.map { "\(Format.usd(c.monthlyCostUSD)) ± \(Format.usd($0))" } ?? Format.usd(c.monthlyCostUSD),
                    "$" + Format.fixed(c.costPer1kUsersUSD, 2)]
            t.add(row)
        }
        return t
    }

    /// The configurations side by side at each user count: p99, error rate, bottleneck and
    /// monthly cost, one line each.
    public func comparisonTable() -> TextTable {
        let columns = summary.configurations.flatMap { c in summary.variants.map { v in (c, v) } }
            .filter { cv in summary.cells.contains { $0.configuration == cv.0 && $0.variant == cv.1 } }
        let names = columns.map { showsVariant ? "\($0.0) / \($0.1)" : $0.0 }
        var t = TextTable(["users", "figure"] + names, alignments: [.left, .left] + Array(repeating: .right, count: names.count))
        let paired = summary.runsPerCell > 1 && columns.count > 1
        let reference = columns.first.map { showsVariant ? "\($0.0) / \($0.1)" : $0.0 } ?? ""
        var figures: [(String, (CellSummary, CellSummary?) -> String)] = [
            ("p99 ms", { c, _ in Self.value(c.p99Ms, c.p99HalfWidth) }),
            ("error rate", { c, _ in Self.rate(c.errorRate, c.errorRateHalfWidth) }),
            ("bottleneck", { c, _ in c.bottleneckUtilization == 0 ? c.bottleneckComponent : "\(c.bottleneckComponent) \(Format.percent(c.bottleneckUtilization, 0))" }),
            ("monthly cost", { c, _ in c.monthlyCostHalfWidth.map { "\(Format.usd(c.monthlyCostUSD)) ± \(Format.usd($0))" } ?? Format.usd(c.monthlyCostUSD) }),
            ("within SLO", { c, _ in c.meetsSLO ? "yes" : "no" }),
        ]
        if paired {
            // Differences from the first column over the same seeds, with their own intervals;
            // `*` marks one whose interval excludes zero.
            func difference(_ f: @escaping (CellSample) -> Double, percent: Bool) -> (CellSummary, CellSummary?) -> String {
                { c, ref in
                    guard let ref, ref != c, let d = ExperimentSummary.pairedDifference(c, ref, f) else { return "-" }
                    let text = percent ? Self.rate(d.mean, d.halfWidth) : Self.value(d.mean, d.halfWidth)
                    return (d.mean > 0 && !percent ? "+" : "") + text + (d.excludesZero ? " *" : "")
                }
            }
            figures.insert(("p99 vs \(reference)", difference({ $0.p99Ms }, percent: false)), at: 1)
            figures.insert(("errors vs \(reference)", difference({ $0.errorRate }, percent: true)), at: 3)
        }
        for u in summary.userCounts {
            let ref = columns.first.flatMap { summary.cell($0.0, $0.1, u) }
            for (i, (name, value)) in figures.enumerated() {
                t.add([i == 0 ? Format.users(u) : "", name] + columns.map { cv in summary.cell(cv.0, cv.1, u).map { value($0, ref) } ?? "-" })
            }
        }
        return t
    }

    /// The tables in report order, with a file-friendly name and a title.
    public func all() -> [(name: String, title: String, table: TextTable)] {
        [("bottlenecks", "Bottlenecks", bottleneckTable()),
         ("slo", "Largest user count within the SLO (p99 <= \(Format.number(summary.sloP99Ms)) ms, error rate <= \(Format.percent(summary.sloErrorRate, 2)))", sloTable()),
         ("cost", "Monthly cost (USD)", costTable()),
         ("phases", "Configurations side by side", comparisonTable())]
    }

    // MARK: Rendering

    public enum Style: Sendable { case plain, markdown }

    /// Every table with a heading; markdown adds the question as a notebook would.
    public func render(_ style: Style) -> String {
        var out = ""
        let s = summary
        let means = s.runsPerCell > 1 ? " Figures are means over \(s.runsPerCell) runs per cell (seeds or replications) with 95% confidence half-widths; differences between configurations pair the runs of the same seed (common random numbers), * marking those whose interval excludes zero." : ""
        switch style {
        case .markdown:
            out += "# Experiment \(s.experiment)\n\n\(s.question.trimmingTrailingNewlines())\n\n"
            out += "SLO: p99 <= \(Format.number(s.sloP99Ms)) ms and error rate <= \(Format.percent(s.sloErrorRate, 2)).\(means)\n\n"
        case .plain:
            out += "Experiment \(s.experiment)\(means.isEmpty ? "" : ":" + means)\n\n"
        }
        for (_, title, table) in all() {
            switch style {
            case .markdown: out += "## \(title)\n\n" + table.markdown() + "\n"
            case .plain: out += title + "\n" + table.plain() + "\n"
            }
        }
        return out
    }

    /// An error share as a percentage, or `0` when there are none (so the eye finds the others);
    /// with a confidence half-width when there is one.
    static func rate(_ x: Double, _ halfWidth: Double? = nil) -> String {
        guard let h = halfWidth, h.isFinite else { return x == 0 ? "0" : Format.percent(x, 2) }
        return "\(Format.percent(x, 2)) ± \(Format.percent(h, 2))"
    }

    /// A figure, with its 95% half-width when the cell has several runs.
    static func value(_ x: Double, _ halfWidth: Double?) -> String {
        guard let h = halfWidth, h.isFinite else { return Format.number(x) }
        return "\(Format.number(x)) ± \(Format.number(h))"
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let l = s.last, l.isNewline || l == " " { s = s.dropLast() }
        return String(s)
    }
}

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

    /// Cost line items as columns: the column header, the `CostModel` item name and the CSV field.
    public static let costColumns: [(header: String, item: String, field: String)] = [
        ("API compute", "API compute", "api_compute_usd"), ("Postgres primary", "Postgres primary", "postgres_primary_usd"),
        ("replicas", "read replicas", "replicas_usd"), ("shards", "shards", "shards_usd"), ("PgBouncer", "PgBouncer", "pgbouncer_usd"),
        ("Redis", "Redis", "redis_usd"), ("workers", "workers", "workers_usd"), ("Mailgun", "Mailgun", "mailgun_usd"),
        ("dedicated IPs", "dedicated IPs", "dedicated_ips_usd"), ("LLM tokens", "LLM tokens", "llm_tokens_usd"),
        ("Sentry", "Sentry", "sentry_usd"), ("CDN", "CDN", "cdn_usd"), ("egress", "egress", "egress_usd"),
        ("platform plan", "platform plan", "platform_plan_usd"),
    ]

    /// Whether tables need a variant column (the experiment has more than one).
    var showsVariant: Bool { summary.variants.count > 1 }

    typealias Column = DataTable.Column
    typealias Cell = DataTable.Cell

    /// The columns that name a cell: configuration, variant (for people only when the experiment
    /// has several; CSV always has it) and users.
    var leadingColumns: [Column] {
        [Column("configuration", field: "configuration", unit: .text),
         Column("variant", field: "variant", unit: .text, audience: showsVariant ? .everyone : .programs),
         Column("users", field: "users", unit: .users, alignment: .left)]
    }
    func leading(_ c: CellSummary) -> [Cell] { [.text(c.configuration), .text(c.variant), .integer(c.users)] }

    /// A share's CSV field for an error kind: `pool_timeout_share`.
    static func field(_ kind: ErrorKind) -> String { snakeCase(kind.name) + "_share" }

    /// `rateLimitedFalse` -> `rate_limited_false`.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        for ch in name {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }

    // MARK: Tables

    /// A row per (configuration, users): the component that saturates first and why, its
    /// utilization, latency, error rate by kind and the headroom in users.
    public func bottleneckTable() -> TextTable { bottleneckData().text() }

    public func bottleneckData() -> DataTable {
        var columns = leadingColumns + [
            Column("runs", field: "runs", unit: .count, audience: .programs),
            Column("bottleneck", field: "bottleneck_label", unit: .text, audience: .people),
            Column("bottleneck", field: "bottleneck", unit: .text, audience: .programs),
            Column("bottleneck runs", field: "bottleneck_runs", unit: .count, audience: .programs),
            Column("utilization", field: "bottleneck_utilization", unit: .utilization),
            Column("p50 ms", field: "p50_ms", unit: .figure, interval: .halfWidth),
            Column("p95 ms", field: "p95_ms", unit: .figure, interval: .halfWidth),
            Column("p99 ms", field: "p99_ms", unit: .figure, interval: .halfWidth),
            Column("errors", field: "error_share", unit: .share, interval: .halfWidth),
            Column("SLO errors", field: "slo_error_share", unit: .share),
        ]
        columns += Self.errorColumns.map { Column($0.label, field: Self.field($0), unit: .share) }
        columns += [Column("jobs lost", field: "jobs_lost_share", unit: .share),
                    Column("headroom users", field: "headroom_users", unit: .count),
                    Column("why", field: "why", unit: .text)]
        var t = DataTable(columns, keyColumns: 3)
        for c in summary.cells {
            let label = c.bottleneckRuns < c.runs ? "\(c.bottleneckComponent) (\(c.bottleneckRuns) of \(c.runs) runs)" : c.bottleneckComponent
            // A rate limiter has no utilization: its limit is hit or not.
            t.add(leading(c) + [.integer(c.runs), .text(label), .text(c.bottleneckComponent), .integer(c.bottleneckRuns),
                                c.bottleneckUtilization == 0 ? .missing : .number(c.bottleneckUtilization),
                                .number(c.p50Ms, halfWidth: c.p50HalfWidth), .number(c.p95Ms, halfWidth: c.p95HalfWidth),
                                .number(c.p99Ms, halfWidth: c.p99HalfWidth), .number(c.errorRate, halfWidth: c.errorRateHalfWidth),
                                .number(c.sloErrorRate)]
                  + Self.errorColumns.map { .number(c.errorRateByKind[$0]) }
                  + [.number(c.jobsDeadLetteredShare), .optional(c.headroomUsers), .text(c.bottleneckReason)])
        }
        return t
    }

    /// Per configuration: the largest user count that meets the SLO and what stops it.
    public func sloTable() -> TextTable { sloData().text() }

    public func sloData() -> DataTable {
        let columns = [
            Column("configuration", field: "configuration", unit: .text),
            Column("variant", field: "variant", unit: .text, audience: showsVariant ? .everyone : .programs),
            Column("meets the SLO up to", field: "largest_users_within_slo", unit: .users, missing: "none"),
            Column("first failing", field: "first_failing_users", unit: .users, missing: "none tested"),
            Column("fails on", field: "fails_on_text", unit: .text, audience: .people),
            Column("fails on", field: "fails_on", unit: .text, audience: .programs),
            Column("p99 there", field: "first_failing_p99_ms", unit: .figure, audience: .programs),
            Column("SLO errors there", field: "first_failing_slo_error_share", unit: .share, audience: .programs),
            Column("stopped by", field: "stopped_by", unit: .text),
            Column("why", field: "why", unit: .text, missing: "meets the SLO at every user count tested"),
            Column("slowest endpoint there", field: "slowest_endpoint_text", unit: .text, audience: .people),
            Column("slowest endpoint", field: "slowest_endpoint", unit: .text, audience: .programs),
            Column("its p99", field: "slowest_endpoint_p99_ms", unit: .figure, audience: .programs),
        ]
        var t = DataTable(columns, keyColumns: 2)
        func text(_ s: String?) -> Cell { s.map { .text($0) } ?? .missing }
        for s in summary.slo {
            t.add([.text(s.configuration), .text(s.variant), s.largestUsersMeetingSLO.map { .integer($0) } ?? .missing,
                   s.firstFailingUsers.map { .integer($0) } ?? .missing, text(s.failsOn),
                   text(s.firstFailingMisses.map { $0.joined(separator: " ") }), .optional(s.firstFailingP99Ms),
                   .optional(s.firstFailingSLOErrorRate), text(s.stoppedBy), text(s.reason), text(s.slowestEndpoint),
                   text(s.slowestEndpointName), .optional(s.slowestEndpointP99Ms)])
        }
        return t
    }

    /// A row per (configuration, users): monthly USD per line item, total, cost per 1,000 users.
    public func costTable() -> TextTable { costData().text() }

    public func costData() -> DataTable {
        let known = Set(Self.costColumns.map(\.item))
        let hasOther = summary.cells.contains { $0.costByItem.keys.contains { !known.contains($0) } }
        var columns = leadingColumns + Self.costColumns.map { Column($0.header, field: $0.field, unit: .usd) }
        if hasOther { columns.append(Column("other", field: "other_usd", unit: .usd)) }
        columns += [Column("total", field: "monthly_usd", unit: .usd, interval: .halfWidth),
                    Column("per 1k users", field: "monthly_usd_per_1k_users", unit: .usdCents)]
        var t = DataTable(columns, keyColumns: 3)
        for c in summary.cells {
            var row = leading(c) + Self.costColumns.map { col in Cell.optional(c.costByItem[col.item]) }
            if hasOther { row.append(.number(c.costByItem.filter { !known.contains($0.key) }.values.reduce(0, +))) }
            row += [.number(c.monthlyCostUSD, halfWidth: c.monthlyCostHalfWidth), .number(c.costPer1kUsersUSD)]
            t.add(row)
        }
        return t
    }

    /// The configurations side by side at each user count: p99, error rate, bottleneck and
    /// monthly cost, one line each, configurations in columns.
    public func comparisonTable() -> TextTable {
        let data = comparisonData()
        let columns = comparedColumns
        let names = columns.map { showsVariant ? "\($0.0) / \($0.1)" : $0.0 }
        var t = TextTable(["users", "figure"] + names, alignments: [.left, .left] + Array(repeating: .right, count: names.count))
        t.keyColumns = 2
        // Rows of `data` by cell; its columns after the three that name the cell, for people.
        var byCell: [String: [Cell]] = [:]
        for r in data.rows {
            if case .text(let c) = r[0], case .text(let v) = r[1], case .number(let u, _) = r[2] { byCell["\(c)\n\(v)\n\(Int(u))"] = r }
        }
        let figures = data.columns.indices.filter { $0 >= 3 && data.columns[$0].audience != .programs }
        for u in summary.userCounts {
            for (i, f) in figures.enumerated() {
                t.add([i == 0 ? Format.users(u) : "", data.columns[f].heading] + columns.map { cv in
                    byCell["\(cv.0)\n\(cv.1)\n\(u)"].map { DataTable.display($0[f], data.columns[f]) } ?? "-"
                })
            }
        }
        return t
    }

    /// The (configuration, variant) pairs the comparison sets side by side.
    var comparedColumns: [(String, String)] {
        summary.configurations.flatMap { c in summary.variants.map { v in (c, v) } }
            .filter { cv in summary.cells.contains { $0.configuration == cv.0 && $0.variant == cv.1 } }
    }

    /// The comparison's figures, a row per cell: what ``comparisonTable()`` sets side by side
    /// for people, and the CSV of `report` (one row per configuration, variant and user count).
    public func comparisonData() -> DataTable {
        let columns = comparedColumns
        let paired = summary.runsPerCell > 1 && columns.count > 1
        let reference = columns.first.map { showsVariant ? "\($0.0) / \($0.1)" : $0.0 } ?? ""
        var cols = leadingColumns + [Column("p99 ms", field: "p99_ms", unit: .figure, interval: .halfWidth)]
        if paired { cols.append(Column("p99 vs \(reference)", field: "p99_ms_difference", unit: .figure, interval: .difference)) }
        cols.append(Column("error rate", field: "error_share", unit: .share, interval: .halfWidth))
        if paired { cols.append(Column("errors vs \(reference)", field: "error_share_difference", unit: .share, interval: .difference)) }
        cols += [Column("bottleneck", field: "bottleneck_label", unit: .text, audience: .people),
                 Column("bottleneck", field: "bottleneck", unit: .text, audience: .programs),
                 Column("bottleneck utilization", field: "bottleneck_utilization", unit: .utilization, audience: .programs),
                 Column("monthly cost", field: "monthly_usd", unit: .usd, interval: .halfWidth),
                 Column("within SLO", field: "meets_slo", unit: .flag)]
        if paired { cols.append(Column("compared with", field: "compared_with", unit: .text, audience: .programs)) }
        var t = DataTable(cols, keyColumns: 3)
        for u in summary.userCounts {
            let ref = columns.first.flatMap { summary.cell($0.0, $0.1, u) }
            // Differences from the first column over the same seeds, with their own intervals.
            func difference(_ c: CellSummary, _ f: (CellSample) -> Double) -> Cell {
                guard let ref, ref != c, let d = ExperimentSummary.pairedDifference(c, ref, f) else { return .missing }
                return .number(d.mean, halfWidth: d.halfWidth)
            }
            for cv in columns {
                guard let c = summary.cell(cv.0, cv.1, u) else { continue }
                var row = leading(c) + [.number(c.p99Ms, halfWidth: c.p99HalfWidth)]
                if paired { row.append(difference(c) { $0.p99Ms }) }
                row.append(.number(c.errorRate, halfWidth: c.errorRateHalfWidth))
                if paired { row.append(difference(c) { $0.errorRate }) }
                row += [.text(c.bottleneckUtilization == 0 ? c.bottleneckComponent : "\(c.bottleneckComponent) \(Format.percent(c.bottleneckUtilization, 0))"),
                        .text(c.bottleneckComponent), c.bottleneckUtilization == 0 ? .missing : .number(c.bottleneckUtilization),
                        .number(c.monthlyCostUSD, halfWidth: c.monthlyCostHalfWidth), .flag(c.meetsSLO)]
                if paired { row.append(.text(reference)) }
                t.add(row)
            }
        }
        return t
    }

    /// The tables in report order, with a file-friendly name and a title.
    public func all() -> [(name: String, title: String, table: TextTable)] {
        data().map { ($0.name, $0.title, $0.name == "phases" ? comparisonTable() : $0.table.text()) }
    }

    /// The tables as values, for CSV: in report order, with the same names and titles.
    public func data() -> [(name: String, title: String, table: DataTable)] {
        [("bottlenecks", "Bottlenecks", bottleneckData()),
         ("slo", "Largest user count within the SLO (p99 <= \(Format.number(summary.sloP99Ms)) ms, error rate <= \(Format.percent(summary.sloErrorRate, 2)))", sloData()),
         ("cost", "Monthly cost (USD)", costData()),
         ("phases", "Configurations side by side", comparisonData())]
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
            out += TextTable.wrap("Experiment \(s.experiment)\(means.isEmpty ? "" : ":" + means)", TextTable.defaultWidth).joined(separator: "\n") + "\n\n"
        }
        for (_, title, table) in all() {
            switch style {
            case .markdown: out += "## \(title)\n\n" + table.markdown() + "\n"
            case .plain: out += title + "\n" + table.plain() + "\n"
            }
        }
        return out
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let l = s.last, l.isNewline || l == " " { s = s.dropLast() }
        return String(s)
    }
}

import ResultsStore
import Formatting

extension ExperimentCharts {
    /// One run against simulated time from its `time_series` rows (one per bucket): throughput
    /// and errors, p99 with the SLO line, and what waits (Prisma pool and PgBouncer, BullMQ
    /// queue, queries in the database), the trigger windows shaded across the panels.
    public static func timeline(_ run: StoredRun, title: String, subtitle: String?, bands: [Band], sloP99Ms: Double) -> String {
        let rows = run.timeSeries.sorted { $0.tS < $1.tS }
        let width = bucketWidth(rows)
        let t = rows.map(\.tS)
        let end = (rows.last.map { $0.tS + width } ?? 0)
        var panels = [
            Panel(y: Axis("requests/s"), series: [Series("requests served", x: t, y: rows.map(\.throughputPerS))]),
            Panel(y: Axis("errors/s"), series: [Series("failed requests", x: t, y: rows.map { Double($0.errors) / width })]),
            Panel(y: Axis("p99 latency", scale: .log10, format: .milliseconds), series: [
                Series("p99 of the bucket", x: t, y: rows.map { $0.p99Ms > 0 ? $0.p99Ms : .nan }),
            ], horizontalLines: [ReferenceLine(sloP99Ms, label: "SLO \(Format.number(sloP99Ms)) ms")]),
            Panel(y: Axis("waiting", format: .users), series: [
                Series("requests waiting for a DB connection", x: t, y: rows.map { Double($0.poolWaiting) }),
                Series("queries inside Postgres", x: t, y: rows.map(\.databaseActive)),
            ]),
        ]
        if rows.contains(where: { $0.jobQueueDepth > 0 }) {
            panels.append(Panel(y: Axis("jobs", format: .users), series: [Series("jobs waiting in BullMQ", x: t, y: rows.map { Double($0.jobQueueDepth) })]))
        }
        panels.append(Panel(y: Axis("event loops", format: .percent), series: [Series("API event loops busy", x: t, y: rows.map(\.apiUtilization))]))
        let chart = StackedChart(title: title, subtitle: subtitle,
                                 x: Axis("simulated time from the start of the measured window", format: .seconds, range: 0...Swift.max(end, 1)),
                                 panels: panels, bands: bands)
        return chart.svg(height: 110 + 140 * panels.count)
    }

    /// The width of the time-series buckets (10 s unless the rows say otherwise).
    public static func bucketWidth(_ rows: [TimeSeriesRecord]) -> Double {
        guard rows.count > 1 else { return 10 }
        let w = rows[1].tS - rows[0].tS
        return w > 0 ? w : 10
    }
}

import PlatformModel
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
                Series("queries running in Postgres (bucket's mean)", x: t, y: rows.map(\.databaseActive)),
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

    /// One run's components against simulated time, from its `component_series` rows: what
    /// each part of the platform did through a fault. Postgres's queries per second and active
    /// backends (each primary, the replicas as a group), Redis's commands per second, each
    /// cache's hit rate, the providers' failed calls (when any failed), and the p99 of the four
    /// endpoints whose worst bucket was slowest; the trigger windows shaded. Nil for a run
    /// stored without such series.
    public static func componentTimeline(_ run: StoredRun, title: String, subtitle: String?, bands: [Band]) -> String? {
        let all = run.componentSeries.sorted { $0.position < $1.position }.compactMap(\.series)
        guard !all.isEmpty else { return nil }
        let rows = run.timeSeries.sorted { $0.tS < $1.tS }
        let width = bucketWidth(rows)
        let count = all.map(\.values.count).max() ?? 0
        let t = (0..<count).map { Double($0) * width }
        let end = Double(count) * width
        func series(_ s: BucketSeries, _ name: String? = nil) -> Series {
            Series(name ?? ComponentGauge.displayName(s.name), x: t, y: s.values.map { $0 ?? .nan })
        }
        func of(_ subject: SeriesSubject, _ metric: SeriesMetric) -> [BucketSeries] {
            all.filter { $0.subject == subject && $0.metric == metric }
        }
        var panels: [Panel] = []
        let queries = of(.database, .queriesPerSecond)
        if !queries.isEmpty { panels.append(Panel(y: Axis("Postgres queries/s"), series: queries.map { series($0) })) }
        let active = of(.database, .activeBackends)
        if !active.isEmpty { panels.append(Panel(y: Axis("active backends"), series: active.map { series($0) })) }
        let redis = of(.redis, .commandsPerSecond)
        if !redis.isEmpty { panels.append(Panel(y: Axis("Redis commands/s"), series: redis.map { series($0, "Redis") })) }
        let hits = of(.cache, .hitRate).filter { $0.values.contains { $0 != nil } }
        if !hits.isEmpty {
            panels.append(Panel(y: Axis("cache hit rate", format: .percent, range: 0...1), series: hits.map { series($0, "\($0.name) cache") }))
        }
        let failures = of(.externalService, .failuresPerSecond).filter { $0.values.contains { ($0 ?? 0) > 0 } }
        if !failures.isEmpty { panels.append(Panel(y: Axis("failed calls/s"), series: failures.map { series($0) })) }
        let p99 = of(.endpoint, .p99Ms).filter { $0.values.contains { $0 != nil } }
            .sorted { a, b in
                let x = a.values.compactMap { $0 }.max() ?? 0, y = b.values.compactMap { $0 }.max() ?? 0
                return x > y || (x == y && a.name < b.name)
            }
            .prefix(4)
        if !p99.isEmpty {
            panels.append(Panel(y: Axis("endpoint p99", scale: .log10, format: .milliseconds),
                                series: p99.map { s in Series(s.name, x: t, y: s.values.map { v in v.map { $0 > 0 ? $0 : .nan } ?? .nan }) }))
        }
        guard !panels.isEmpty else { return nil }
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

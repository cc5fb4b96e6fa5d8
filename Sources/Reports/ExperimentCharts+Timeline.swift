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
    /// endpoints the trigger slows most; the trigger windows shaded. Nil for a run stored
    /// without such series.
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
        let p99 = endpointsToChart(of(.endpoint, .p99Ms), requests: of(.endpoint, .requestsPerSecond), t: t, width: width, bands: bands)
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

    /// The endpoints whose p99 a chart follows: of those with at least 2% of the requests (a
    /// rarely called endpoint's bucket p99 is a handful of requests), the four whose mean bucket
    /// p99 inside the shaded windows is highest against outside them; without a shaded window,
    /// the four busiest.
    static func endpointsToChart(_ p99: [BucketSeries], requests: [BucketSeries], t: [Double], width: Double, bands: [Band]) -> [BucketSeries] {
        func total(_ name: String) -> Double { requests.first { $0.name == name }?.values.reduce(0) { $0 + ($1 ?? 0) } ?? 0 }
        let all = requests.reduce(0) { $0 + $1.values.reduce(0) { $0 + ($1 ?? 0) } }
        let busy = p99.filter { all > 0 && total($0.name) >= 0.02 * all && $0.values.contains { $0 != nil } }
        func inside(_ i: Int) -> Bool { bands.contains { t[i] + width > $0.from && t[i] < $0.to } }
        func score(_ s: BucketSeries) -> Double {
            guard !bands.isEmpty else { return total(s.name) }
            var a = 0.0, na = 0.0, b = 0.0, nb = 0.0
            for (i, v) in s.values.enumerated() where i < t.count {
                guard let v else { continue }
                if inside(i) { a += v; na += 1 } else { b += v; nb += 1 }
            }
            guard na > 0, nb > 0, b > 0 else { return 0 }
            return (a / na) / (b / nb)
        }
        let scored = busy.map { ($0, score($0)) }
        return scored.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0.name < $1.0.name) }.prefix(4).map(\.0)
    }

    /// The width of the time-series buckets (10 s unless the rows say otherwise).
    public static func bucketWidth(_ rows: [TimeSeriesRecord]) -> Double {
        guard rows.count > 1 else { return 10 }
        let w = rows[1].tS - rows[0].tS
        return w > 0 ? w : 10
    }
}

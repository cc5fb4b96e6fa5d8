import Reports

/// Charts with data shaped like the simulator's, used by the tests and, with
/// `Tests/ReportsTests/write-sample-charts.sh DIR`, written out to look at.
enum SampleCharts {
    static let users: [Double] = [10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000]

    static func latency() -> LineChart {
        LineChart(
            title: "p99 latency by configuration",
            subtitle: "busiest hour, seed 1; missing points: the run failed",
            x: .users("users"),
            y: Axis("p99 latency", scale: .log10, format: .milliseconds),
            series: [
                Series("current", x: users, y: [180, 420, 2_400, .nan, .nan, .nan]),
                Series("phase 1", x: users, y: [95, 140, 380, 6_500, .nan, .nan]),
                Series("phase 2", x: users, y: [80, 90, 130, 420, 4_800, .nan]),
                Series("phase 3", x: users, y: [75, 82, 96, 150, .nan, 2_900]),
                Series("phase 4", x: users, y: [70, 74, 81, 95, 160, 610]),
            ],
            horizontalLines: [ReferenceLine(500, label: "SLO p99 500 ms")],
            verticalLines: [ReferenceLine(45_000, label: "today")])
    }

    static func utilization() -> LineChart {
        LineChart(
            title: "Utilization of the leading components, phase 2",
            x: .users("users"),
            y: Axis("utilization", format: .percent, range: 0...1),
            series: [
                Series("Postgres primary CPU", x: users, y: [0.08, 0.21, 0.55, 0.93, 1.0, 1.0]),
                Series("PgBouncer thread", x: users, y: [0.04, 0.11, 0.33, 0.71, 0.99, 1.0]),
                Series("Redis thread", x: users, y: [0.02, 0.06, 0.18, 0.45, 0.88, 1.0]),
                Series("API event loops (mean)", x: users, y: [0.3, 0.42, 0.51, 0.6, 0.62, 0.64]),
            ],
            horizontalLines: [ReferenceLine(0.8, label: "80% target")])
    }

    static func cost() -> LineChart {
        LineChart(
            title: "Monthly cost against users",
            x: .users("users"),
            y: Axis("monthly cost", format: .usd),
            series: [
                Series("current", x: users, y: [310, 520, 1_450, .nan, .nan, .nan]),
                Series("phase 2", x: users, y: [640, 820, 1_900, 5_200, 14_800, .nan]),
                Series("phase 4", x: users, y: [1_900, 2_050, 3_100, 6_900, 19_500, 56_000]),
            ])
    }

    static func errors() -> LineChart {
        LineChart(
            title: "Error rate against users",
            x: .users("users"),
            y: Axis("error rate", format: .percent),
            series: [
                Series("current", x: users, y: [0.0004, 0.003, 0.041, 0.19, .nan, .nan]),
                Series("phase 2", x: users, y: [0.0002, 0.0003, 0.0009, 0.006, 0.052, .nan]),
            ],
            horizontalLines: [ReferenceLine(0.01, label: "1% budget")])
    }

    /// A ten-minute window sampled every 5 s, Postgres out from 240 s to 330 s.
    static func timeSeries() -> LineChart {
        let t = stride(from: 0.0, through: 600, by: 5).map { $0 }
        func throughput(_ s: Double) -> Double {
            if s >= 240 && s < 330 { return 40 + Double(Int(s) % 7) }
            if s >= 330 && s < 380 { return 2_400 - (s - 330) * 18 }
            return 1_500 + 60 * Double(Int(s / 5) % 5)
        }
        return LineChart(
            title: "Throughput through a Postgres failover",
            subtitle: "phase 2 at 300k users",
            x: Axis("simulated time", format: .seconds, range: 0...600),
            y: Axis("throughput (req/s)", format: .plain),
            series: [
                Series("served", x: t, y: t.map(throughput)),
                Series("offered", x: t, y: t.map { _ in 1_620 }, line: .dashed),
            ],
            bands: [Band(from: 240, to: 330, label: "primary down")])
    }

    static func queueDepth() -> LineChart {
        let t = stride(from: 0.0, through: 600, by: 5).map { $0 }
        return LineChart(
            title: "Queue depth through a traffic spike",
            x: Axis("simulated time", format: .seconds, range: 0...600),
            y: Axis("requests waiting", format: .users),
            series: [
                Series("Prisma pool queue", x: t, y: t.map { $0 >= 200 && $0 < 320 ? ($0 - 200) * 40 : ($0 >= 320 ? max(0, 4_800 - ($0 - 320) * 60) : 3) }),
                Series("PgBouncer queue", x: t, y: t.map { $0 >= 200 && $0 < 320 ? ($0 - 200) * 9 : 1 }),
            ],
            bands: [Band(from: 200, to: 320, label: "3x traffic spike")])
    }

    /// Throughput, p99 and queue depth of one run over a shared time axis, the outage shaded.
    static func runTimeline() -> StackedChart {
        let t = stride(from: 0.0, through: 900, by: 10).map { $0 }
        let down = 300.0..<420.0
        func recovering(_ s: Double) -> Double { s >= 420 && s < 520 ? 1 - (s - 420) / 100 : 0 }
        return StackedChart(
            title: "Phase 2 at 300k users through a primary failover",
            subtitle: "sampled every 10 s",
            x: Axis("simulated time", format: .seconds, range: 0...900),
            panels: [
                Panel(y: Axis("req/s"), series: [
                    Series("served", x: t, y: t.map { down.contains($0) ? 60 : 1_550 + 900 * recovering($0) + 40 * Double(Int($0 / 10) % 3) }),
                    Series("errors", x: t, y: t.map { down.contains($0) ? 1_480 : 4 }),
                ]),
                Panel(y: Axis("p99", scale: .log10, format: .milliseconds), series: [
                    Series("p99 latency", x: t, y: t.map { down.contains($0) ? 5_000 : 140 + 2_000 * recovering($0) }),
                ], horizontalLines: [ReferenceLine(500, label: "SLO 500 ms")]),
                Panel(y: Axis("queue depth", format: .users), series: [
                    Series("Prisma pool", x: t, y: t.map { down.contains($0) ? ($0 - 300) * 25 : 3_000 * recovering($0) }),
                    Series("BullMQ mail", x: t, y: t.map { $0 >= 300 ? min(2_400, ($0 - 300) * 6) : 10 }),
                ]),
            ],
            bands: [Band(from: 300, to: 420, label: "primary down")])
    }

    static func tornado() -> TornadoChart {
        TornadoChart(
            title: "What moves p99 latency most",
            subtitle: "each parameter at its low and high setting, the others at baseline",
            baselineLabel: "phase 2, 300k users",
            baseline: 420,
            bars: [
                TornadoBar("Prisma connection_limit", low: 1_900, high: 260, lowLabel: "5", highLabel: "40"),
                TornadoBar("Postgres size", low: 980, high: 310, lowLabel: "4 vCPU", highLabel: "32 vCPU"),
                TornadoBar("cache TTL", low: 610, high: 380, lowLabel: "10 s", highLabel: "10 min"),
                TornadoBar("LLM latency", low: 400, high: 470, lowLabel: "0.5x", highLabel: "2x"),
                TornadoBar("users behind one office IP", low: 415, high: 430, lowLabel: "1", highLabel: "50"),
                TornadoBar("API instances", low: 520, high: 480, lowLabel: "4", highLabel: "16"),
            ],
            unit: .milliseconds, axisLabel: "p99 latency")
    }

    static func costBars() -> BarChart {
        BarChart(
            title: "Monthly cost by line item at 300k users",
            categories: ["current", "phase 1", "phase 2", "phase 3", "phase 4 (sharded, with read replicas)"],
            series: [
                BarSeries("API instances", values: [900, 1_100, 1_300, 1_400, 1_500]),
                BarSeries("Postgres", values: [1_200, 1_200, 1_800, 2_900, 4_100]),
                BarSeries("Redis", values: [.nan, 90, 180, 180, 360]),
                BarSeries("workers", values: [0, 120, 240, 260, 300]),
                BarSeries("Mailgun + LLM", values: [640, 640, 640, 640, 640]),
            ],
            y: Axis("USD per month", format: .usd))
    }

    /// Harder layouts: many long legend entries (the legend goes below), a wrapped title,
    /// values outside a fixed range, log scales on both axes, bars on both sides of a baseline.
    static var edgeCases: [(name: String, svg: String)] {
        let u: [Double] = [10_000, 20_000, 50_000, 100_000, 200_000, 500_000]
        let many = LineChart(
            title: "Ten configurations with rather long descriptive names, and a title long enough to wrap",
            subtitle: "legend below", x: Axis("users", format: .users), y: Axis("p99 (ms)"),
            series: (0..<10).map { i in Series("configuration \(i), sharded, with read replicas", x: u, y: u.map { $0 / 1000 * Double(i + 1) }) })
        let clipped = LineChart(
            title: "Values outside a fixed range", x: Axis("x", includesZero: false), y: Axis("change", format: .percent, range: -0.2...0.2),
            series: [Series("a", x: [1, 2, 3, 4], y: [-0.5, -0.1, 0.1, 0.5]), Series("lone point", points: [(x: 2.5, y: 0.05)])])
        let logLog = LineChart(
            title: "Log on both axes", x: Axis("x", scale: .log10), y: Axis("y", scale: .log10, format: .milliseconds),
            series: [Series("s", x: [0.001, 1, 1e6], y: [0.01, 1, 1e5])])
        let costTornado = TornadoChart(
            title: "What moves the monthly cost", baselineLabel: "phase 3", baseline: 5_000,
            bars: [TornadoBar("read replicas", low: 4_000, high: 8_000, lowLabel: "1", highLabel: "4"),
                   TornadoBar("region", low: 5_200, high: 6_100, lowLabel: "EU", highLabel: "US"),
                   TornadoBar("both below", low: 3_000, high: 4_500, lowLabel: "x", highLabel: "y")],
            unit: .usd, axisLabel: "monthly cost")
        let grouped = BarChart(
            title: "p99 by configuration", categories: ["10k", "100k", "1M"],
            series: [BarSeries("current", values: [120, 900, .nan]), BarSeries("phase 2", values: [90, 150, 2_400]),
                     BarSeries("phase 4", values: [80, 95, 160])],
            mode: .grouped, y: Axis("p99", format: .milliseconds))
        return [("edge-legend-below", many.svg()), ("edge-clipped", clipped.svg()), ("edge-log-log", logLog.svg(width: 400, height: 500)),
                ("edge-small", utilization().svg(width: 360, height: 260)), ("edge-cost-tornado", costTornado.svg()),
                ("edge-grouped-bars", grouped.svg())]
    }

    static var all: [(name: String, svg: String)] {
        [("latency", latency().svg()), ("utilization", utilization().svg()), ("cost", cost().svg()),
         ("errors", errors().svg()), ("timeseries", timeSeries().svg()), ("queue", queueDepth().svg()),
         ("tornado", tornado().svg()), ("costbars", costBars().svg()), ("timeline", runTimeline().svg()),
         ("latency-small", latency().svg(width: 420, height: 300))] + edgeCases
    }
}

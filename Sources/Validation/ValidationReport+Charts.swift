import Reports

extension ValidationReport {
    /// The notebook's charts by file name: per configuration, latency against offered load and
    /// throughput and errors against offered load, measured solid and predicted dashed.
    public func charts() -> [(name: String, svg: String)] {
        var out: [(String, String)] = []
        for c in configurations {
            let ls = c.levels
            let x = ls.map(\.measured.offeredPerSecond)
            func pair(_ name: String, _ slot: Int, _ f: (LevelFigures) -> Double) -> [Series] {
                [Series("\(name) measured", x: x, y: ls.map { f($0.measured) }, line: .solid, slot: slot),
                 Series("\(name) predicted", x: x, y: ls.map { f($0.predicted) }, line: .dashed, slot: slot)]
            }
            let latency = LineChart(
                title: "\(c.name): latency against offered load", subtitle: "testbed measured (solid) and simulator predicted (dashed)",
                x: Axis("offered load (requests per second)"), y: Axis("latency (ms)", scale: .log10, format: .milliseconds),
                series: pair("p50", 0, \.p50Ms) + pair("p95", 1, \.p95Ms) + pair("p99", 2, \.p99Ms))
            out.append(("\(c.name)-latency.svg", latency.svg()))
            let share = { (f: LevelFigures, kinds: Set<String>) -> Double in
                f.requests > 0 ? Double(f.errors.filter { kinds.contains($0.key) }.values.reduce(0, +)) / Double(f.requests) : 0
            }
            let limits: Set<String> = [ErrorKindNames.rateLimited, ErrorKindNames.rateLimitedFalse]
            let others = Set(LevelFigures.errorKinds).subtracting(limits)
            let errors = LineChart(
                title: "\(c.name): throughput and errors against offered load", subtitle: "throughput as a share of the offered load; errors as a share of requests",
                x: Axis("offered load (requests per second)"), y: Axis("share", format: .percent, range: 0...1),
                series: pair("throughput / offered", 0) { $0.offeredPerSecond > 0 ? $0.throughput / $0.offeredPerSecond : 0 }
                    + pair("429s", 1) { share($0, limits) } + pair("other errors", 2) { share($0, others) })
            out.append(("\(c.name)-errors.svg", errors.svg()))
            let servers = LineChart(
                title: "\(c.name): servers against offered load", subtitle: "CPU in cores (one each) and Postgres's mean active backends",
                x: Axis("offered load (requests per second)"), y: Axis("cores or backends"),
                series: pair("API CPU", 0, \.apiCPU) + pair("Postgres CPU", 1, \.postgresCPU) + pair("active backends", 2, \.postgresActive))
            out.append(("\(c.name)-servers.svg", servers.svg()))
        }
        return out
    }
}

/// Stable names of the two 429 kinds (``PlatformModel/ErrorKind``), without importing the module here.
enum ErrorKindNames {
    static let rateLimited = "rateLimited"
    static let rateLimitedFalse = "rateLimitedFalse"
}

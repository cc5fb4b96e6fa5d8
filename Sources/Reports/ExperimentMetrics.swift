import PlatformModel
import ResultsStore

/// One component's figures in one cell, as means over the cell's runs (seeds or replications).
public struct ComponentMean: Sendable, Equatable {
    public var name: String
    public var kind: ComponentKind
    public var count: Double
    public var utilization: Double
    public var maxUtilization: Double
    public var meanQueue: Double
    public var meanWaitMs: Double
    public var p99WaitMs: Double
    public var throughputPerS: Double
    /// nil when the component does not measure them.
    public var meanInSystem: Double?
    public var meanResponseMs: Double?
    public var limitHits: Double
    /// Means of the component-specific figures over the runs that report them.
    public var details: ComponentDetails

    /// A component-specific figure (nil when the component's kind does not report it).
    public func detail(_ metric: ComponentMetric) -> Double? { details[metric] }

    /// A figure the component's kind reports (asserted: asking a pool for `evictions` is a
    /// mistake, not a zero); 0 only when runs stored by an older program lack it.
    public func figure(_ metric: ComponentMetric) -> Double {
        assert(kind.metrics.contains(metric), "\(kind) does not report \(metric)")
        return details[metric] ?? 0
    }
}

/// An experiment's stored runs grouped by cell (configuration, variant, users), with means
/// over each cell's runs of the figures the charts and the notebook use beyond the summary's.
/// Everything comes from the database rows; nothing depends on dictionary order.
public struct ExperimentMetrics: Sendable {
    public let results: ExperimentResults
    public let summary: ExperimentSummary
    private let groups: [CellKey: [StoredRun]]

    public struct CellKey: Hashable, Sendable {
        public var configuration: String
        public var variant: String
        public var users: Int
        public init(_ configuration: String, _ variant: String, _ users: Int) {
            self.configuration = configuration; self.variant = variant; self.users = users
        }
    }

    /// A configuration and variant: one line on a chart against users.
    public struct Line: Hashable, Sendable {
        public var configuration: String
        public var variant: String
        public init(_ configuration: String, _ variant: String) { self.configuration = configuration; self.variant = variant }
    }

    public init(_ results: ExperimentResults, summary: ExperimentSummary? = nil) {
        self.results = results
        self.summary = summary ?? ExperimentSummary(results)
        var g: [CellKey: [StoredRun]] = [:]
        for r in results.runs { g[CellKey(r.run.configuration, r.run.variant, r.run.users), default: []].append(r) }
        groups = g
    }

    /// The lines present, configurations then variants in the experiment's order.
    public var lines: [Line] {
        summary.configurations.flatMap { c in summary.variants.map { Line(c, $0) } }
            .filter { l in summary.cells.contains { $0.configuration == l.configuration && $0.variant == l.variant } }
    }

    public var hasVariants: Bool { summary.variants.count > 1 }
    public var userCounts: [Int] { summary.userCounts }

    /// The runs of one cell in key order (empty when the cell has none).
    public func runs(_ c: String, _ v: String, _ u: Int) -> [StoredRun] { groups[CellKey(c, v, u)] ?? [] }

    public func cell(_ c: String, _ v: String, _ u: Int) -> CellSummary? { summary.cell(c, v, u) }

    /// The mean of `f` over a cell's runs; nil when the cell has no runs.
    public func mean(_ c: String, _ v: String, _ u: Int, _ f: (StoredRun) -> Double) -> Double? {
        let rs = runs(c, v, u)
        guard !rs.isEmpty else { return nil }
        return rs.reduce(0) { $0 + f($1) } / Double(rs.count)
    }

    /// Component names of a line, in report order (the order of its first run that has each).
    public func componentNames(_ c: String, _ v: String) -> [String] {
        var names: [String] = []
        for u in userCounts {
            for r in runs(c, v, u) {
                for m in r.components.sorted(by: { $0.position < $1.position }) where !names.contains(m.component) {
                    names.append(m.component)
                }
            }
        }
        return names
    }

    /// One component in one cell, averaged over the runs that report it.
    public func component(_ name: String, _ c: String, _ v: String, _ u: Int) -> ComponentMean? {
        let rows = runs(c, v, u).compactMap { r in r.components.first { $0.component == name } }
        guard let first = rows.first, let kind = first.componentKind else { return nil }
        let n = Double(rows.count)
        func m(_ f: (ComponentMetricRecord) -> Double) -> Double { rows.reduce(0) { $0 + f($1) } / n }
        func optional(_ f: (ComponentMetricRecord) -> Double?) -> Double? {
            let values = rows.compactMap(f)
            return values.count == rows.count ? values.reduce(0, +) / n : nil
        }
        var sums: [ComponentMetric: (sum: Double, n: Double)] = [:]
        for r in rows { for (k, x) in r.detailValues.sorted { sums[k, default: (0, 0)].sum += x; sums[k, default: (0, 0)].n += 1 } }
        let details = ComponentDetails(sums.mapValues { $0.sum / $0.n })
        return ComponentMean(name: name, kind: kind, count: m { Double($0.count) }, utilization: m(\.utilization),
                             maxUtilization: m(\.maxUtilization), meanQueue: m(\.meanQueue), meanWaitMs: m(\.meanWaitMs),
                             p99WaitMs: m(\.p99WaitMs), throughputPerS: m(\.throughputPerS), meanInSystem: optional(\.meanInSystem),
                             meanResponseMs: optional(\.meanResponseMs), limitHits: m { Double($0.limitHits) }, details: details)
    }

    /// The first component of a kind in a cell.
    public func component(kind: ComponentKind, _ c: String, _ v: String, _ u: Int) -> ComponentMean? {
        guard let name = runs(c, v, u).first?.components.sorted(by: { $0.position < $1.position }).first(where: { $0.componentKind == kind })?.component
        else { return nil }
        return component(name, c, v, u)
    }

    /// An endpoint's mean p99 (ms) in a cell, over the runs where it had requests.
    public func endpointP99(_ endpoint: String, _ c: String, _ v: String, _ u: Int) -> Double? {
        let rows = runs(c, v, u).compactMap { r in r.endpoints.first { $0.endpoint == endpoint && $0.requests > 0 } }
        guard !rows.isEmpty else { return nil }
        return rows.reduce(0) { $0 + $1.p99Ms } / Double(rows.count)
    }

    /// Endpoint names in report order.
    public var endpointNames: [String] {
        var names: [String] = []
        for r in results.runs { for e in r.endpoints.sorted(by: { $0.position < $1.position }) where !names.contains(e.endpoint) { names.append(e.endpoint) } }
        return names
    }

    /// A cache's mean hit rate and predicted hit rate in a cell.
    public func cache(_ name: String, _ c: String, _ v: String, _ u: Int) -> (hitRate: Double, predicted: Double, location: String, lookups: Double)? {
        let rows = runs(c, v, u).compactMap { r in r.caches.first { $0.cache == name } }
        guard let first = rows.first else { return nil }
        let n = Double(rows.count)
        return (rows.reduce(0) { $0 + $1.hitRate } / n, rows.reduce(0) { $0 + $1.predictedHitRate } / n, first.location,
                rows.reduce(0) { $0 + Double($1.lookups) } / n)
    }

    /// Cache names in report order.
    public var cacheNames: [String] {
        var names: [String] = []
        for r in results.runs { for c in r.caches.sorted(by: { $0.position < $1.position }) where !names.contains(c.cache) { names.append(c.cache) } }
        return names
    }

    /// A job's totals over a cell's runs.
    public func job(_ name: String, _ c: String, _ v: String, _ u: Int) -> (enqueued: Int, completed: Int, failedAttempts: Int, deadLettered: Int, p99Ms: Double)? {
        let rows = runs(c, v, u).compactMap { r in r.jobs.first { $0.job == name } }
        guard !rows.isEmpty else { return nil }
        return (rows.reduce(0) { $0 + $1.enqueued }, rows.reduce(0) { $0 + $1.completed }, rows.reduce(0) { $0 + $1.failedAttempts },
                rows.reduce(0) { $0 + $1.deadLettered }, rows.reduce(0) { $0 + $1.p99Ms } / Double(rows.count))
    }

    public var jobNames: [String] {
        var names: [String] = []
        for r in results.runs { for j in r.jobs.sorted(by: { $0.position < $1.position }) where !names.contains(j.job) { names.append(j.job) } }
        return names
    }

    /// The name of a line on a chart or in a sentence: the configuration, with the variant when
    /// the experiment has several (only the variant when it has one configuration).
    public func name(_ l: Line) -> String {
        guard hasVariants else { return l.configuration }
        return summary.configurations.count == 1 ? l.variant : "\(l.configuration) / \(l.variant)"
    }
}

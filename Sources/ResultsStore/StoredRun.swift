import PlatformModel

/// One run as the database holds it: its `runs` row and its rows in every other table.
/// ``ResultsDatabase/save(_:)`` writes it in one transaction; reading gives it back equal.
public struct StoredRun: Sendable, Equatable {
    public var run: RunRecord
    public var components: [ComponentMetricRecord]
    public var endpoints: [EndpointLatencyRecord]
    public var errors: [ErrorCountRecord]
    public var costItems: [CostItemRecord]
    public var caches: [CacheHitRateRecord]
    public var jobs: [JobRecord]
    public var timeSeries: [TimeSeriesRecord]
    /// Per-component series (empty for a run stored before they were kept).
    public var componentSeries: [ComponentSeriesRecord]

    public var key: RunKey { run.runKey }

    public init(run: RunRecord, components: [ComponentMetricRecord] = [], endpoints: [EndpointLatencyRecord] = [],
                errors: [ErrorCountRecord] = [], costItems: [CostItemRecord] = [], caches: [CacheHitRateRecord] = [],
                jobs: [JobRecord] = [], timeSeries: [TimeSeriesRecord] = [], componentSeries: [ComponentSeriesRecord] = []) {
        self.run = run; self.components = components; self.endpoints = endpoints; self.errors = errors
        self.costItems = costItems; self.caches = caches; self.jobs = jobs; self.timeSeries = timeSeries
        self.componentSeries = componentSeries
    }

    /// The series of one subject and figure, by name; nil when the run has none such.
    public func series(_ subject: SeriesSubject, _ name: String, _ metric: SeriesMetric) -> [Double?]? {
        componentSeries.first { $0.subject == subject.rawValue && $0.name == name && $0.metric == metric.rawValue }?.values
    }

    /// The error count of one kind (0 when absent).
    public func errorCount(_ kind: ErrorKind) -> Int {
        errors.first { $0.kind == kind.name }?.count ?? 0
    }
}

/// One figure of one component, cache or endpoint, bucket by bucket over the measured window:
/// what a fault does to each part of the platform, over time. `values[i]` belongs to the
/// bucket of ``RunResult/timeSeries``'s point `i`; nil where the bucket has nothing to
/// measure (a cache nobody looked up, an endpoint nobody called).
public struct BucketSeries: Sendable, Codable, Equatable {
    /// What the series is about.
    public var subject: SeriesSubject
    /// Its name in the run: a component's (`postgres-primary`, `redis`, `mailgun`), a cache's
    /// (`dashboard`) or an endpoint's (`getDashboard`).
    public var name: String
    public var metric: SeriesMetric
    public var values: [Double?]

    public init(subject: SeriesSubject, name: String, metric: SeriesMetric, values: [Double?]) {
        self.subject = subject; self.name = name; self.metric = metric; self.values = values
    }
}

/// What a ``BucketSeries`` follows. The raw value is the stable name in the database and JSON.
public enum SeriesSubject: String, CaseIterable, Sendable, Codable, Hashable {
    /// A Postgres primary (one per shard) or the read replicas as a group.
    case database
    case redis
    /// A response cache (in the process or in Redis).
    case cache
    /// A provider called over HTTP (Mailgun, the LLM).
    case externalService
    case endpoint
}

/// A figure per bucket. The raw value is the stable name in the database and JSON; every
/// name carries its unit.
public enum SeriesMetric: String, CaseIterable, Sendable, Codable, Hashable {
    /// Queries finished per second.
    case queriesPerSecond
    /// Queries being executed (Postgres's active backends), averaged over the bucket.
    case activeBackends
    /// Connections (backends) open at the bucket's end, idle or active.
    case openBackends
    /// The servers' cores occupied by queries, as a share of their cores, over the bucket.
    case cpuUtilization
    /// Redis commands (a script call counts one) per second.
    case commandsPerSecond
    /// The Redis thread's busy share over the bucket.
    case threadUtilization
    /// Cache lookups per second.
    case lookupsPerSecond
    /// Hits per lookup in the bucket (nil without lookups).
    case hitRate
    /// Provider calls per second.
    case callsPerSecond
    /// Provider calls failed, rate limited or timed out, per second.
    case failuresPerSecond
    /// Responses per second.
    case requestsPerSecond
    /// The p99 of the responses finished in the bucket, in milliseconds (nil without any).
    case p99Ms

    /// How people read it: `queries/s`, `hit rate`.
    public var label: String {
        switch self {
        case .queriesPerSecond: "queries/s"
        case .activeBackends: "active backends"
        case .openBackends: "open backends"
        case .cpuUtilization: "CPU busy"
        case .commandsPerSecond: "commands/s"
        case .threadUtilization: "thread busy"
        case .lookupsPerSecond: "lookups/s"
        case .hitRate: "hit rate"
        case .callsPerSecond: "calls/s"
        case .failuresPerSecond: "failed calls/s"
        case .requestsPerSecond: "requests/s"
        case .p99Ms: "p99 ms"
        }
    }
}

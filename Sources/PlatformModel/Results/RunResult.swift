/// Everything one run measured, in the units a report shows (milliseconds, per second,
/// fractions). Encoded as the `run` command's JSON and stored in the results database.
public struct RunResult: Sendable, Codable, Equatable {
    public var config: String
    public var users: Int
    public var activeUsers: Int
    public var seed: UInt64
    public var replication: Int
    public var windowStartHour: Double
    public var warmUpSeconds: Double
    public var simulatedSeconds: Double
    /// Responses completed in the measured window (errors included).
    public var requests: Int
    /// Requests per simulated second.
    public var throughput: Double
    public var latencyMs: Percentiles
    public var endpoints: [EndpointResult]
    public var errorRate: Double
    public var errors: ErrorCounts
    public var components: [ComponentMetrics]
    public var cache: [CacheResult]
    public var jobs: [JobResult]
    public var capacity: CapacityPlan
    public var usage: UsageVolumes
    public var timeSeries: [TimeSeriesPoint]
    /// Each component's, cache's and endpoint's figures bucket by bucket, aligned with
    /// `timeSeries` (empty in a result written before they were kept).
    public var bucketSeries: [BucketSeries]
    public var events: Int
    public var wallSeconds: Double
    /// Whether the warm-up was long enough, by MSER-5 on the time series.
    public var warmUp: WarmUpCheck?

    public init(config: String, users: Int, activeUsers: Int, seed: UInt64, replication: Int, windowStartHour: Double,
                warmUpSeconds: Double, simulatedSeconds: Double, requests: Int, throughput: Double, latencyMs: Percentiles,
                endpoints: [EndpointResult], errorRate: Double, errors: ErrorCounts, components: [ComponentMetrics],
                cache: [CacheResult], jobs: [JobResult], capacity: CapacityPlan, usage: UsageVolumes,
                timeSeries: [TimeSeriesPoint], bucketSeries: [BucketSeries] = [], events: Int, wallSeconds: Double, warmUp: WarmUpCheck? = nil) {
        self.config = config; self.users = users; self.activeUsers = activeUsers; self.seed = seed; self.replication = replication
        self.windowStartHour = windowStartHour; self.warmUpSeconds = warmUpSeconds; self.simulatedSeconds = simulatedSeconds
        self.requests = requests; self.throughput = throughput; self.latencyMs = latencyMs; self.endpoints = endpoints
        self.errorRate = errorRate; self.errors = errors; self.components = components; self.cache = cache; self.jobs = jobs
        self.capacity = capacity; self.usage = usage; self.timeSeries = timeSeries; self.bucketSeries = bucketSeries; self.events = events; self.wallSeconds = wallSeconds
        self.warmUp = warmUp
    }
}

extension RunResult {
    enum CodingKeys: String, CodingKey {
        case config, users, activeUsers, seed, replication, windowStartHour, warmUpSeconds, simulatedSeconds, requests, throughput
        case latencyMs, endpoints, errorRate, errors, components, cache, jobs, capacity, usage, timeSeries, bucketSeries, events
        case wallSeconds, warmUp
    }

    /// Reads a result as ``encode(to:)`` writes it; one written before `bucketSeries` existed
    /// (an older `run --format json`) reads with none.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        config = try c.decode(String.self, forKey: .config)
        users = try c.decode(Int.self, forKey: .users)
        activeUsers = try c.decode(Int.self, forKey: .activeUsers)
        seed = try c.decode(UInt64.self, forKey: .seed)
        replication = try c.decode(Int.self, forKey: .replication)
        windowStartHour = try c.decode(Double.self, forKey: .windowStartHour)
        warmUpSeconds = try c.decode(Double.self, forKey: .warmUpSeconds)
        simulatedSeconds = try c.decode(Double.self, forKey: .simulatedSeconds)
        requests = try c.decode(Int.self, forKey: .requests)
        throughput = try c.decode(Double.self, forKey: .throughput)
        latencyMs = try c.decode(Percentiles.self, forKey: .latencyMs)
        endpoints = try c.decode([EndpointResult].self, forKey: .endpoints)
        errorRate = try c.decode(Double.self, forKey: .errorRate)
        errors = try c.decode(ErrorCounts.self, forKey: .errors)
        components = try c.decode([ComponentMetrics].self, forKey: .components)
        cache = try c.decode([CacheResult].self, forKey: .cache)
        jobs = try c.decode([JobResult].self, forKey: .jobs)
        capacity = try c.decode(CapacityPlan.self, forKey: .capacity)
        usage = try c.decode(UsageVolumes.self, forKey: .usage)
        timeSeries = try c.decode([TimeSeriesPoint].self, forKey: .timeSeries)
        bucketSeries = try c.decodeIfPresent([BucketSeries].self, forKey: .bucketSeries) ?? []
        events = try c.decode(Int.self, forKey: .events)
        wallSeconds = try c.decode(Double.self, forKey: .wallSeconds)
        warmUp = try c.decodeIfPresent(WarmUpCheck.self, forKey: .warmUp)
    }
}

public struct Percentiles: Sendable, Codable, Equatable {
    public var p50: Double
    public var p95: Double
    public var p99: Double
    public var mean: Double
    public var max: Double
    public init(p50: Double, p95: Double, p99: Double, mean: Double, max: Double) {
        self.p50 = p50; self.p95 = p95; self.p99 = p99; self.mean = mean; self.max = max
    }
    public static let zero = Percentiles(p50: 0, p95: 0, p99: 0, mean: 0, max: 0)
}

public struct EndpointResult: Sendable, Codable, Equatable {
    public var name: String
    public var requests: Int
    public var errors: Int
    public var latencyMs: Percentiles
}

/// One component (or a group of identical ones, e.g. all API processes) over the window.
public struct ComponentMetrics: Sendable, Codable, Equatable {
    /// The instance's name (`postgres-primary`, `postgres-shard2`, `mailgun`, `ratelimit-global`).
    public var name: String
    public var kind: ComponentKind
    public var count: Int
    /// Busy share of capacity (0-1), averaged over the window and over the group.
    public var utilization: Double
    /// The busiest member's utilization.
    public var maxUtilization: Double
    /// Mean number waiting.
    public var meanQueue: Double
    public var meanWaitMs: Double
    public var p99WaitMs: Double
    /// Jobs, requests or commands served per second.
    public var throughput: Double
    /// Mean number present (waiting and in service), measured as a time average where the
    /// component keeps one; with `throughput` and `meanResponseMs` it checks Little's law.
    public var meanInSystem: Double?
    public var meanResponseMs: Double?
    /// Hard limits hit in the window (timeouts, refusals, rejections).
    public var limitHits: Int
    /// Component-specific figures, e.g. `backends`, `memoryMB`, `evictions`: only the
    /// metrics its kind reports (``ComponentKind/metrics``).
    public var details: ComponentDetails

    public init(name: String, kind: ComponentKind, count: Int, utilization: Double, maxUtilization: Double, meanQueue: Double,
                meanWaitMs: Double, p99WaitMs: Double, throughput: Double, meanInSystem: Double? = nil,
                meanResponseMs: Double? = nil, limitHits: Int = 0, details: [ComponentMetric: Double] = [:]) {
        assert(details.keys.allSatisfy(kind.metrics.contains), "\(kind) does not report \(details.keys.filter { !kind.metrics.contains($0) })")
        self.name = name; self.kind = kind; self.count = count; self.utilization = utilization; self.maxUtilization = maxUtilization
        self.meanQueue = meanQueue; self.meanWaitMs = meanWaitMs; self.p99WaitMs = p99WaitMs; self.throughput = throughput
        self.meanInSystem = meanInSystem; self.meanResponseMs = meanResponseMs; self.limitHits = limitHits
        self.details = ComponentDetails(details)
    }
}

public struct CacheResult: Sendable, Codable, Equatable {
    public var name: String
    public var location: String
    public var lookups: Int
    public var hits: Int
    public var hitRate: Double
    /// What the TTL formula predicts from the measured per-key request rates, for comparison.
    public var predictedHitRate: Double
    /// Misses that waited for another request's fill (request coalescing).
    public var coalescedWaits: Int = 0
}

public struct JobResult: Sendable, Codable, Equatable {
    public var name: String
    public var enqueued: Int
    public var completed: Int
    public var failedAttempts: Int
    public var deadLettered: Int
    /// Time from enqueue to completion.
    public var latencyMs: Percentiles
}

/// Volumes used by the cost model, per simulated day (scaled from the window).
public struct UsageVolumes: Sendable, Codable, Equatable {
    public var emailsPerDay: Double
    public var llmCallsPerDay: Double
    public var originEgressGBPerDay: Double
    public var cdnEgressGBPerDay: Double
    public var errorsPerDay: Double
    public var tracedRequestsPerDay: Double
    public var requestsPerDay: Double
    public var databaseGB: Double
    public var redisMemoryMB: Double
}

public struct TimeSeriesPoint: Sendable, Codable, Equatable {
    /// Seconds since the start of the measured window (bucket start).
    public var t: Double
    public var throughput: Double
    public var p99Ms: Double
    public var errors: Int
    public var apiUtilization: Double
    /// Queries being executed in the database servers (primaries, replicas, shards), averaged
    /// over the bucket.
    public var databaseActive: Double
    public var poolWaiting: Int
    public var jobQueueDepth: Int
}


/// The warm-up against what MSER-5 (White 1997) finds in the run's own time series (10 s
/// buckets of throughput and p99 from the start of the warm-up).
public struct WarmUpCheck: Sendable, Codable, Equatable {
    public var discardedSeconds: Double
    public var mser5ThroughputSeconds: Double
    public var mser5P99Seconds: Double
    /// MSER-5 would discard no more than the run did (within one bucket).
    public var sufficient: Bool
    /// False when MSER-5's minimum fell in the second half of the series: the run is too short to tell.
    public var reliable: Bool
    public init(discardedSeconds: Double, mser5ThroughputSeconds: Double, mser5P99Seconds: Double, sufficient: Bool, reliable: Bool) {
        self.discardedSeconds = discardedSeconds; self.mser5ThroughputSeconds = mser5ThroughputSeconds
        self.mser5P99Seconds = mser5P99Seconds; self.sufficient = sufficient; self.reliable = reliable
    }
}

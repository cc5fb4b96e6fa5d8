import GRDB

/// A row of `time_series`: one bucket (10 simulated seconds by default) of a run's measured window.
public struct TimeSeriesRecord: RunKeyed, Sendable, Equatable {
    public var experiment: String
    public var configuration: String
    public var variant: String
    public var users: Int
    public var seed: Int
    public var replication: Int
    /// Seconds from the start of the measured window to the bucket's start.
    public var tS: Double
    public var throughputPerS: Double
    public var p99Ms: Double
    public var errors: Int
    /// API event-loop busy share over the bucket.
    public var apiUtilization: Double
    /// Queries in the database servers (primary, replicas, shards) at the bucket's end.
    public var databaseActive: Double
    /// Requests waiting for a Prisma pool or PgBouncer server connection at the bucket's end.
    public var poolWaiting: Int
    /// Jobs waiting in the BullMQ queues at the bucket's end.
    public var jobQueueDepth: Int
}

extension TimeSeriesRecord: Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "time_series"

    enum CodingKeys: String, CodingKey {
        case experiment, configuration, variant, users, seed, replication
        case tS = "t_s"
        case throughputPerS = "throughput_per_s"
        case p99Ms = "p99_ms"
        case errors
        case apiUtilization = "api_utilization"
        case databaseActive = "database_active"
        case poolWaiting = "pool_waiting"
        case jobQueueDepth = "job_queue_depth"
    }
}

import GRDB

/// A row of `jobs`: one background job type (BullMQ queue) in a run.
public struct JobRecord: RunKeyed, Sendable, Equatable {
    public var experiment: String
    public var configuration: String
    public var variant: String
    public var users: Int
    public var seed: Int
    public var replication: Int
    public var job: String
    public var position: Int
    public var enqueued: Int
    public var completed: Int
    public var failedAttempts: Int
    public var deadLettered: Int
    /// Enqueue to completion.
    public var p50Ms: Double
    public var p95Ms: Double
    public var p99Ms: Double
}

extension JobRecord: Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "jobs"

    enum CodingKeys: String, CodingKey {
        case experiment, configuration, variant, users, seed, replication
        case job, position, enqueued, completed
        case failedAttempts = "failed_attempts"
        case deadLettered = "dead_lettered"
        case p50Ms = "p50_ms"
        case p95Ms = "p95_ms"
        case p99Ms = "p99_ms"
    }
}

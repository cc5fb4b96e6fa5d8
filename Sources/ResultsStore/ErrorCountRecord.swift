import GRDB

/// A row of `errors`: error responses of one kind in a run (every kind, zeros included).
public struct ErrorCountRecord: RunKeyed, Sendable, Equatable {
    public var experiment: String
    public var configuration: String
    public var variant: String
    public var users: Int
    public var seed: Int
    public var replication: Int
    /// `rateLimited`, `rateLimitedFalse`, `poolTimeout`, `connectionRefused`,
    /// `pgbouncerWaitTimeout`, `upstream`, `timeout`, `overloaded`.
    public var kind: String
    public var position: Int
    /// What the kind means, for a person reading the table.
    public var description: String
    public var count: Int
    /// count / the run's requests.
    public var shareOfRequests: Double
}

extension ErrorCountRecord: Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "errors"

    enum CodingKeys: String, CodingKey {
        case experiment, configuration, variant, users, seed, replication
        case kind, position, description, count
        case shareOfRequests = "share_of_requests"
    }

    /// The meaning of each kind of ``PlatformModel/ErrorCounts``.
    public static let kindDescriptions: [String: String] = [
        "rateLimited": "429 from a rate limiter, the user over the limit",
        "rateLimitedFalse": "false 429: per-IP limit used up by others behind the same IP",
        "poolTimeout": "P2024: no Prisma pool connection within pool_timeout",
        "connectionRefused": "connection refused: max_connections or max_client_conn reached",
        "pgbouncerWaitTimeout": "PgBouncer query_wait_timeout: no server connection in time",
        "upstream": "5xx from a provider (Mailgun, LLM): its rate limit or failures",
        "timeout": "request timed out",
        "overloaded": "503: process at its most requests in flight",
    ]
}

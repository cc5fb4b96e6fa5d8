/// Why a request failed: the one list of error kinds, from the simulation to the notebooks.
///
/// The raw value is the compact code a request carries in the hot loop (0 is "no error", so
/// it is not a case). `name` is the stable spelling at the database and JSON edges; every
/// other layer switches on the case, so a misspelt kind does not compile.
public enum ErrorKind: UInt8, CaseIterable, Sendable, Codable, Hashable, Comparable {
    /// 429 from a rate limiter: the user (or the IP) over its own budget.
    case rateLimited = 1
    /// 429 from a per-IP limit that others behind the same IP used up: the user alone was within it.
    case rateLimitedFalse
    /// Prisma P2024: no pool connection within `pool_timeout`.
    case poolTimeout
    /// A new connection refused: Postgres `max_connections` or PgBouncer `max_client_conn` reached.
    case connectionRefused
    /// PgBouncer `query_wait_timeout`: no server connection in time.
    case pgbouncerWaitTimeout
    /// A 5xx from a provider (Mailgun, the LLM): its rate limit or its failures.
    case upstream
    /// The client gave up at the request timeout (or a provider call timed out).
    case timeout
    /// 503 from a process at its most requests in flight.
    case overloaded
    /// Redis down and the middleware failing closed, or a job that could not be enqueued.
    case redisUnavailable

    public static func < (a: ErrorKind, b: ErrorKind) -> Bool { a.rawValue < b.rawValue }

    /// The stable name stored in the database and written in JSON.
    public var name: String {
        switch self {
        case .rateLimited: "rateLimited"
        case .rateLimitedFalse: "rateLimitedFalse"
        case .poolTimeout: "poolTimeout"
        case .connectionRefused: "connectionRefused"
        case .pgbouncerWaitTimeout: "pgbouncerWaitTimeout"
        case .upstream: "upstream"
        case .timeout: "timeout"
        case .overloaded: "overloaded"
        case .redisUnavailable: "redisUnavailable"
        }
    }

    /// The kind with this stored name, or nil.
    public init?(name: String) {
        guard let k = ErrorKind.allCases.first(where: { $0.name == name }) else { return nil }
        self = k
    }

    /// A short column heading.
    public var label: String {
        switch self {
        case .rateLimited: "429"
        case .rateLimitedFalse: "false 429"
        case .poolTimeout: "P2024"
        case .connectionRefused: "refused"
        case .pgbouncerWaitTimeout: "PgBouncer wait"
        case .upstream: "upstream 5xx"
        case .timeout: "timeout"
        case .overloaded: "503"
        case .redisUnavailable: "Redis down"
        }
    }

    /// What the kind means, for a person reading a table.
    public var meaning: String {
        switch self {
        case .rateLimited: "429 from a rate limiter, the user over the limit"
        case .rateLimitedFalse: "false 429: per-IP limit used up by others behind the same IP"
        case .poolTimeout: "P2024: no Prisma pool connection within pool_timeout"
        case .connectionRefused: "connection refused: max_connections or max_client_conn reached"
        case .pgbouncerWaitTimeout: "PgBouncer query_wait_timeout: no server connection in time"
        case .upstream: "5xx from a provider (Mailgun, LLM): its rate limit or failures"
        case .timeout: "request timed out"
        case .overloaded: "503: process at its most requests in flight"
        case .redisUnavailable: "Redis unavailable: middleware failing closed or a job not enqueued"
        }
    }

    /// The status an Express app in front of these components answers with: a 429 from the
    /// limiter, 500 for a database error Prisma raises (P2024, refused, PgBouncer's timeout),
    /// 502 for a provider's failure, 503 when shedding load or Redis is down, 504 on timeout.
    public var httpStatus: Int {
        switch self {
        case .rateLimited, .rateLimitedFalse: 429
        case .poolTimeout, .connectionRefused, .pgbouncerWaitTimeout: 500
        case .upstream: 502
        case .timeout: 504
        case .overloaded, .redisUnavailable: 503
        }
    }

    /// A 429 of either kind.
    public var isRateLimit: Bool { self == .rateLimited || self == .rateLimitedFalse }
}

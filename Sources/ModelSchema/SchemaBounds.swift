import ModelFiles
import SimulationEngine

/// The upper bounds of the model schema: for every number, a value a real platform could
/// reach, with room, and the reason, which the error quotes.
///
/// Why every number needs one: a value the checks accept must be one the simulation can run.
/// Before these bounds, 159 of 1,888 extreme values given through `--set` (1e308 requests a
/// day, 1e16 vCPU, a lognormal CV of 1e308) passed `validate` and then trapped in a Double-to-Int
/// conversion or ran for ever. The bounds keep every product the simulation forms (users x
/// requests x seconds, processes x shards) finite and inside the integer types it counts with;
/// what is still too much work for one machine (100 million users for a week) is then refused
/// before running by the work estimate (`WorkEstimate`), with a flag to allow it.
extension Constraint {
    // MARK: Sizes of machines and fleets

    /// vCPU of one instance (API, worker, Redis, PgBouncer host, a Postgres size).
    static let vcpu = Constraint.positive.atMost(1024, because: "the largest cloud instances have 448 vCPU")
    /// Memory of one instance in GB.
    static let memoryGB = Constraint.positive.atMost(65_536, because: "the largest cloud instances have 32 TB")
    /// Processes per instance (event loops, worker processes, PgBouncer processes): one per vCPU of
    /// the largest instance, with room. Also keeps processes x shards (one connection pool each)
    /// inside the 32-bit indices the simulation uses.
    static let processesPerInstance = Constraint.range(1...1024).atMost(256, because: "one process per vCPU of the largest instances")
    /// Instances a horizontal scaling rule may reach, and a fixed count.
    static let instances = Constraint.range(0...10_000).atMost(10_000, because: "ten thousand instances of one service is past any fleet this model plans for")
    /// Postgres clusters when sharding by user: each shard is a whole primary with its own
    /// PgBouncer and replicas.
    static let shards = Constraint.range(1...256).atMost(256, because: "each shard is a whole Postgres cluster; sharded SaaS fleets run tens")

    // MARK: Traffic

    /// Requests of one kind per user per day (authenticated, unauthenticated, webhooks).
    static let perUserPerDay = Constraint.nonNegative.atMost(100_000, because: "more than one request a second all day is a machine, not a user")
    /// Visits a day of a daily-active user (each a session of page views). A testbed-sized model
    /// (a thousand users standing for many more) asks for over a thousand; the requests a day
    /// they make together are bounded as well (`PlatformReader.maxRequestsPerActiveUserPerDay`).
    static let sessionsPerDay = Constraint.positive.atMost(100_000, because: "more than a visit a second all day is a machine, not a user")
    /// Unauthenticated visitor IPs per registered user; keeps IP numbers inside 32 bits at 100M users.
    static let ipsPerUser = Constraint.positive.atMost(10, because: "ten visitor addresses per registered user; the model assumes 2")
    /// Health checks per instance per second.
    static let healthChecksPerSecond = Constraint.nonNegative.atMost(100, because: "a probe every 10 ms is beyond any health checker")
    /// Multiplier of a traffic spike or a provider's latency.
    static let multiplier = Constraint.positive.atMost(1000, because: "the seed's marketing blast is x5 and a slow provider x10")
    /// Relative hourly traffic weights: only ratios matter, and 24 of them must sum finitely.
    static let diurnalWeight = Constraint.nonNegative.atMost(1_000_000, because: "only the ratios between hours matter")

    // MARK: Providers

    /// An external service's rate limit in calls per second: under one a day, a call waiting
    /// for a slot outlasts any window a run measures.
    static let callsPerSecond = Constraint.range(1e-5...1e9).atMost(1e9, because: "a billion calls a second")
    /// LLM tokens of one call, in or out.
    static let tokensPerCall = Constraint.nonNegative.atMost(10_000_000, because: "ten times the largest context windows")
    /// Rows (recipients) one job of a fan-out takes.
    static let rowsPerJob = Constraint.range(1...1_000_000).atMost(1_000_000, because: "a million recipients in one batch; Mailgun takes 1,000 per call")

    // MARK: Time

    /// A duration in seconds configured for a timeout, TTL, window or fault: at most a year.
    static let longSeconds = Constraint.positive.atMost(31_536_000, because: "a year")
    /// A fault's start or duration, or a spike's duration, in seconds: at most a week, the longest window a run measures.
    static let windowSeconds = Constraint.nonNegative.atMost(604_800, because: "a week, the longest window a run measures")

    // MARK: Data

    /// Bytes of one response, row or key.
    static let bytes = Constraint.nonNegative.atMost(1e10, because: "10 GB in one response or row is past any web request")
    /// One value kept in Redis or a cache (a key's value, a cache entry).
    static let redisValueBytes = Constraint.positive.atMost(536_870_912, because: "Redis values are at most 512 MB")
    /// Rows of a table per user.
    static let rowsPerUser = Constraint.nonNegative.atMost(10_000_000, because: "ten million rows per user is an event log of a very busy account")
    /// CPU microseconds per row a query touches.
    static let rowMicroseconds = Constraint.nonNegative.atMost(1_000_000, because: "a second per row; Postgres spends under a microsecond")

    // MARK: Money

    /// A price in USD (per unit, per month).
    static let usd = Constraint.nonNegative.atMost(1e9, because: "a billion dollars for one unit of one line item")
    /// A count a price includes or a tier ends at (emails, errors, GB).
    static let pricedQuantity = Constraint.nonNegative.atMost(1e15, because: "more than any platform could use in a month")
}

/// Bounds on the distributions of the model files, on top of what ``Distribution/init(spec:)``
/// checks for every distribution (finite numbers, a coefficient of variation of at most 100).
enum DistributionBounds {
    /// The longest mean of one step of a request or job, in seconds: an hour. A web request or a
    /// job step that takes longer is a batch job, and a run measures at most a week.
    static let stepSeconds = 3600.0
    /// The longest mean time between a user's page views, in seconds: a day.
    static let thinkSeconds = 86_400.0
    /// The largest mean office size: ten thousand users behind one public IP (carrier-grade NAT).
    static let officeUsers = 10_000.0
    /// The largest mean page size a client asks for: a million rows.
    static let pageRows = 1_000_000.0
}

/// A number in an error message as a person would write it: `3600000`, `0.25`, `1e+308`.
func shownNumber(_ x: Double) -> String {
    if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    if x.isFinite, abs(x) >= 1e-4, abs(x) < 1e15 {
        var s = String(x)
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }
    return "\(x)"
}

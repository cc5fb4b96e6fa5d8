import Foundation
import PlatformModel
import SimulationEngine

/// The model's step type (the struct `PlatformModel` hides the module's name inside this file's types).
typealias ModelStep = Step

/// What the testbed's processes need to know of one configuration, taken from the same
/// validated model the simulator runs, so that the two cannot drift apart: the rate limiters
/// (which endpoints each sees, key, window, limits by tier), the caches, the session check,
/// the pool, PgBouncer, the page-size cap, each endpoint's and job's steps, the providers'
/// latency and failures, the tables' rows per user and which indexes exist.
///
/// Written as JSON (`platform-sim trace --testbed-settings FILE`) and read by
/// `Testbed/app/*.js`, `Testbed/seed.sh` and `Testbed/up.sh`. Times are in milliseconds.
public struct TestbedSettings: Codable, Sendable, Equatable {
    public struct Limiter: Codable, Sendable, Equatable {
        public var name: String
        /// "ip" or "user".
        public var key: String
        public var windowMs: Double
        public var limit: Int
        /// Limit per tier name (a user-keyed limiter with tiered limits).
        public var limitByTier: [String: Int]?
        /// Endpoints this limiter sees (after its scope, endpoint list and skip list).
        public var endpoints: [String]
    }
    public struct Cache: Codable, Sendable, Equatable {
        public var name: String
        public var enabled: Bool
        /// "process" or "redis".
        public var location: String
        public var ttlMs: Double
        public var global: Bool
    }
    /// One step of an endpoint or job path: `kind` is cpu, threadPool, redis, cacheLookup,
    /// cacheFill, cacheInvalidate, query, external or enqueue; `name` the cache, query, service
    /// or job; `count` the Redis commands; `meanMs` the model's mean for CPU steps.
    public struct Step: Codable, Sendable, Equatable {
        public var kind: String
        public var name: String?
        public var count: Int?
        public var meanMs: Double?
        /// CPU per row of the last query's result (microseconds), for CPU steps that have it.
        public var perRowUs: Double?
    }
    public struct Endpoint: Codable, Sendable, Equatable {
        public var name: String
        public var authenticated: Bool
        public var middleware: Bool
        public var takesPageLimit: Bool
        public var steps: [Step]
    }
    public struct Job: Codable, Sendable, Equatable {
        public var name: String
        public var maxAttempts: Int
        public var backoffBaseMs: Double
        public var steps: [Step]
    }
    /// A latency distribution the provider stub samples from: lognormal (mu, sigma of the
    /// log of milliseconds), exponential (mean), deterministic (value) or uniform (low, high).
    public struct LatencyDistribution: Codable, Sendable, Equatable {
        public var kind: String
        public var parameters: [Double]
        public var meanMs: Double
    }
    public struct Service: Codable, Sendable, Equatable {
        public var name: String
        public var latency: LatencyDistribution
        public var failureProbability: Double
        public var rateLimitPerS: Double?
        public var timeoutMs: Double
    }
    public struct Query: Codable, Sendable, Equatable {
        public var name: String
        public var table: String
        public var statements: Int
        public var write: Bool
        /// Whether its statements run in one transaction (BEGIN and COMMIT around them): the
        /// simulator's rule (``QueryModel/roundTrips``), written here so that the API and
        /// `Testbed/measure.sh` take it from the model instead of restating it.
        public var transaction: Bool
        /// Round trips to the database: a statement each, BEGIN and COMMIT for a transaction.
        public var roundTrips: Int
        /// The index the planner uses for this configuration, or nil (a sequential scan or a
        /// primary-key lookup).
        public var index: String?
    }

    public var configuration: String
    public var tiers: [String]
    public var limiters: [Limiter]
    public var caches: [Cache]
    public var sessionCheck: Bool
    public var poolMax: Int
    public var poolTimeoutMs: Double
    public var pgbouncer: Bool
    public var pgbouncerPoolSize: Int
    public var pgbouncerMaxClientConn: Int
    public var pgbouncerQueryWaitTimeoutS: Double
    public var postgresMaxConnections: Int
    public var maxPageSize: Int?
    public var maxInFlight: Int
    public var requestTimeoutMs: Double
    public var workerConcurrency: Int
    public var endpoints: [Endpoint]
    public var jobs: [Job]
    public var services: [Service]
    public var queries: [Query]
    /// Rows per user by table (scaled by each user's activity weight when seeding).
    public var rowsPerUser: [String: Double]
    /// Every index of the model and whether this configuration has it.
    public var indexes: [String: Bool]

    /// - Throws: when a provider's latency has a shape the provider stub cannot draw.
    public init(model: PlatformModel) throws(UnsupportedLatency) {
        configuration = model.configuration
        tiers = model.traffic.tiers.map(\.name)
        let names = model.endpoints.map(\.name)
        limiters = model.rateLimiters.map { l in
            let r = RateLimiter(model: l, endpoints: model.endpoints, keys: 1, users: 1, origin: 0)
            var byTier: [String: Int]?
            if let t = l.limitByTier {
                byTier = Dictionary(uniqueKeysWithValues: zip(model.traffic.tiers.map(\.name), t))
            }
            return Limiter(name: l.name, key: l.key == .ip ? "ip" : "user", windowMs: l.window * 1000, limit: l.limit,
                           limitByTier: byTier, endpoints: names.indices.filter { r.applies(to: $0) }.map { names[$0] })
        }
        caches = model.caches.map {
            Cache(name: $0.name, enabled: $0.enabled, location: $0.location.rawValue, ttlMs: $0.ttl * 1000, global: $0.key == .global)
        }
        sessionCheck = model.auth.sessionCheck
        let db = model.database
        poolMax = db.pool.effectiveLimit
        poolTimeoutMs = db.pool.poolTimeout * 1000
        pgbouncer = db.pgbouncer.enabled
        pgbouncerPoolSize = db.pgbouncer.defaultPoolSize
        pgbouncerMaxClientConn = db.pgbouncer.maxClientConnections
        pgbouncerQueryWaitTimeoutS = db.pgbouncer.queryWaitTimeout
        postgresMaxConnections = db.postgres.maxConnections
        maxPageSize = model.api.maxPageSize
        maxInFlight = model.api.maxInFlightPerProcess
        requestTimeoutMs = model.api.requestTimeout * 1000
        workerConcurrency = model.workers.concurrency
        func steps(_ path: [ModelStep]) -> [Step] {
            path.map { s in
                switch s {
                case .cpu(let d, let perRow): Step(kind: "cpu", meanMs: d.mean * 1000, perRowUs: perRow > 0 ? perRow * 1e6 : nil)
                case .threadPool(let d): Step(kind: "threadPool", meanMs: d.mean * 1000)
                case .redis(let n): Step(kind: "redis", count: n)
                case .cacheLookup(let c): Step(kind: "cacheLookup", name: model.caches[c].name)
                case .cacheFill(let c): Step(kind: "cacheFill", name: model.caches[c].name)
                case .cacheInvalidate(let c): Step(kind: "cacheInvalidate", name: model.caches[c].name)
                case .query(let q): Step(kind: "query", name: db.queries[q].name)
                case .external(let e): Step(kind: "external", name: model.externalServices[e].name)
                case .enqueue(let j): Step(kind: "enqueue", name: model.jobs[j].name)
                case .fanOut(let j, let rowsPerJob): Step(kind: "fanOut", name: model.jobs[j].name, count: rowsPerJob)
                }
            }
        }
        endpoints = model.endpoints.map {
            Endpoint(name: $0.name, authenticated: $0.authenticated, middleware: $0.middleware,
                     takesPageLimit: $0.requestedLimit != nil, steps: steps($0.steps))
        }
        jobs = model.jobs.map { Job(name: $0.name, maxAttempts: $0.maxAttempts, backoffBaseMs: $0.backoffBase * 1000, steps: steps($0.steps)) }
        var services: [Service] = []
        for s in model.externalServices {
            guard let latency = Self.latency(s.latency) else { throw UnsupportedLatency(service: s.name) }
            services.append(Service(name: s.name, latency: latency, failureProbability: s.failureProbability,
                                    rateLimitPerS: s.rateLimitPerSecond, timeoutMs: s.timeout * 1000))
        }
        self.services = services
        queries = db.queries.map { q in
            let plan = q.plan(indexes: db.indexes)
            return Query(name: q.name, table: db.tables[q.table].name, statements: q.statements, write: q.write,
                         transaction: q.roundTrips > q.statements, roundTrips: q.roundTrips, index: plan.index.map { db.indexes[$0].name })
        }
        rowsPerUser = Dictionary(uniqueKeysWithValues: db.tables.map { ($0.name, $0.rowsPerUser) })
        indexes = Dictionary(uniqueKeysWithValues: db.indexes.map { ($0.name, $0.enabled) })
    }

    /// A distribution in seconds as the provider stub's milliseconds.
    static func latency(_ d: Distribution) -> LatencyDistribution? {
        switch d {
        case .lognormal(let mu, let sigma): LatencyDistribution(kind: "lognormal", parameters: [mu + log(1000), sigma], meanMs: d.mean * 1000)
        case .exponential(let m): LatencyDistribution(kind: "exponential", parameters: [m * 1000], meanMs: m * 1000)
        case .deterministic(let v): LatencyDistribution(kind: "deterministic", parameters: [v * 1000], meanMs: v * 1000)
        case .uniform(let a, let b): LatencyDistribution(kind: "uniform", parameters: [a * 1000, b * 1000], meanMs: d.mean * 1000)
        default: nil
        }
    }

    /// A provider latency the testbed's stub cannot draw (it draws lognormal, exponential,
    /// deterministic and uniform latencies).
    public struct UnsupportedLatency: Error, CustomStringConvertible {
        public var service: String
        public var description: String {
            "externalServices.\(service).latencyMs: the testbed's provider stub draws lognormal, exp, det and uniform latencies only"
        }
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}

import SimulationEngine

/// The validated description of the whole platform for one configuration (the base model
/// with its phase overlays and command-line overrides applied): what the simulation runs.
///
/// Every field is in SI-like units the engine uses directly (seconds, bytes, requests per
/// second) whatever the model file says (the loader converts `timeoutMs` to seconds, and so
/// on). Every number here came from a model file; none is invented by the simulation.
public struct PlatformModel: Sendable {
    /// Configuration name, e.g. `current` or `phase3`.
    public var configuration: String
    public var traffic: TrafficModel
    /// Endpoints in model-file order; `index` in ``EndpointModel`` is the position here.
    public var endpoints: [EndpointModel]
    /// Background jobs run by the workers, in model-file order.
    public var jobs: [JobModel]
    public var loadBalancer: LoadBalancerModel
    public var api: APIModel
    public var rateLimiters: [RateLimiterModel]
    public var auth: AuthModel
    public var redis: RedisModel
    public var caches: [CacheModel]
    public var database: DatabaseModel
    public var workers: WorkerModel
    public var externalServices: [ExternalServiceModel]
    public var cdn: CDNModel
    /// The clients' network: round trips and bandwidth (latency as the user sees it).
    public var network: NetworkModel = .none
    public var monitoring: MonitoringModel
    public var pricing: PricingModel
    /// Failures injected into the run (all off in the base model).
    public var faults: FaultModel = FaultModel()
    /// The delay a core that has been idle adds to the work that wakes it (`idleWakeUp`; none by default).
    public var idleWakeUp: IdleWakeUpModel = .none

    public init(configuration: String, traffic: TrafficModel, endpoints: [EndpointModel], jobs: [JobModel],
                loadBalancer: LoadBalancerModel, api: APIModel, rateLimiters: [RateLimiterModel], auth: AuthModel,
                redis: RedisModel, caches: [CacheModel], database: DatabaseModel, workers: WorkerModel,
                externalServices: [ExternalServiceModel], cdn: CDNModel, monitoring: MonitoringModel, pricing: PricingModel) {
        self.configuration = configuration
        self.traffic = traffic
        self.endpoints = endpoints
        self.jobs = jobs
        self.loadBalancer = loadBalancer
        self.api = api
        self.rateLimiters = rateLimiters
        self.auth = auth
        self.redis = redis
        self.caches = caches
        self.database = database
        self.workers = workers
        self.externalServices = externalServices
        self.cdn = cdn
        self.monitoring = monitoring
        self.pricing = pricing
    }
}

// MARK: - Traffic

/// Who sends requests, how many and when.
public struct TrafficModel: Sendable {
    /// Registered users/subscribers (N).
    public var users: Int
    /// Share of users active on a given day (DAU/MAU).
    public var dailyActiveFraction: Double
    /// Sessions (visits) a daily-active user starts per day.
    public var sessionsPerActiveUserPerDay: Double
    /// Page views in one session (mean of a geometric count, at least 1).
    public var pageViewsPerSession: Double
    /// API calls fired together by one page view.
    public var apiCallsPerPageView: Int
    /// Time between page views within a session.
    public var thinkTime: Distribution
    /// Relative activity of users: each active user gets a weight drawn from this (mean 1);
    /// sessions pick users in proportion to it, and data per user scales with it.
    public var activityWeight: Distribution
    /// Product tiers with their share of users, in order.
    public var tiers: [TierModel]
    /// 24 relative weights, one per hour of the day (UTC), for all traffic.
    public var diurnalWeights: [Double]
    /// Share of users who sit behind a shared office IP.
    public var officeUserFraction: Double
    /// Users per office IP (rounded, at least 2).
    public var officeSize: Distribution
    /// Unauthenticated requests per registered user per day (public video views, signups, public pages).
    public var unauthenticatedRequestsPerUserPerDay: Double
    /// Distinct client IPs that unauthenticated traffic comes from, per registered user.
    public var unauthenticatedIPsPerUser: Double
    /// Webhook deliveries (Stripe, Mailgun, Meta, Twitter) per registered user per day.
    public var webhooksPerUserPerDay: Double
    /// Static asset fetches that reach the CDN or origin per page view (after browser caching).
    public var staticAssetsPerPageView: Double
    /// Health probes per API instance per second (load balancer and uptime checks).
    public var healthChecksPerInstancePerSecond: Double
    /// Endpoint mixes: which endpoint a request of each stream calls.
    public var authenticatedMix: [(endpoint: Int, weight: Double)]
    public var unauthenticatedMix: [(endpoint: Int, weight: Double)]
    /// Endpoint indices for webhooks, health, static assets and token refresh.
    public var webhookEndpoint: Int
    public var healthEndpoint: Int
    public var staticEndpoint: Int
    public var refreshEndpoint: Int
    /// A marketing blast or similar: traffic multiplied by `multiplier` for `duration` seconds from `start` (seconds into the day).
    public var spike: TrafficSpike?
    /// Client retries after an error.
    public var retries: RetryPolicy
    /// Background calls an open tab makes per minute (a badge or list refreshing itself), to
    /// `pollingEndpoint`; 0 when the app does not poll.
    public var pollingCallsPerOpenTabMinute: Double = 0
    public var pollingEndpoint: Int = 0
    /// Requests per daily-active user per day from API clients (integrations calling the API
    /// directly, outside any session), drawn from the authenticated mix.
    public var apiClientRequestsPerActiveUserPerDay: Double = 0
    /// A published figure to compare the model's load with (peak API requests per second per
    /// 1,000 registered users); not used by the simulation.
    public var referencePeakAPIRequestsPerSecondPer1000Users: Double?

    /// Polling calls per page view: the calls a tab makes in the think time to the next page.
    public var pollingCallsPerPageView: Double { pollingCallsPerOpenTabMinute * thinkTime.mean / 60 }

    /// Authenticated API requests per daily-active user per day, derived from behaviour:
    /// sessions x pages x (calls per page + polling calls per page), plus API clients.
    public var requestsPerActiveUserPerDay: Double {
        sessionsPerActiveUserPerDay * pageViewsPerSession * (Double(apiCallsPerPageView) + pollingCallsPerPageView)
            + apiClientRequestsPerActiveUserPerDay
    }

    public init(users: Int, dailyActiveFraction: Double, sessionsPerActiveUserPerDay: Double, pageViewsPerSession: Double,
                apiCallsPerPageView: Int, thinkTime: Distribution, activityWeight: Distribution, tiers: [TierModel],
                diurnalWeights: [Double], officeUserFraction: Double, officeSize: Distribution,
                unauthenticatedRequestsPerUserPerDay: Double, unauthenticatedIPsPerUser: Double, webhooksPerUserPerDay: Double,
                staticAssetsPerPageView: Double, healthChecksPerInstancePerSecond: Double,
                authenticatedMix: [(endpoint: Int, weight: Double)], unauthenticatedMix: [(endpoint: Int, weight: Double)],
                webhookEndpoint: Int, healthEndpoint: Int, staticEndpoint: Int, refreshEndpoint: Int,
                spike: TrafficSpike?, retries: RetryPolicy) {
        self.users = users
        self.dailyActiveFraction = dailyActiveFraction
        self.sessionsPerActiveUserPerDay = sessionsPerActiveUserPerDay
        self.pageViewsPerSession = pageViewsPerSession
        self.apiCallsPerPageView = apiCallsPerPageView
        self.thinkTime = thinkTime
        self.activityWeight = activityWeight
        self.tiers = tiers
        self.diurnalWeights = diurnalWeights
        self.officeUserFraction = officeUserFraction
        self.officeSize = officeSize
        self.unauthenticatedRequestsPerUserPerDay = unauthenticatedRequestsPerUserPerDay
        self.unauthenticatedIPsPerUser = unauthenticatedIPsPerUser
        self.webhooksPerUserPerDay = webhooksPerUserPerDay
        self.staticAssetsPerPageView = staticAssetsPerPageView
        self.healthChecksPerInstancePerSecond = healthChecksPerInstancePerSecond
        self.authenticatedMix = authenticatedMix
        self.unauthenticatedMix = unauthenticatedMix
        self.webhookEndpoint = webhookEndpoint
        self.healthEndpoint = healthEndpoint
        self.staticEndpoint = staticEndpoint
        self.refreshEndpoint = refreshEndpoint
        self.spike = spike
        self.retries = retries
    }

    /// Daily-active users.
    public var activeUsers: Int { Swift.max(1, Int(saturating: (Double(users) * dailyActiveFraction).rounded())) }
}

public struct TierModel: Sendable, Equatable {
    public var name: String
    public var userShare: Double
    public init(name: String, userShare: Double) { self.name = name; self.userShare = userShare }
}

public struct TrafficSpike: Sendable, Equatable {
    public var multiplier: Double
    public var start: Double
    public var duration: Double
    public init(multiplier: Double, start: Double, duration: Double) { self.multiplier = multiplier; self.start = start; self.duration = duration }
}

/// What a client does when a request fails (429, 5xx, timeout).
public struct RetryPolicy: Sendable, Equatable {
    public enum Backoff: String, Sendable, CaseIterable { case none, exponential, exponentialJitter }
    /// Retries after the first attempt (0: clients never retry).
    public var maxRetries: Int
    public var backoff: Backoff
    /// First retry delay (seconds); doubled each retry with exponential backoff.
    public var baseDelay: Double
    /// Whether clients honour a 429's Retry-After instead of the backoff.
    public var honourRetryAfter: Bool
    public init(maxRetries: Int, backoff: Backoff, baseDelay: Double, honourRetryAfter: Bool) {
        self.maxRetries = maxRetries; self.backoff = backoff; self.baseDelay = baseDelay; self.honourRetryAfter = honourRetryAfter
    }
}

// MARK: - Endpoints and their paths

/// One API route and the path a request to it follows through the components.
public struct EndpointModel: Sendable {
    public var name: String
    public var index: Int
    /// Whether the caller is a logged-in user (rate limited per user in phase 1+, JWT checked).
    public var authenticated: Bool
    /// Whether the global middleware (rate limiters, auth, Sentry) runs; false for static assets served by the CDN or origin directly.
    public var middleware: Bool
    /// Served by the CDN when it is enabled (static assets, thumbnails, public metadata).
    public var cdnCacheable: Bool
    /// Response size, for egress.
    public var responseBytes: Double
    /// Requested page size for list endpoints: drawn per request (before any cap).
    public var requestedLimit: Distribution?
    public var steps: [Step]

    public init(name: String, index: Int, authenticated: Bool, middleware: Bool, cdnCacheable: Bool,
                responseBytes: Double, requestedLimit: Distribution?, steps: [Step]) {
        self.name = name; self.index = index; self.authenticated = authenticated; self.middleware = middleware
        self.cdnCacheable = cdnCacheable; self.responseBytes = responseBytes; self.requestedLimit = requestedLimit; self.steps = steps
    }
}

/// A background job type run by workers (email send, AI scoring, analytics).
public struct JobModel: Sendable {
    public var name: String
    public var index: Int
    public var steps: [Step]
    public var maxAttempts: Int
    /// First retry delay; doubled each attempt (BullMQ exponential backoff).
    public var backoffBase: Double
    public init(name: String, index: Int, steps: [Step], maxAttempts: Int, backoffBase: Double) {
        self.name = name; self.index = index; self.steps = steps; self.maxAttempts = maxAttempts; self.backoffBase = backoffBase
    }
}

/// One thing a request (or job) does, in order.
public enum Step: Sendable, Equatable {
    /// CPU on the process's event loop (serialised with every other request in the process):
    /// a fixed part plus a part per row returned by the last query.
    case cpu(Distribution, perRow: Double)
    /// CPU on the libuv thread pool (bcrypt): does not block the event loop.
    case threadPool(Distribution)
    /// Redis commands in one round trip (pipelined).
    case redis(commands: Int)
    /// Look a key up in a cache; on a hit jump to the step after the matching `cacheFill`.
    case cacheLookup(cache: Int)
    /// Store the result in the cache (end of the miss path).
    case cacheFill(cache: Int)
    /// Invalidate the user's entry in a cache (after a plan or tier change).
    case cacheInvalidate(cache: Int)
    /// One database transaction of the given query class.
    case query(Int)
    /// A call to an external service (Mailgun, LLM) awaited by the request.
    case external(service: Int)
    /// Add a job to a BullMQ queue.
    case enqueue(job: Int)
    /// Add one job per `rowsPerJob` rows the last query returned, in one pipelined round trip
    /// (BullMQ's addBulk): a campaign's send fanned out to its recipients, a batch of up to
    /// `rowsPerJob` recipients per job (Mailgun's batch sending takes 1,000 per API call).
    case fanOut(job: Int, rowsPerJob: Int)
}

// MARK: - Components

public enum BalancingPolicy: String, Sendable, CaseIterable { case roundRobin, leastConnections, random }

public struct LoadBalancerModel: Sendable {
    public var policy: BalancingPolicy
    /// Added latency per request (proxy hop).
    public var latency: Double
    /// Whether instances failing `/ready` are skipped (phase 1+).
    public var readinessChecks: Bool
    public init(policy: BalancingPolicy, latency: Double, readinessChecks: Bool) { self.policy = policy; self.latency = latency; self.readinessChecks = readinessChecks }
}

/// How a component's capacity is chosen at each user count.
public enum ScalingRule: Sendable, Equatable {
    /// As many units as keep utilization at or under the target, within [min, max].
    case horizontal(targetUtilization: Double, min: Int, max: Int)
    /// The smallest size on the ladder that keeps utilization at or under the target (the largest if none).
    case vertical(targetUtilization: Double)
    /// Exactly this many.
    case fixed(Int)
}

public struct InstanceSize: Sendable, Equatable {
    public var name: String
    public var vcpu: Double
    public var memoryGB: Double
    public init(name: String, vcpu: Double, memoryGB: Double) { self.name = name; self.vcpu = vcpu; self.memoryGB = memoryGB }
}

public struct APIModel: Sendable {
    public var instance: InstanceSize
    /// Node processes per instance (cluster mode); each has one event loop.
    public var processesPerInstance: Int
    public var scaling: ScalingRule
    /// libuv thread pool size per process (UV_THREADPOOL_SIZE).
    public var threadPoolSize: Int
    /// Requests one process accepts at once; more are refused with 503.
    public var maxInFlightPerProcess: Int
    /// The client or proxy gives up after this long (counted as a timeout).
    public var requestTimeout: Double
    /// Fixed CPU per request for the framework (routing, body parsing, logging), before the endpoint's own steps.
    public var frameworkCPU: Distribution
    /// CPU a segment costs on top of its own when it wakes an idle event loop (the poll
    /// returning, the context switch back): paid by every segment at low load, by few when the
    /// loop is busy, so a request's CPU falls as load rises (the testbed measured it).
    public var loopWakeUpCPU: Double = 0
    /// The wake-up CPU as a curve of how long the loop was idle (`api.loopWakeUpCpuMs` given as
    /// `{cpuMs, idleMs}` points), replacing ``loopWakeUpCPU`` when it has points: waking after a
    /// few microseconds, with the caches warm and the thread barely descheduled, costs less than
    /// waking after a hundred milliseconds (the testbed: 1.05 ms of CPU a logout back to back,
    /// 1.83 ms after 125 ms idle, `Testbed/app/idle-cpu.js`), so a busy loop's short idles cost
    /// less than one figure for every idle would charge, and a quiet loop's long ones more.
    public var loopWakeUpCPUAfterIdle: WakeUpCurve = .none
    /// The share of `frameworkCPU` spent after the middleware's Redis round trips (the
    /// limiters' and session check's continuations, the response's serialization) rather than
    /// before the first (parsing, routing, JWT): a request's CPU is several segments on the
    /// loop, and work arriving meanwhile (a page view's static assets behind its API calls)
    /// runs between them. 0: all of it in the first segment.
    public var frameworkCPUShareAfterMiddleware: Double = 0
    /// Adding instances while the run goes (nil: capacity stays as sized before the run).
    public var autoscaling: AutoscalingModel?
    /// Largest page a list endpoint returns (`limit <= 100` in phase 1); nil: whatever the client asks.
    public var maxPageSize: Int?
    public init(instance: InstanceSize, processesPerInstance: Int, scaling: ScalingRule, threadPoolSize: Int,
                maxInFlightPerProcess: Int, requestTimeout: Double, frameworkCPU: Distribution, loopWakeUpCPU: Double = 0,
                maxPageSize: Int?, autoscaling: AutoscalingModel? = nil) {
        self.instance = instance; self.processesPerInstance = processesPerInstance; self.scaling = scaling
        self.threadPoolSize = threadPoolSize; self.maxInFlightPerProcess = maxInFlightPerProcess
        self.requestTimeout = requestTimeout; self.frameworkCPU = frameworkCPU; self.loopWakeUpCPU = loopWakeUpCPU
        self.maxPageSize = maxPageSize; self.autoscaling = autoscaling
    }
}

/// An express-rate-limit instance with the Redis store: fixed window per key starting at the key's first request.
public struct RateLimiterModel: Sendable {
    public enum Key: String, Sendable, CaseIterable { case ip, user }
    public enum Scope: String, Sendable, CaseIterable { case all, authenticated, unauthenticated }
    public var name: String
    public var key: Key
    public var window: Double
    /// Limit per window; per tier (in tier order) when `limitByTier` is set.
    public var limit: Int
    public var limitByTier: [Int]?
    public var scope: Scope
    /// Only these endpoints (empty: every endpoint in scope).
    public var endpoints: [Int]
    /// Endpoints never counted (webhooks).
    public var skip: [Int]
    public init(name: String, key: Key, window: Double, limit: Int, limitByTier: [Int]?, scope: Scope, endpoints: [Int], skip: [Int]) {
        self.name = name; self.key = key; self.window = window; self.limit = limit; self.limitByTier = limitByTier
        self.scope = scope; self.endpoints = endpoints; self.skip = skip
    }
}

public struct AuthModel: Sendable {
    /// JWT signature check CPU per authenticated request.
    public var jwtVerifyCPU: Distribution
    /// Redis session / blacklist check per authenticated request (phase 2+).
    public var sessionCheck: Bool
    /// Short-lived access tokens with refresh (phase 4): refresh calls every `accessTokenLifetime` per active session.
    public var tokenRotation: Bool
    public var accessTokenLifetime: Double
    /// Concurrent sessions per user (phase 4): one Redis check at login and refresh.
    public var maxSessionsPerUser: Int?
    public init(jwtVerifyCPU: Distribution, sessionCheck: Bool, tokenRotation: Bool, accessTokenLifetime: Double, maxSessionsPerUser: Int?) {
        self.jwtVerifyCPU = jwtVerifyCPU; self.sessionCheck = sessionCheck; self.tokenRotation = tokenRotation
        self.accessTokenLifetime = accessTokenLifetime; self.maxSessionsPerUser = maxSessionsPerUser
    }
}

public struct RedisModel: Sendable {
    public var instance: InstanceSize
    /// Time inside the server per simple command (GET/SET/INCR).
    public var commandTime: Distribution
    /// Time inside the server for the rate-limit script (INCR + PEXPIRE in one EVAL).
    public var scriptTime: Distribution
    /// Network round trip between an API process and Redis.
    public var roundTrip: Distribution
    /// The server's CPU per call besides the command: reading the request from its socket and
    /// writing the reply (most of a call's cost without pipelining).
    public var callCPU: Distribution = .deterministic(0)
    /// The server's extra CPU for a round trip that finds its thread idle (seconds): the poll
    /// returning and the switch back, which a busy server's calls share (`redis.wakeUpCpuUs`).
    public var wakeUpCPU: Double = 0
    /// maxmemory (bytes); allkeys-lru evicts beyond it.
    public var maxMemoryBytes: Double
    /// A small key (a rate limiter's counter) with Redis's per-key overhead.
    public var bytesPerKey: Double
    /// A queued BullMQ job (its data and options) and a session key.
    public var bytesPerJob: Double = 0
    public var bytesPerSession: Double = 0
    public var baseMemoryBytes: Double
    public init(instance: InstanceSize, commandTime: Distribution, scriptTime: Distribution, roundTrip: Distribution,
                maxMemoryBytes: Double, bytesPerKey: Double, baseMemoryBytes: Double) {
        self.instance = instance; self.commandTime = commandTime; self.scriptTime = scriptTime; self.roundTrip = roundTrip
        self.maxMemoryBytes = maxMemoryBytes; self.bytesPerKey = bytesPerKey; self.baseMemoryBytes = baseMemoryBytes
    }
}

/// A keyed cache with a TTL; one key per user. Hit rates emerge from traffic, TTL and invalidations.
public struct CacheModel: Sendable {
    public enum Location: String, Sendable, CaseIterable {
        /// In the Node process's memory: each process has its own copy.
        case process
        /// In Redis: shared by all processes, costs a round trip.
        case redis
    }
    public var name: String
    public var index: Int
    public var enabled: Bool
    public var location: Location
    public enum Key: String, Sendable, CaseIterable {
        /// One entry per user (dashboard stats, a user's channels).
        case user
        /// One entry for everyone (feature flags, a public list): a hot key.
        case global
    }
    public var ttl: Double
    /// Random extra TTL as a fraction of the TTL (jitter against synchronised expiry).
    public var ttlJitter: Double
    public var key: Key
    /// Concurrent misses of one key wait for a single fill instead of all going to the database.
    public var coalesceMisses: Bool
    /// Bytes an entry takes in Redis: its payload (the cached response or record) and the key
    /// with Redis's per-key overhead.
    public var entryBytes: Double = 0
    public init(name: String, index: Int, enabled: Bool, location: Location, ttl: Double, ttlJitter: Double,
                key: Key = .user, coalesceMisses: Bool = false) {
        self.name = name; self.index = index; self.enabled = enabled; self.location = location; self.ttl = ttl
        self.ttlJitter = ttlJitter; self.key = key; self.coalesceMisses = coalesceMisses
    }
}

/// Scaling API instances out during a run, as a platform autoscaler would.
public struct AutoscalingModel: Sendable, Equatable {
    /// How often utilization is checked.
    public var interval: Double
    /// Time from the decision until new instances take traffic (build, boot, health check).
    public var delay: Double
    public init(interval: Double, delay: Double) { self.interval = interval; self.delay = delay }
}

/// Failures and degradations injected into a run, with times in seconds from the start of the
/// measured window, so a time series shows the trigger and the recovery.
public struct FaultModel: Sendable {
    public enum FailMode: String, Sendable, CaseIterable {
        /// Let the request through as if the check passed.
        case open
        /// Reject the request (express-rate-limit's default without `passOnStoreError`: a 500).
        case closed
    }
    public struct Window: Sendable, Equatable {
        public var start: Double
        public var duration: Double
        public init(start: Double, duration: Double) { self.start = start; self.duration = duration }
        @inlinable public func contains(_ t: Double) -> Bool { t >= start && t < start + duration }
        public var end: Double { start + duration }
    }
    /// Redis unreachable: caches miss, queues cannot take jobs, limiters and session checks fail open or closed.
    public var redisOutage: Window?
    public var redisFailMode: FailMode = .open
    /// Time a Redis call takes to fail while Redis is down.
    public var redisFailureDelay: Double = 0.005
    /// All read replicas unavailable: their reads go to the primary.
    public var replicaLoss: Window?
    /// The primary accepts no transactions (failover): they wait for it to return.
    public var primaryFailover: Window?
    /// An external service slows down and fails more.
    public var degradedService: Int?
    public var degradation: Window?
    public var latencyMultiplier: Double = 1
    public var degradedFailureProbability: Double = 0
    public init() {}
}

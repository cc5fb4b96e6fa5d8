import Histogram
import SimulationEngine

/// The whole platform as one discrete-event model: traffic from the user population flows
/// through the load balancer, API processes, rate limiters, caches, pools, PgBouncer,
/// Postgres, queues, workers and external services, each a component with its own state.
///
/// Requests are integer ids into a reusable array of ``RequestState`` values. Each endpoint's
/// path is a list of ``Step``s, flattened into one table; a request remembers where it is and
/// the interpreter (`advance`) runs steps until one has to wait, then schedules the event that
/// resumes it. Dispatch is a `switch` on the event kind; nothing is allocated per event once
/// the arrays have grown to their working size.
public struct PlatformSimulation: SimulationModel {
    /// Event kinds (the engine's `Event.kind`).
    enum Kind {
        static let sessionArrival: Int32 = 0
        static let pageView: Int32 = 1
        static let unauthenticatedArrival: Int32 = 2
        static let webhookArrival: Int32 = 3
        static let healthArrival: Int32 = 4
        static let resume: Int32 = 5
        static let databaseArrival: Int32 = 6
        static let databaseCompletion: Int32 = 7
        static let poolDeadline: Int32 = 8
        static let bouncerDeadline: Int32 = 9
        static let jobAvailable: Int32 = 10
        static let clientRetry: Int32 = 11
        static let tick: Int32 = 12
        static let warmUpEnd: Int32 = 13
        static let autoscaleCheck: Int32 = 14
        static let instancesReady: Int32 = 15
        static let redisBack: Int32 = 16
    }

    /// Where a request is inside a database step.
    enum QueryPhase: UInt8 { case start = 0, poolConnected, serverConnected, inDatabase, returned }

    /// Step numbers before the path proper.
    enum Stage {
        /// Framework, JWT and APM CPU on the event loop.
        static let middlewareCPU: Int16 = -3
        /// Rate limiters and session check in Redis.
        static let middlewareRedis: Int16 = -2
        /// A worker fetching its job from Redis.
        static let jobFetch: Int16 = -1
    }

    struct RequestState {
        var path: Int32 = 0
        var step: Int16 = 0
        var phase: UInt8 = 0
        /// The ``ErrorKind`` raw value of the request's failure (0: none so far).
        var failure: UInt8 = 0
        var attempt: UInt8 = 0
        var isJob = false
        var user: Int32 = -1
        var ip: Int32 = 0
        var process: Int32 = 0
        var pool: Int32 = -1
        var bouncer: Int32 = -1
        var server: Int32 = -1
        var job: Int32 = -1
        var arrival = 0.0
        var rows: Float = 1
        var pageLimit: Float = 1
        var queryCPU = 0.0
        var queryIO = 0.0
        var retryAfter = 0.0
        /// The coalesced cache fill this request is doing for others (-1: none).
        var fillKey = -1
        /// Its record in `requestLog` (-1: not recorded).
        var logIndex: Int32 = -1
    }

    struct ProcessState {
        var loop: FCFSServer
        var threadPool: FCFSServerGroup
        var inFlight = 0
        var peakInFlight = 0
        var rejected = 0
        var inFlightOverTime: TimeAverage
        var completed = 0
        var responseTimes = Tally()
    }

    struct Bouncer {
        var cpu: FCFSServer
        var serverPool: ConnectionPool
        var clients = 0
        var refusedClients = 0
    }

    struct ExternalState {
        var windowStart = -Double.infinity
        var windowCount = 0
        var calls = 0
        var failures = 0
        var rateLimited = 0
        var timeouts = 0
        var latency = Tally()
    }

    struct CacheState {
        var tables: [ExpiryTable]
        var lookups = 0
        var hits = 0
        var fills = 0
        var invalidations = 0
        /// Misses that waited for another request's fill (request coalescing).
        var coalescedWaits = 0
        /// Lookups per key, to predict the TTL hit rate from the traffic actually seen.
        var keyLookups: [UInt32]
    }

    struct Job {
        var type: Int32
        var attempt: Int32
        var user: Int32
        var created: Double
        /// When this attempt entered the queue (after any backoff).
        var queued: Double
    }

    // MARK: Configuration
    public let model: PlatformModel
    public let plan: CapacityPlan
    public let settings: RunSettings
    /// Run span: [origin, end]; statistics from measureStart.
    public let origin: Double
    public let measureStart: Double
    public let end: Double

    // MARK: Traffic
    let users: UserPopulation
    var sessionRate: ArrivalRate
    var unauthenticatedRate: ArrivalRate
    var webhookRate: ArrivalRate
    let healthRate: Double
    let authMix: CategoricalDistribution
    let authEndpoints: [Int]
    let unauthMix: CategoricalDistribution?
    let unauthEndpoints: [Int]
    var sessionUser = ContiguousArray<Int32>()
    var sessionPagesLeft = ContiguousArray<Int32>()
    var sessionTokenExpiry = ContiguousArray<Double>()
    var freeSessions = ContiguousArray<Int32>()
    var lastWrite: ContiguousArray<Float>

    // MARK: Paths
    /// Paths, endpoints, caches and queries as plain values for the hot loop.
    let hot: CompiledPlatform
    let endpointPathCount: Int

    // MARK: Components
    var processes: ContiguousArray<ProcessState>
    /// API processes taking traffic now (autoscaling adds more, up to `workerBase`).
    var apiProcesses: Int
    /// Index of the first worker process (API processes are 0..<workerBase).
    let workerBase: Int
    var lastAutoscaleBusy = 0.0
    var instancesAdded = 0
    var pendingInstances = 0
    var roundRobin = 0
    var limiters: [RateLimiter]
    var redis: FCFSServer
    var redisCommands = 0
    var redisMemory: RedisMemory
    var evictionRNG: Xoshiro256StarStar
    /// Caches kept in Redis (candidates for eviction).
    let redisCaches: [Int]
    var caches: [CacheState]
    var pools: ContiguousArray<ConnectionPool>
    var bouncers: ContiguousArray<Bouncer>
    var servers: ContiguousArray<DatabaseServer>
    let replicasPerShard: Int
    var replicaCursor = 0
    var externals: [ExternalState]
    var cdnExpiry: ContiguousArray<Float>
    let cdnObjects: ZipfDistribution?
    var cdnHits = 0
    var cdnLookups = 0

    // MARK: Jobs
    var jobs = ContiguousArray<Job>()
    var freeJobs = ContiguousArray<Int32>()
    var jobQueue = RingBuffer<Int32>(capacity: 64)
    var workerActive: ContiguousArray<Int>
    var jobQueueLength: TimeAverage
    var jobEnqueued: [Int]
    var jobCompleted: [Int]
    var jobFailedAttempts: [Int]
    var jobDeadLettered: [Int]
    var jobLatency: [Histogram<UInt64>]

    // MARK: Requests
    var requests = ContiguousArray<RequestState>()
    var freeRequests = ContiguousArray<Int32>()
    var expired: [Int32] = []
    /// Coalesced fills under way: the requests waiting for each (with their hit and miss steps).
    var waitingForFill: [Int: [(request: Int32, hitStep: Int16, missStep: Int16)]] = [:]

    // MARK: Random streams
    var arrivalRNG: Xoshiro256StarStar
    var unauthenticatedRNG: Xoshiro256StarStar
    var webhookRNG: Xoshiro256StarStar
    var healthRNG: Xoshiro256StarStar
    var cdnRNG: Xoshiro256StarStar
    var balancerRNG: Xoshiro256StarStar
    var sessionRNG: Xoshiro256StarStar
    var serviceRNG: Xoshiro256StarStar
    var databaseRNG: Xoshiro256StarStar
    var externalRNG: Xoshiro256StarStar
    var networkRNG: Xoshiro256StarStar
    var retryRNG: Xoshiro256StarStar

    // MARK: Statistics
    /// Every request's arrival and outcome, when the caller asked for them (nil: not recorded).
    var requestLog: RequestLog?
    var measuring = false
    var latency: Histogram<UInt64>
    var endpointLatency: [Histogram<UInt64>]
    var endpointCount: [Int]
    var endpointErrors: [Int]
    var errors = ErrorCounts()
    var completedRequests = 0
    var originEgressBytes = 0.0
    var cdnEgressBytes = 0.0
    var tracedRequests = 0
    var emailsSent = 0
    var llmCalls = 0
    var tickLatency: Histogram<UInt64>
    /// Waits for the event loop, Redis, a pool connection, a PgBouncer server connection; time
    /// in the database beyond the query's own CPU; time a job waits for a worker.
    var loopWait: Histogram<UInt64>
    var redisWait: Histogram<UInt64>
    var poolWait: Histogram<UInt64>
    var bouncerWait: Histogram<UInt64>
    var primaryDelay: Histogram<UInt64>
    var replicaDelay: Histogram<UInt64>
    var jobWait: Histogram<UInt64>
    var workerBusy: TimeAverage
    var staleReadsAvoided = 0
    var replicaFallbacks = 0
    /// Fault windows in absolute simulated time.
    let redisOutage: FaultModel.Window?
    let replicaLoss: FaultModel.Window?
    let primaryFailover: FaultModel.Window?
    let degradation: FaultModel.Window?
    var tickCompleted = 0
    var tickErrors = 0
    var lastTickLoopBusy = 0.0
    var timeSeries: [TimeSeriesPoint] = []
    /// Buckets of the warm-up (times before 0), for the warm-up check.
    var warmUpSeries: [TimeSeriesPoint] = []

    /// Indices of the external services the cost model bills by use.
    let mailService: Int?
    let llmService: Int?
}

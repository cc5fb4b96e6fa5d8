import Histogram
import SimulationEngine

/// The whole platform as one discrete-event model: traffic from the user population flows
/// through the load balancer, API processes, rate limiters, caches, pools, PgBouncer,
/// Postgres, queues, workers and external services.
///
/// Each component is a type of its own (in `Components/`: ``APIProcess``, ``RateLimiter``,
/// ``RedisServer``, ``ResponseCache``, ``ConnectionPool``, ``PgBouncer``, ``DatabaseServer``,
/// ``StorageVolume``, ``BufferCache``, ``JobQueue``, ``ExternalService``, ``EdgeCache``,
/// ``SessionTable``); this type routes
/// requests between them. Requests are integer ids into a reusable array of
/// ``RequestState`` values. Each endpoint's path is a list of steps, flattened into one table
/// (``CompiledPlatform``); a request remembers where it is and the interpreter (`advance`) runs
/// steps until one has to wait, then schedules the event that resumes it. Dispatch is a
/// `switch` on ``EventKind``; nothing is allocated per event once the arrays have grown to
/// their working size.
///
/// The files of this type split it by concern: `+Setup` (building the platform and starting a
/// run), `+Traffic` (arrivals, page views, the edge and the load balancer), `+Middleware`
/// (framework CPU, rate limiters, session check), `+Steps` (the path interpreter),
/// `+Caches` (cache steps, coalescing, Redis memory and eviction), `+Database` (pool,
/// PgBouncer, server), `+Providers`, `+Jobs`, `+Completion` (failure, response, retries,
/// counting), `+Replay` (the traffic before the run), `+Results`.
public struct PlatformSimulation: SimulationModel {
    /// What an event does (the engine's `Event.kind`).
    enum EventKind: Int32 {
        case sessionArrival, pageView, unauthenticatedArrival, webhookArrival, healthArrival
        /// A request's next step can run.
        case resume
        case databaseArrival, databaseCompletion
        /// A volume finished a query's page reads or a commit's WAL flush (target: 2 x volume + side).
        case volumeCompletion
        case poolDeadline, bouncerDeadline
        /// A job (or its retry after the backoff) joins the queue.
        case jobAvailable
        case clientRetry
        /// A time-series bucket closes.
        case tick
        case warmUpEnd
        case autoscaleCheck, instancesReady
        /// A Redis outage ends: the workers fetch again.
        case redisBack
        /// A request from an API client (an integration, outside any session).
        case apiClientArrival
    }

    /// Where a request is before (or instead of) its endpoint's path.
    enum Stage: UInt8 {
        /// Framework, JWT and APM CPU on the event loop.
        case middlewareCPU
        /// Rate limiters and the session check in Redis.
        case middlewareRedis
        /// A worker fetching its job from Redis.
        case jobFetch
        /// The endpoint's (or job's) steps, at `step`.
        case path
    }

    /// Where a request is inside a database step: connecting, reading pages from the volume,
    /// on the server's cores, flushing the commit's WAL to the volume, back.
    enum QueryPhase: UInt8 { case start = 0, poolConnected, serverConnected, readingPages, inDatabase, flushingWAL, returned, answerRead }

    struct RequestState {
        var path: Int32 = 0
        var step: Int16 = 0
        var stage: Stage = .path
        var phase: QueryPhase = .start
        /// The ``ErrorKind`` raw value of the request's failure (0: none so far).
        var failure: UInt8 = 0
        var attempt: UInt8 = 0
        var isJob = false
        /// Whether the request opened a new connection (its handshakes count in its latency).
        var newConnection = false
        var user: Int32 = -1
        var ip: Int32 = 0
        var process: Int32 = 0
        var pool: Int32 = -1
        var bouncer: Int32 = -1
        var server: Int32 = -1
        var job: Int32 = -1
        var arrival = 0.0
        var rows: Float = 1
        /// Rows the last query touched (a fan-out adds one job per batch of them).
        var lastRows: Float = 0
        /// The framework's CPU left for after the middleware's round trips (seconds).
        var laterCPU: Float = 0
        /// What a job carries: a campaign batch's recipients (1 otherwise); an email call bills
        /// this many emails.
        var units: Float = 1
        var pageLimit: Float = 1
        var queryCPU = 0.0
        /// The query's page reads and WAL flush: seconds of work on the volume.
        var readWork: Float = 0
        var walWork: Float = 0
        var retryAfter = 0.0
        /// The coalesced cache fill this request is doing for others (-1: none).
        var fillKey = -1
        /// While waiting for another request's fill: the next waiter of that fill (-1: last),
        /// and the steps to go on at when it is filled or not.
        var nextWaiter: Int32 = -1
        var hitStep: Int16 = 0
        var missStep: Int16 = 0
        /// Its record in `requestLog` (-1: not recorded).
        var logIndex: Int32 = -1
    }

    // MARK: Configuration
    public let model: PlatformModel
    public let plan: CapacityPlan
    public let settings: RunSettings
    /// Run span: [origin, end]; statistics from measureStart.
    public let origin: Double
    public let measureStart: Double
    public let end: Double
    /// Paths, endpoints, caches, queries and the hot loop's parameters as plain values.
    let hot: CompiledPlatform
    let endpointPathCount: Int

    // MARK: Traffic
    let users: UserPopulation
    var sessionRate: ArrivalRate
    var unauthenticatedRate: ArrivalRate
    var webhookRate: ArrivalRate
    var apiClientRate: ArrivalRate
    let healthRate: Double
    let authMix: CategoricalDistribution
    let authEndpoints: [Int]
    let unauthMix: CategoricalDistribution?
    let unauthEndpoints: [Int]
    var sessions = SessionTable()
    /// Time of each user's last write (seconds since the origin), for read-your-writes.
    var lastWrite: ContiguousArray<Float>

    // MARK: Components
    var processes: ContiguousArray<APIProcess>
    /// API processes taking traffic now (autoscaling adds more, up to `workerBase`).
    var apiProcesses: Int
    /// Index of the first worker process (API processes are 0..<workerBase).
    let workerBase: Int
    var balancer: LoadBalancer
    var autoscaler: Autoscaler?
    var limiters: [RateLimiter]
    var redis: RedisServer
    /// A load generator's event loop on the first primary's host (the testbed's replayer): it
    /// spends part of its CPU per request sending, the rest receiving the response, one piece
    /// at a time; the latency it records runs from the start of the send to the end of the
    /// receipt (`database.postgres.colocated`).
    var loadGeneratorLoop: FCFSServer
    var evictionRNG: Xoshiro256StarStar
    /// Caches kept in Redis (candidates for eviction).
    let redisCaches: [Int]
    var caches: [ResponseCache]
    /// Coalesced fills under way: the first and last request waiting for each.
    var fillWaiters: [Int: (first: Int32, last: Int32)] = [:]
    var pools: ContiguousArray<ConnectionPool>
    var bouncers: ContiguousArray<PgBouncer>
    var servers: ContiguousArray<DatabaseServer>
    /// The volume under each server (same index as `servers`).
    var volumes: ContiguousArray<StorageVolume>
    /// What the servers' RAM caches: [0] for the primaries, [1 + r] for replica r of each shard.
    var bufferCaches: [BufferCache]
    /// The analytic storage figures the caches and volumes were set up from (per primary, per replica).
    let primaryStorage: StorageDemand
    let replicaStorage: StorageDemand?
    let replicasPerShard: Int
    var replicaCursor = 0
    var externals: [ExternalService]
    var cdn: EdgeCache?
    /// The clients' network (latency as the user sees it).
    let network: ClientNetwork
    var jobs: JobQueue

    // MARK: Requests
    var requests = ContiguousArray<RequestState>()
    var freeRequests = ContiguousArray<Int32>()
    var expired: [Int32] = []

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
    var apiClientRNG: Xoshiro256StarStar
    var connectionRNG: Xoshiro256StarStar

    // MARK: Statistics
    /// Every request's arrival and outcome, when the caller asked for them (nil: not recorded).
    var requestLog: RequestLog?
    var measuring = false
    /// An empty histogram of the layout the endpoints' share (``windowLatency()`` adds them into it).
    var latency: Histogram<UInt64>
    var endpointLatency: [Histogram<UInt64>]
    var endpointCount: [Int]
    var endpointErrors: [Int]
    var errors = ErrorCounts()
    var completedRequests = 0
    var originEgressBytes = 0.0
    var cdnEgressBytes = 0.0
    var tracedRequests = 0
    /// Emails sent in the window (a batch call counts its recipients).
    var emailsSent = 0.0
    var llmCalls = 0
    var tickLatency: Histogram<UInt64>
    /// Responses not yet added to `tickLatency`, `endpointLatency` and `bucketEndpointLatency`.
    var pendingLatencies: ContiguousArray<PendingLatency> = []
    /// Waits for the event loop, Redis, a pool connection, a PgBouncer server connection; time
    /// in the database beyond the query's own CPU; time a job waits for a worker.
    var loopWait: Histogram<UInt64>
    var redisWait: Histogram<UInt64>
    var poolWait: Histogram<UInt64>
    var bouncerWait: Histogram<UInt64>
    var primaryDelay: Histogram<UInt64>
    /// Time a volume request waited beyond its unloaded time (page reads and WAL flushes).
    var volumeDelay: Histogram<UInt64>
    var replicaDelay: Histogram<UInt64>
    var jobWait: Histogram<UInt64>
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
    var lastTickDatabaseArea = 0.0
    /// Each endpoint's responses in the current measured bucket, and the counters the other
    /// per-component series are taken from (see ``BucketSeries``).
    var bucketEndpointLatency: [Histogram<UInt64>] = []
    var bucketBaselines = BucketBaselines()
    var bucketSeries: [BucketSeries] = []
    var timeSeries: [TimeSeriesPoint] = []
    /// Buckets of the warm-up (times before 0), for the warm-up check.
    var warmUpSeries: [TimeSeriesPoint] = []

    /// Indices of the external services the cost model bills by use.
    let mailService: Int?
    let llmService: Int?
}

extension PlatformSimulation {
    /// Schedules an event of this simulation.
    @inline(__always)
    static func schedule(_ kind: EventKind, at time: Double, entity: Int32 = 0, in sim: inout Simulator) {
        sim.schedule(at: time, kind: kind.rawValue, entity: entity)
    }

    /// Schedules the next arrival of a stream if it falls inside the run.
    @inline(__always)
    static func schedule(_ kind: EventKind, at time: Double, before end: Double, in sim: inout Simulator) {
        if time <= end { sim.schedule(at: time, kind: kind.rawValue) }
    }

    @inline(__always)
    static func record(_ seconds: Double, in histogram: inout Histogram<UInt64>) {
        _ = histogram.record(UInt64(saturating: (seconds * 1e6).rounded()))
    }
}

import SimulationEngine

/// The parts of the model the hot loop reads, flattened into plain values and integer ids.
///
/// Endpoint and query records in ``PlatformModel`` hold strings and arrays; copying one in the
/// loop costs reference counting. Here each is reduced to trivially copyable fields, and every
/// distribution the paths sample lives once in `distributions`, named by index.
struct CompiledPlatform {
    enum StepKind: UInt8 { case cpu, threadPool, redis, cacheLookup, cacheFill, cacheInvalidate, query, external, enqueue, fanOut }

    struct CompiledStep {
        var kind: StepKind
        /// Cache, query, service or job index; Redis command count.
        var argument: Int32
        /// Index into `distributions` (CPU steps), or -1.
        var distribution: Int32
        /// CPU per row returned by the last query (seconds); for a fan-out, rows per job.
        var perRow: Double
        /// For a cache lookup: the step to jump to on a hit.
        var jump: Int16
    }

    struct EndpointInfo {
        var authenticated: Bool
        var middleware: Bool
        var cdnCacheable: Bool
        /// Whether a person's client sends it (webhooks and health probes come from machines
        /// next to the origin: no client network time).
        var clientFacing: Bool
        var responseBytes: Double
        /// Index into `distributions` of the requested page size, or -1.
        var requestedLimit: Int32
    }

    /// The scalar parameters and distributions the hot loop reads, copied out of the model's
    /// records (which hold strings and arrays) into plain values; distributions are indexes
    /// into `distributions`.
    struct Parameters {
        // Traffic
        var apiCallsPerPageView = 0
        var staticAssetsPerPageView = 0.0
        var pollingCallsPerPageView = 0.0
        var pollingEndpoint = 0
        var pageViewsPerSession = 0.0
        var thinkTime: Int32 = -1
        var refreshEndpoint = 0
        var staticEndpoint = 0
        var webhookEndpoint = 0
        var healthEndpoint = 0
        var tokenRotation = false
        var accessTokenLifetime = 0.0
        var retries = RetryPolicy(maxRetries: 0, backoff: .none, baseDelay: 0, honourRetryAfter: false)
        // The edge and the API
        var loadBalancerLatency = 0.0
        /// Whether every request reaches the origin through the CDN's edge (Cloudflare in front).
        var proxiedByEdge = false
        var maxInFlightPerProcess = 0
        var requestTimeout = 0.0
        var maxPageSize: Double? = nil
        var processesPerInstance = 1
        var frameworkCPU: Int32 = -1
        var jwtVerifyCPU: Int32 = -1
        var sessionCheck = false
        var sentry = false
        var tracesSampleRate = 0.0
        var cpuPerTracedRequest: Int32 = -1
        var loopWakeUpCPU = 0.0
        /// Whether ``CompiledPlatform/loopWakeUpCPUAfterIdle`` has points (it then replaces
        /// `loopWakeUpCPU`): the hot path tests this flag rather than touching the curve's
        /// arrays per segment (as `wakesLate` does for `idleWakeUp`).
        var loopWakesByIdle = false
        /// The share of the framework's CPU run after the middleware's round trips (``APIModel/frameworkCPUShareAfterMiddleware``).
        var frameworkShareAfter = 0.0
        // Faults
        var redisFailsClosed = false
        var redisFailureDelay = 0.0
        var degradedService: Int? = nil
        var latencyMultiplier = 1.0
        var degradedFailureProbability = 0.0
        // Workers and jobs
        var redisCommandsToAdd = 0
        var redisCommandsToFetch = 0
        var redisCommandsToComplete = 0
        // The database path
        var pgbouncerEnabled = false
        var connectTime: Int32 = -1
        var connectTimeViaPgBouncer: Int32 = -1
        var clientCPUPerQuery: Int32 = -1
        /// The app's loop reads each answer before its connection moves on (``ConnectionPoolModel/answersReadOnEventLoop``).
        var answersReadOnEventLoop = false
        var bouncerCPUPerStatement: Int32 = -1
        var bouncerHopLatency = 0.0
        /// PgBouncer's extra CPU per round trip when a transaction finds its thread idle.
        var bouncerWakeUpCPU = 0.0
        /// Postgres's CPU per round trip that finds the cores idle (``PostgresModel/wakeUpCPU``).
        var databaseWakeUpCPU = 0.0
        var databaseRoundTrip = 0.0
        var readYourWritesWindow = 0.0
        // The volumes (every server's alike): an I/O's unloaded time, and I/O units per random
        // page and per page read sequentially.
        var volumeLatency = 0.0
        var volumeUnitsPerPage = 1.0
        var volumeUnitsPerSequentialPage = 1.0
        /// A measured commit's WAL flush (-1: a write I/O on the volume instead).
        var walFlush: Int32 = -1
        /// Work on the primaries' cores besides Postgres (PostgresModel.colocated): Redis's
        /// thread and PgBouncer's, and a load generator's CPU per request (-1: none).
        var colocatedRedis = false
        var colocatedBouncer = false
        var loadGeneratorCPU: Int32 = -1
        var loadGeneratorSendShare = 0.5
        /// The load generator's extra CPU for a send or receipt that finds its loop idle.
        var loadGeneratorWakeUpCPU = 0.0
        /// The mean CPU of a send (its share of the mean per request).
        var loadGeneratorSendMean = 0.0
        /// Whether ``CompiledPlatform/idleWakeUp`` has a table: the hot path tests this flag
        /// before it touches the table's arrays (no reference counting when cores wake at once).
        var wakesLate = false
    }

    /// A query class with the plan the planner picks for this model's indexes already applied.
    struct QueryInfo {
        var statements: Int32
        var statementCPU: Int32
        var write: Bool
        var replicaEligible: Bool
        var rowsKind: RowCount
        var scale: Double
        var rowsPerUser: Double
        var tableRows: Double
        /// CPU seconds per row touched, for the chosen access path.
        var cpuPerRow: Double
        /// Pages read per row touched (1 for heap access, rows per page for a scan, for an
        /// index-only scan the share of rows fetched from the heap).
        var pagesPerRow: Double
        /// An index-only scan's share of rows fetched from the heap (0 for other access paths).
        var heapFetchShare = 0.0
        var table: Int32
        /// Reads the whole table (its pages are cold: no user's item holds them), and whether in
        /// sequential I/Os (a sequential scan) or page by page.
        var scansTable: Bool
        var sequentialIO: Bool
    }

    var distributions = ContiguousArray<Distribution>()
    var steps = ContiguousArray<CompiledStep>()
    var pathStart = ContiguousArray<Int32>()
    var pathEnd = ContiguousArray<Int32>()
    var endpoints = ContiguousArray<EndpointInfo>()
    var queries = ContiguousArray<QueryInfo>()
    var parameters = Parameters()
    /// Per job type: attempts before the dead-letter queue, and the first retry's backoff.
    var jobMaxAttempts = ContiguousArray<Int>()
    var jobBackoffBase = ContiguousArray<Double>()
    /// The delay a core idle for a while adds to the work that wakes it (``IdleWakeUpModel``).
    /// Kept out of ``Parameters`` so that the parameters hold no reference: the hot loop copies
    /// them (`let p = hot.parameters`) without retaining and releasing six arrays each time.
    var idleWakeUp = IdleWakeUpModel.none
    /// The event loop's wake-up CPU by idle time (``APIModel/loopWakeUpCPUAfterIdle``), kept
    /// out of ``Parameters`` for the same reason.
    var loopWakeUpCPUAfterIdle = WakeUpCurve.none

    init(model: PlatformModel, shards: Int, volume: VolumeSpec) {
        func distribution(_ d: Distribution) -> Int32 {
            distributions.append(d)
            return Int32(distributions.count - 1)
        }
        for path in model.endpoints.map(\.steps) + model.jobs.map(\.steps) {
            pathStart.append(Int32(steps.count))
            for (i, s) in path.enumerated() {
                var c = CompiledStep(kind: .cpu, argument: 0, distribution: -1, perRow: 0, jump: Int16(i + 1))
                switch s {
                case .cpu(let d, let perRow): c.distribution = distribution(d); c.perRow = perRow
                case .threadPool(let d): c.kind = .threadPool; c.distribution = distribution(d)
                case .redis(let n): c.kind = .redis; c.argument = Int32(n)
                case .cacheLookup(let cache):
                    c.kind = .cacheLookup; c.argument = Int32(cache)
                    if let fill = path[(i + 1)...].firstIndex(of: .cacheFill(cache: cache)) { c.jump = Int16(fill + 1) }
                case .cacheFill(let cache): c.kind = .cacheFill; c.argument = Int32(cache)
                case .cacheInvalidate(let cache): c.kind = .cacheInvalidate; c.argument = Int32(cache)
                case .query(let q): c.kind = .query; c.argument = Int32(q)
                case .external(let s): c.kind = .external; c.argument = Int32(s)
                case .enqueue(let j): c.kind = .enqueue; c.argument = Int32(j)
                case .fanOut(let j, let per): c.kind = .fanOut; c.argument = Int32(j); c.perRow = Double(per)
                }
                steps.append(c)
            }
            pathEnd.append(Int32(steps.count))
        }
        for e in model.endpoints {
            let machine = e.index == model.traffic.webhookEndpoint || e.index == model.traffic.healthEndpoint
            endpoints.append(EndpointInfo(authenticated: e.authenticated, middleware: e.middleware, cdnCacheable: e.cdnCacheable && model.cdn.enabled,
                                          clientFacing: !machine,
                                          responseBytes: e.responseBytes, requestedLimit: e.requestedLimit.map(distribution) ?? -1))
        }
        let db = model.database
        let pg = db.postgres
        for q in db.queries {
            let plan = q.plan(indexes: db.indexes)
            let table = db.tables[q.table]
            let cpuPerRow: Double, pages: Double
            var heapFetchShare = 0.0
            switch plan.access {
            case .sequential: cpuPerRow = pg.sequentialRowCPU; pages = table.rowBytes / StorageDemand.pageBytes
            case .heap: cpuPerRow = pg.heapRowCPU; pages = 1
            case .indexOnly:
                (cpuPerRow, pages) = model.indexOnlyRowCost(table: q.table, shards: shards)
                heapFetchShare = pages
            }
            queries.append(QueryInfo(
                statements: Int32(q.statements), statementCPU: distribution(q.statementCPU), write: q.write,
                replicaEligible: q.replicaEligible, rowsKind: plan.rows, scale: plan.scale, rowsPerUser: table.rowsPerUser,
                tableRows: table.rowsPerUser * Double(model.traffic.users) / Double(shards),
                cpuPerRow: cpuPerRow, pagesPerRow: pages, heapFetchShare: heapFetchShare, table: Int32(q.table),
                scansTable: plan.access == .sequential || plan.rows == .tableRows, sequentialIO: plan.access == .sequential))
        }
        let t = model.traffic
        var p = Parameters()
        p.apiCallsPerPageView = t.apiCallsPerPageView
        p.staticAssetsPerPageView = t.staticAssetsPerPageView
        p.pollingCallsPerPageView = t.pollingCallsPerPageView
        p.pollingEndpoint = t.pollingEndpoint
        p.pageViewsPerSession = t.pageViewsPerSession
        p.thinkTime = distribution(t.thinkTime)
        p.refreshEndpoint = t.refreshEndpoint
        p.staticEndpoint = t.staticEndpoint
        p.webhookEndpoint = t.webhookEndpoint
        p.healthEndpoint = t.healthEndpoint
        p.tokenRotation = model.auth.tokenRotation
        p.accessTokenLifetime = model.auth.accessTokenLifetime
        p.retries = t.retries
        p.loadBalancerLatency = model.loadBalancer.latency
        p.proxiedByEdge = model.cdn.enabled && model.cdn.proxiesAllTraffic
        p.maxInFlightPerProcess = model.api.maxInFlightPerProcess
        p.requestTimeout = model.api.requestTimeout
        p.maxPageSize = model.api.maxPageSize.map(Double.init)
        p.processesPerInstance = model.api.processesPerInstance
        p.frameworkCPU = distribution(model.api.frameworkCPU)
        p.jwtVerifyCPU = distribution(model.auth.jwtVerifyCPU)
        p.sessionCheck = model.auth.sessionCheck
        p.sentry = model.monitoring.sentry
        p.tracesSampleRate = model.monitoring.tracesSampleRate
        p.cpuPerTracedRequest = distribution(model.monitoring.cpuPerTracedRequest)
        p.loopWakeUpCPU = model.api.loopWakeUpCPU
        p.loopWakesByIdle = model.api.loopWakeUpCPUAfterIdle.isOn
        p.frameworkShareAfter = model.api.frameworkCPUShareAfterMiddleware
        p.redisFailsClosed = model.faults.redisFailMode == .closed
        p.redisFailureDelay = model.faults.redisFailureDelay
        p.degradedService = model.faults.degradedService
        p.latencyMultiplier = model.faults.latencyMultiplier
        p.degradedFailureProbability = model.faults.degradedFailureProbability
        p.redisCommandsToAdd = model.workers.redisCommandsToAdd
        p.redisCommandsToFetch = model.workers.redisCommandsToFetch
        p.redisCommandsToComplete = model.workers.redisCommandsToComplete
        p.pgbouncerEnabled = db.pgbouncer.enabled
        p.connectTime = distribution(db.pool.connectTime)
        p.connectTimeViaPgBouncer = distribution(db.pool.connectTimeViaPgBouncer)
        p.clientCPUPerQuery = distribution(db.pool.clientCPUPerQuery)
        p.answersReadOnEventLoop = db.pool.answersReadOnEventLoop
        p.bouncerCPUPerStatement = distribution(db.pgbouncer.cpuPerStatement)
        p.bouncerHopLatency = db.pgbouncer.hopLatency
        p.bouncerWakeUpCPU = db.pgbouncer.wakeUpCPU
        p.databaseRoundTrip = pg.networkRoundTrip
        p.databaseWakeUpCPU = pg.wakeUpCPU
        p.readYourWritesWindow = db.replicas.readYourWritesWindow
        p.volumeLatency = volume.ioLatency
        p.volumeUnitsPerPage = volume.unitsPerPage
        p.volumeUnitsPerSequentialPage = StorageDemand.pageBytes * volume.unitsPerSequentialByte
        if let w = pg.walFlush { p.walFlush = distribution(w) }
        p.colocatedRedis = pg.colocated.redis
        p.colocatedBouncer = pg.colocated.pgbouncer && db.pgbouncer.enabled
        if let g = pg.colocated.loadGeneratorCPUPerRequest {
            p.loadGeneratorCPU = distribution(g)
            p.loadGeneratorSendShare = pg.colocated.loadGeneratorSendShare
            p.loadGeneratorWakeUpCPU = pg.colocated.loadGeneratorWakeUpCPU
            p.loadGeneratorSendMean = g.mean * pg.colocated.loadGeneratorSendShare
        }
        p.wakesLate = model.idleWakeUp.isOn
        parameters = p
        idleWakeUp = model.idleWakeUp
        loopWakeUpCPUAfterIdle = model.api.loopWakeUpCPUAfterIdle
        jobMaxAttempts = ContiguousArray(model.jobs.map(\.maxAttempts))
        jobBackoffBase = ContiguousArray(model.jobs.map(\.backoffBase))
    }

    /// Samples the distribution at `index`.
    @inline(__always)
    func sample(_ index: Int32, _ rng: inout Xoshiro256StarStar) -> Double { distributions[Int(index)].sample(&rng) }

    /// Rows a query touches for a user of this weight asking for this page size.
    @inline(__always)
    func rows(_ q: QueryInfo, userWeight: Double, page: Double) -> Double {
        q.scale * q.rowsKind.count(userRows: q.rowsPerUser * userWeight, page: page, tableRows: q.tableRows)
    }
}

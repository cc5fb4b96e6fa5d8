import SimulationEngine

/// The data tier: the app-side pool, PgBouncer, the Postgres primary, replicas and shards,
/// the tables with their growth and the query classes with their access paths.
public struct DatabaseModel: Sendable {
    public var pool: ConnectionPoolModel
    public var pgbouncer: PgBouncerModel
    public var postgres: PostgresModel
    public var replicas: ReplicaModel
    /// How many Postgres clusters the users are spread over by user-id hash.
    public var sharding: ShardingRule
    /// The volume under every server (primary, replica, shard).
    public var storage: StorageModel
    public var tables: [TableModel]
    public var indexes: [IndexModel]
    public var queries: [QueryModel]
    public init(pool: ConnectionPoolModel, pgbouncer: PgBouncerModel, postgres: PostgresModel, replicas: ReplicaModel,
                sharding: ShardingRule, storage: StorageModel, tables: [TableModel], indexes: [IndexModel], queries: [QueryModel]) {
        self.pool = pool; self.pgbouncer = pgbouncer; self.postgres = postgres; self.replicas = replicas
        self.sharding = sharding; self.storage = storage; self.tables = tables; self.indexes = indexes; self.queries = queries
    }

    /// Bytes of data per user of average activity: every table's rows with their overhead.
    public var bytesPerUser: Double {
        tables.reduce(0.0) { $0 + $1.rowsPerUser * ($1.rowBytes + postgres.storagePerRowOverheadBytes) }
    }
}

/// Prisma's connection pool, one per API process (and per worker process).
public struct ConnectionPoolModel: Sendable {
    /// `connection_limit`; when nil, Prisma's default `2 x CPUs + 1` with the CPUs the host reports.
    public var connectionLimit: Int?
    /// CPUs the container sees (Railway hosts report many more than the service's vCPU).
    public var hostReportedCPUs: Int
    /// `pool_timeout`: a request waiting longer for a connection fails with P2024.
    public var poolTimeout: Double
    /// Time to open a new connection (direct to Postgres).
    public var connectTime: Distribution
    /// Time to open a connection to PgBouncer instead.
    public var connectTimeViaPgBouncer: Distribution
    /// Prisma client CPU per query on the event loop (query building, result mapping).
    public var clientCPUPerQuery: Distribution
    /// Whether the process's event loop reads each answer before the connection moves on: the
    /// next statement of a transaction is sent, and the connection goes back to the pool, only
    /// once the loop has run the answer's callback (node-pg, and Prisma 7's driver adapters on
    /// it), so a busy loop holds connections longer. False: the pool's owner reads answers on
    /// threads of its own (Prisma 6's Rust query engine) and returns the connection itself.
    public var answersReadOnEventLoop: Bool
    public init(connectionLimit: Int?, hostReportedCPUs: Int, poolTimeout: Double, connectTime: Distribution,
                connectTimeViaPgBouncer: Distribution, clientCPUPerQuery: Distribution, answersReadOnEventLoop: Bool = false) {
        self.connectionLimit = connectionLimit; self.hostReportedCPUs = hostReportedCPUs; self.poolTimeout = poolTimeout
        self.connectTime = connectTime; self.connectTimeViaPgBouncer = connectTimeViaPgBouncer; self.clientCPUPerQuery = clientCPUPerQuery
        self.answersReadOnEventLoop = answersReadOnEventLoop
    }
    /// The effective limit per process.
    public var effectiveLimit: Int { connectionLimit ?? (2 * hostReportedCPUs + 1) }
}

public struct PgBouncerModel: Sendable {
    public var enabled: Bool
    /// Single-threaded processes (each with its own pools).
    public var processes: Int
    public var maxClientConnections: Int
    /// Server connections per process pool (`default_pool_size`).
    public var defaultPoolSize: Int
    /// A client waiting longer than this for a server connection gets an error.
    public var queryWaitTimeout: Double
    /// PgBouncer CPU per statement (single thread).
    public var cpuPerStatement: Distribution
    /// Network hop added per statement.
    public var hopLatency: Double
    public var instance: InstanceSize
    /// Extra CPU for a transaction that finds the process's thread idle (seconds): its poll
    /// returning and the switch back (`database.pgbouncer.wakeUpCpuUs`).
    public var wakeUpCPU: Double = 0
    public init(enabled: Bool, processes: Int, maxClientConnections: Int, defaultPoolSize: Int, queryWaitTimeout: Double,
                cpuPerStatement: Distribution, hopLatency: Double, instance: InstanceSize) {
        self.enabled = enabled; self.processes = processes; self.maxClientConnections = maxClientConnections
        self.defaultPoolSize = defaultPoolSize; self.queryWaitTimeout = queryWaitTimeout; self.cpuPerStatement = cpuPerStatement
        self.hopLatency = hopLatency; self.instance = instance
    }
}

public struct PostgresModel: Sendable {
    /// Sizes in increasing order; vertical scaling picks along it.
    public var ladder: [InstanceSize]
    public var scaling: ScalingRule
    public var maxConnections: Int
    public var memoryPerConnectionBytes: Double
    /// What caches data pages in the server's RAM (shared_buffers and the OS page cache).
    public var bufferCache: BufferCacheModel
    /// Network round trip between the app (or PgBouncer) and Postgres, per statement.
    public var networkRoundTrip: Double
    /// CPU per row by access path.
    public var sequentialRowCPU: Double
    public var heapRowCPU: Double
    public var indexOnlyRowCPU: Double
    /// Universal Scalability Law fitted to measured throughput against active connections.
    public var usl: USLModel
    public var storagePerRowOverheadBytes: Double
    /// A commit's WAL flush as measured on a real server (the testbed's), when given: the commit
    /// then waits this long instead of queuing one write I/O on the volume (nil: the volume's
    /// write, at its class's latency and within its IOPS). A measured flush already holds what
    /// the disk does with concurrent commits (group commit), which the volume's IOPS would not.
    public var walFlush: Distribution?
    /// Extra CPU per round trip that reaches the server with its cores idle (`wakeUpCpuMs`,
    /// ``DatabaseServer/coresIdle``): the sleeping backend scheduled onto a core coming out of
    /// idle, whose caches others' work has not kept warm. A round trip among others' work finds
    /// the cores running and pays none.
    public var wakeUpCPU: Double = 0
    /// Other work on the (first) primary's cores: none on a managed database.
    public var colocated = ColocatedWork()
    /// Autovacuum's thresholds, for the share of index-only scans' rows fetched from the heap
    /// (nil: every page all-visible, index-only scans never touch the heap).
    public var autovacuum: AutovacuumModel?
    public init(ladder: [InstanceSize], scaling: ScalingRule, maxConnections: Int, memoryPerConnectionBytes: Double,
                bufferCache: BufferCacheModel, networkRoundTrip: Double, sequentialRowCPU: Double, heapRowCPU: Double,
                indexOnlyRowCPU: Double, usl: USLModel, storagePerRowOverheadBytes: Double, walFlush: Distribution? = nil) {
        self.ladder = ladder; self.scaling = scaling; self.maxConnections = maxConnections
        self.memoryPerConnectionBytes = memoryPerConnectionBytes; self.bufferCache = bufferCache
        self.networkRoundTrip = networkRoundTrip; self.sequentialRowCPU = sequentialRowCPU; self.heapRowCPU = heapRowCPU
        self.indexOnlyRowCPU = indexOnlyRowCPU; self.usl = usl; self.storagePerRowOverheadBytes = storagePerRowOverheadBytes
        self.walFlush = walFlush
    }
}

/// Work that runs on the database host's cores besides Postgres (a small self-hosted setup,
/// or the testbed, where Redis, PgBouncer and the load generator share Postgres's core). Each
/// piece is a customer of the cores' processor sharing like a query (it slows the queries) and
/// is slowed by them in turn (a Redis or PgBouncer call takes longer by the sharing it finds).
public struct ColocatedWork: Sendable, Equatable {
    /// Redis's thread runs on the first primary's cores.
    public var redis = false
    /// Each PgBouncer process runs on its shard primary's cores.
    public var pgbouncer = false
    /// A load generator on the first primary's host: its CPU per request it sends (nil: none).
    public var loadGeneratorCPUPerRequest: Distribution?
    /// The share of that CPU spent sending the request (the rest receiving the response).
    public var loadGeneratorSendShare: Double
    /// The load generator's extra CPU for a send or a receipt that finds its event loop idle
    /// (seconds; `loadGeneratorWakeUpCpuMs`), as an API process's `loopWakeUpCPU`.
    public var loadGeneratorWakeUpCPU: Double = 0
    public init(redis: Bool = false, pgbouncer: Bool = false, loadGeneratorCPUPerRequest: Distribution? = nil,
                loadGeneratorSendShare: Double = 0.5) {
        self.redis = redis; self.pgbouncer = pgbouncer; self.loadGeneratorCPUPerRequest = loadGeneratorCPUPerRequest
        self.loadGeneratorSendShare = loadGeneratorSendShare
    }
    /// Whether anything shares the cores.
    public var any: Bool { redis || pgbouncer || loadGeneratorCPUPerRequest != nil }
}

/// X(N) = N / (1 + alpha (N - 1) + beta N (N - 1)), fitted on a machine with `measuredVCPU` cores.
public struct USLModel: Sendable, Equatable {
    public var alpha: Double
    public var beta: Double
    public var measuredVCPU: Double
    public init(alpha: Double, beta: Double, measuredVCPU: Double) { self.alpha = alpha; self.beta = beta; self.measuredVCPU = measuredVCPU }

    public func relativeThroughput(_ n: Double) -> Double { n / (1 + alpha * (n - 1) + beta * n * (n - 1)) }
    /// Concurrency of peak throughput: sqrt((1 - alpha) / beta).
    public var peakConcurrency: Double { beta > 0 ? ((1 - alpha) / beta).squareRoot() : .infinity }

    /// Capacity (in cores) of `cores` cores with `n` active backends: each backend uses at most
    /// one core; up to the measured optimum (scaled to the core count) the cores are fully
    /// usable, past it throughput falls as the fitted curve does.
    public func capacity(activeBackends n: Int, cores: Double) -> Double {
        guard n > 0 else { return 0 }
        let ideal = Swift.min(Double(n), cores)
        let scaled = Double(n) * measuredVCPU / cores
        let peak = peakConcurrency
        guard scaled > peak else { return ideal }
        return ideal * relativeThroughput(scaled) / relativeThroughput(peak)
    }
}

public struct ReplicaModel: Sendable {
    public var enabled: Bool
    public var scaling: ScalingRule
    /// Replication lag: a read of the user's own recent write goes to the primary.
    public var lag: Distribution
    /// After a user writes, their reads go to the primary for this long (read-your-writes).
    public var readYourWritesWindow: Double
    public init(enabled: Bool, scaling: ScalingRule, lag: Distribution, readYourWritesWindow: Double) {
        self.enabled = enabled; self.scaling = scaling; self.lag = lag; self.readYourWritesWindow = readYourWritesWindow
    }
}

public struct TableModel: Sendable, Equatable {
    public var name: String
    /// Rows per user (scaled by the user's activity weight).
    public var rowsPerUser: Double
    public var rowBytes: Double
    public init(name: String, rowsPerUser: Double, rowBytes: Double) { self.name = name; self.rowsPerUser = rowsPerUser; self.rowBytes = rowBytes }
}

public struct IndexModel: Sendable, Equatable {
    public var name: String
    public var enabled: Bool
    public init(name: String, enabled: Bool) { self.name = name; self.enabled = enabled }
}

/// How many rows a query touches and how it reaches them.
public enum RowCount: Sendable, Equatable {
    /// One row (a point lookup by primary key, an insert).
    case one
    /// A fixed number of rows.
    case fixed(Double)
    /// Every row the user owns in the table.
    case userRows
    /// The page the request asked for (capped by the page-size limit), or the user's rows if fewer.
    case page
    /// The whole table (a sequential scan).
    case tableRows
}

extension RowCount {
    /// The rows touched for a user owning `userRows` rows, asking for a page of `page`, in a
    /// table (or shard) of `tableRows`.
    @inlinable
    public func count(userRows: Double, page: Double, tableRows: Double) -> Double {
        switch self {
        case .one: return 1
        case .fixed(let n): return n
        case .userRows: return userRows
        case .page: return Swift.min(page, userRows)
        case .tableRows: return tableRows
        }
    }
}

public enum AccessPath: String, Sendable, CaseIterable {
    case sequential, heap, indexOnly
}

/// One way to run a query: the index it needs (nil: none), how many rows it touches and how.
public struct QueryPlan: Sendable, Equatable {
    public var index: Int?
    public var rows: RowCount
    public var access: AccessPath
    /// Multiplies the row count (e.g. one video's views are the user's views / videos per user).
    public var scale: Double
    public init(index: Int?, rows: RowCount, access: AccessPath, scale: Double = 1) {
        self.index = index; self.rows = rows; self.access = access; self.scale = scale
    }
}

/// A class of database transaction.
public struct QueryModel: Sendable {
    public var name: String
    public var index: Int
    public var table: Int
    public var statements: Int
    /// Parse, plan and executor overhead per statement.
    public var statementCPU: Distribution
    /// Candidate plans, best first: like the planner, the run uses the first whose index exists
    /// (the last plan should need no index).
    public var plans: [QueryPlan]
    public var write: Bool
    /// How a write changes its rows (nil for a read; a write without it updates).
    public var modifies: RowChange?
    /// Can be served by a read replica (dashboards, analytics, list reads).
    public var replicaEligible: Bool
    public init(name: String, index: Int, table: Int, statements: Int, statementCPU: Distribution, plans: [QueryPlan],
                write: Bool, replicaEligible: Bool, modifies: RowChange? = nil) {
        self.name = name; self.index = index; self.table = table; self.statements = statements; self.statementCPU = statementCPU
        self.plans = plans; self.write = write; self.replicaEligible = replicaEligible
        self.modifies = write ? (modifies ?? .update) : nil
    }

    /// The plan the planner would choose with these indexes.
    public func plan(indexes: [IndexModel]) -> QueryPlan {
        plans.first { $0.index.map { indexes[$0].enabled } ?? true } ?? plans[plans.count - 1]
    }
}

// MARK: - Workers, external services, CDN, monitoring

public struct WorkerModel: Sendable {
    public var instance: InstanceSize
    public var processesPerInstance: Int
    /// Jobs one worker process runs at once (BullMQ `concurrency`).
    public var concurrency: Int
    public var scaling: ScalingRule
    /// Redis commands per job to add, to fetch and to complete it (BullMQ Lua scripts).
    public var redisCommandsToAdd: Int
    public var redisCommandsToFetch: Int
    public var redisCommandsToComplete: Int
    public init(instance: InstanceSize, processesPerInstance: Int, concurrency: Int, scaling: ScalingRule,
                redisCommandsToAdd: Int, redisCommandsToFetch: Int, redisCommandsToComplete: Int) {
        self.instance = instance; self.processesPerInstance = processesPerInstance; self.concurrency = concurrency
        self.scaling = scaling; self.redisCommandsToAdd = redisCommandsToAdd; self.redisCommandsToFetch = redisCommandsToFetch
        self.redisCommandsToComplete = redisCommandsToComplete
    }
}

public struct ExternalServiceModel: Sendable {
    public var name: String
    public var index: Int
    public var latency: Distribution
    /// Probability that a call fails with a 5xx.
    public var failureProbability: Double
    /// Calls allowed per second (the provider's rate limit); beyond it calls fail with 429.
    public var rateLimitPerSecond: Double?
    /// The provider's usage tier the limit comes from (nil: the limit is given directly).
    public var rateLimitTier: String?
    /// The caller gives up after this long.
    public var timeout: Double
    /// Dedicated sending IPs (mail services only), billed monthly.
    public var dedicatedIPs: Int = 0
    /// Billing: tokens per call for an LLM (0 for other services).
    public var inputTokensPerCall: Double
    public var outputTokensPerCall: Double
    public init(name: String, index: Int, latency: Distribution, failureProbability: Double, rateLimitPerSecond: Double?,
                timeout: Double, inputTokensPerCall: Double, outputTokensPerCall: Double) {
        self.name = name; self.index = index; self.latency = latency; self.failureProbability = failureProbability
        self.rateLimitPerSecond = rateLimitPerSecond; self.timeout = timeout
        self.inputTokensPerCall = inputTokensPerCall; self.outputTokensPerCall = outputTokensPerCall
    }
}

public struct CDNModel: Sendable {
    public var enabled: Bool
    /// The edge's own time to answer a hit (the client's round trip to it is the network's).
    public var edgeLatency: Distribution
    /// Edge TTL: an object is fetched from the origin again after this long.
    public var edgeTTL: Double
    /// Points of presence that each keep their own copy.
    public var pointsOfPresence: Int
    /// Whether all traffic goes through the CDN's edge to the origin (Cloudflare in front), so
    /// every request's TLS ends at the edge; otherwise only cacheable requests do.
    public var proxiesAllTraffic: Bool = false
    /// What each cacheable endpoint's requests ask the edge for.
    public var catalog: [CDNCatalogEntry] = []
    public init(enabled: Bool, edgeLatency: Distribution, edgeTTL: Double, pointsOfPresence: Int) {
        self.enabled = enabled; self.edgeLatency = edgeLatency; self.edgeTTL = edgeTTL; self.pointsOfPresence = pointsOfPresence
    }
}

/// The objects one cacheable endpoint serves: shared ones (an app's JS, CSS and images, Zipf
/// popularity) and content that grows with the platform (objects per user, such as their
/// videos' thumbnails, or per row of a table, such as each public video's page).
public struct CDNCatalogEntry: Sendable, Equatable {
    public var endpoint: Int
    public var sharedObjects: Int
    /// Share of the endpoint's requests for a shared object (when it has content too).
    public var sharedShare: Double
    /// Objects of each user, asked for by that user.
    public var perUserObjects: Int
    /// Objects per row of `rowTable` (all registered users' rows), Zipf popularity over rows.
    public var perRowObjects: Int
    public var rowTable: Int?
    public var popularityExponent: Double
    public init(endpoint: Int, sharedObjects: Int, sharedShare: Double, perUserObjects: Int, perRowObjects: Int, rowTable: Int?,
                popularityExponent: Double) {
        self.endpoint = endpoint; self.sharedObjects = sharedObjects; self.sharedShare = sharedShare; self.perUserObjects = perUserObjects
        self.perRowObjects = perRowObjects; self.rowTable = rowTable; self.popularityExponent = popularityExponent
    }
}

/// The network between the users and the platform (see ``ClientNetwork``).
public struct NetworkModel: Sendable {
    public struct Region: Sendable {
        public var name: String
        public var share: Double
        /// Client to the nearest point of presence (or the ISP's peering point).
        public var lastMileRTT: Distribution
        /// From there to the origin region.
        public var toOriginRTT: Distribution
        public init(name: String, share: Double, lastMileRTT: Distribution, toOriginRTT: Distribution) {
            self.name = name; self.share = share; self.lastMileRTT = lastMileRTT; self.toOriginRTT = toOriginRTT
        }
    }
    public var regions: [Region]
    public var bandwidthBytesPerSecond: Distribution
    /// Requests that open a new TCP and TLS connection (keep-alive reuses the others').
    public var newConnectionShare: Double
    /// Round trips a new connection costs before the request (TCP, then TLS).
    public var handshakeRoundTrips: Int
    public init(regions: [Region], bandwidthBytesPerSecond: Distribution, newConnectionShare: Double, handshakeRoundTrips: Int) {
        self.regions = regions; self.bandwidthBytesPerSecond = bandwidthBytesPerSecond
        self.newConnectionShare = newConnectionShare; self.handshakeRoundTrips = handshakeRoundTrips
    }
    /// No network time at all.
    public static let none = NetworkModel(regions: [], bandwidthBytesPerSecond: .deterministic(1e18), newConnectionShare: 0, handshakeRoundTrips: 0)
}

public struct MonitoringModel: Sendable {
    public var sentry: Bool
    /// Share of requests traced (APM).
    public var tracesSampleRate: Double
    /// Event-loop CPU per traced request.
    public var cpuPerTracedRequest: Distribution
    public init(sentry: Bool, tracesSampleRate: Double, cpuPerTracedRequest: Distribution) {
        self.sentry = sentry; self.tracesSampleRate = tracesSampleRate; self.cpuPerTracedRequest = cpuPerTracedRequest
    }
}

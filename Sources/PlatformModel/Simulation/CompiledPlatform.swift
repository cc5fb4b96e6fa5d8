import SimulationEngine

/// The parts of the model the hot loop reads, flattened into plain values and integer ids.
///
/// Endpoint and query records in ``PlatformModel`` hold strings and arrays; copying one in the
/// loop costs reference counting. Here each is reduced to trivially copyable fields, and every
/// distribution the paths sample lives once in `distributions`, named by index.
struct CompiledPlatform {
    enum StepKind: UInt8 { case cpu, threadPool, redis, cacheLookup, cacheFill, cacheInvalidate, query, external, enqueue }

    struct CompiledStep {
        var kind: StepKind
        /// Cache, query, service or job index; Redis command count.
        var argument: Int32
        /// Index into `distributions` (CPU steps), or -1.
        var distribution: Int32
        /// CPU per row returned by the last query (seconds).
        var perRow: Double
        /// For a cache lookup: the step to jump to on a hit.
        var jump: Int16
    }

    struct EndpointInfo {
        var authenticated: Bool
        var middleware: Bool
        var cdnCacheable: Bool
        var responseBytes: Double
        /// Index into `distributions` of the requested page size, or -1.
        var requestedLimit: Int32
    }

    struct CacheInfo {
        var enabled: Bool
        var inRedis: Bool
        var ttl: Double
        var jitter: Double
        /// One key for everyone rather than one per user.
        var global: Bool
        var coalesce: Bool
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
        /// Pages read per row touched (1 for heap access, rows per page for a scan, 0 index-only).
        var pagesPerRow: Double
    }

    var distributions = ContiguousArray<Distribution>()
    var steps = ContiguousArray<CompiledStep>()
    var pathStart = ContiguousArray<Int32>()
    var pathEnd = ContiguousArray<Int32>()
    var endpoints = ContiguousArray<EndpointInfo>()
    var caches = ContiguousArray<CacheInfo>()
    var queries = ContiguousArray<QueryInfo>()

    init(model: PlatformModel) {
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
                }
                steps.append(c)
            }
            pathEnd.append(Int32(steps.count))
        }
        for e in model.endpoints {
            endpoints.append(EndpointInfo(authenticated: e.authenticated, middleware: e.middleware, cdnCacheable: e.cdnCacheable,
                                          responseBytes: e.responseBytes, requestedLimit: e.requestedLimit.map(distribution) ?? -1))
        }
        for c in model.caches {
            caches.append(CacheInfo(enabled: c.enabled, inRedis: c.location == .redis, ttl: c.ttl, jitter: c.ttlJitter,
                                    global: c.key == .global, coalesce: c.coalesceMisses))
        }
        let db = model.database
        let pg = db.postgres
        for q in db.queries {
            let plan = q.plan(indexes: db.indexes)
            let table = db.tables[q.table]
            let cpuPerRow: Double, pages: Double
            switch plan.access {
            case .sequential: cpuPerRow = pg.sequentialRowCPU; pages = table.rowBytes / 8192
            case .heap: cpuPerRow = pg.heapRowCPU; pages = 1
            case .indexOnly: cpuPerRow = pg.indexOnlyRowCPU; pages = 0
            }
            queries.append(QueryInfo(
                statements: Int32(q.statements), statementCPU: distribution(q.statementCPU), write: q.write,
                replicaEligible: q.replicaEligible, rowsKind: plan.rows, scale: plan.scale, rowsPerUser: table.rowsPerUser,
                tableRows: table.rowsPerUser * Double(model.traffic.users) / Double(Swift.max(1, db.shards)),
                cpuPerRow: cpuPerRow, pagesPerRow: pages))
        }
    }

    /// Rows a query touches for a user of this weight asking for this page size.
    @inline(__always)
    func rows(_ q: QueryInfo, userWeight: Double, page: Double) -> Double {
        q.scale * q.rowsKind.count(userRows: q.rowsPerUser * userWeight, page: page, tableRows: q.tableRows)
    }
}

import SimulationEngine

/// What the traffic asks of each component at the busiest moment of a window, estimated from
/// the model alone (rates times mean demands), before any simulation.
///
/// It sizes the stateless parts (API processes, workers) and the database along its ladder
/// before the run, and it is the arrival-rate side of the analytic cross-check. Cache hit
/// rates are estimated with the TTL formula h = lambda*T / (1 + lambda*T) per user key,
/// which ignores burstiness and so errs low: the sizing is conservative.
public struct OfferedLoad: Sendable {
    /// Requests per second by endpoint at the peak of the window.
    public var endpointRate: [Double]
    /// Jobs per second by job type.
    public var jobRate: [Double]
    /// Event-loop CPU seconds per second asked of all API processes together.
    public var apiCPU: Double
    /// Thread-pool CPU seconds per second (bcrypt).
    public var apiThreadPoolCPU: Double
    /// Worker busy seconds per second (slot occupancy: CPU, database and external waits).
    public var workerSlotSeconds: Double
    public var workerCPU: Double
    /// Database CPU seconds per second, on primaries and on replicas (all shards together).
    public var primaryCPU: Double
    public var replicaCPU: Double
    /// Database transactions per second (for PgBouncer), and those on the primaries and replicas.
    public var transactions: Double
    /// The transactions the API's requests make (the rest are the workers' jobs'), per second.
    public var apiTransactions: Double
    public var primaryTransactions: Double
    public var replicaTransactions: Double
    /// Mean time a transaction holds an app pool connection (CPU and network; its I/O on the
    /// volume comes on top: see ``StorageDemand``).
    public var connectionHoldTime: Double
    /// Mean heap pages a transaction touches (those that miss the buffer cache are read from the volume).
    public var pagesPerTransaction: Double
    /// Transactions per second by query class (all shards), from requests and jobs of a known
    /// user, and from requests without one (public pages, webhooks, signups).
    public var queryCalls: [Double]
    public var anonymousQueryCalls: [Double]
    /// CPU segments per second on the API event loops (a request has several).
    public var apiSegments: Double
    /// Redis round trips per second (each carries one or more commands).
    public var redisRoundTrips: Double
    /// Mean seconds a worker slot is held per job, and jobs per second in all.
    public var jobSlotTime: Double
    /// Redis commands per second.
    public var redisCommands: Double
    /// External calls per second by service.
    public var externalCalls: [Double]
    /// Estimated hit rate by cache.
    public var cacheHitRate: [Double]
    /// The traffic multiplier at the peak relative to the daily mean.
    public var peakFactor: Double
    public var pageViewRate: Double
    public var sessionRate: Double

    public init(model: PlatformModel, window: (start: Double, end: Double)) {
        let t = model.traffic
        let weights = t.diurnalWeights
        let mean = weights.reduce(0, +) / Double(weights.count)
        // The busiest hour overlapping the window, with the spike if it overlaps too.
        var peak = 0.0
        var h = (window.start / 3600).rounded(.down)
        while h * 3600 < window.end {
            let hour = ((Int(h) % 24) + 24) % 24
            peak = Swift.max(peak, weights[hour] / mean)
            h += 1
        }
        // A traffic spike is left out: capacity is planned for the normal peak, and a spike is
        // what autoscaling (or its absence) has to absorb.
        peakFactor = peak

        let active = Double(t.activeUsers)
        sessionRate = active * t.sessionsPerActiveUserPerDay / 86_400 * peak
        pageViewRate = sessionRate * t.pageViewsPerSession
        // Calls drawn from the authenticated mix: the pages' own and API clients'; a polling
        // tab's calls go to the polling endpoint.
        let authRate = pageViewRate * Double(t.apiCallsPerPageView) + active * t.apiClientRequestsPerActiveUserPerDay / 86_400 * peak
        let pollingRate = pageViewRate * t.pollingCallsPerPageView
        let unauthRate = Double(t.users) * t.unauthenticatedRequestsPerUserPerDay / 86_400 * peak
        let webhookRate = Double(t.users) * t.webhooksPerUserPerDay / 86_400 * peak

        var rate = [Double](repeating: 0, count: model.endpoints.count)
        let authTotal = t.authenticatedMix.reduce(0) { $0 + $1.weight }
        for m in t.authenticatedMix { rate[m.endpoint] += authRate * m.weight / authTotal }
        let unauthTotal = t.unauthenticatedMix.reduce(0) { $0 + $1.weight }
        if unauthTotal > 0 { for m in t.unauthenticatedMix { rate[m.endpoint] += unauthRate * m.weight / unauthTotal } }
        rate[t.webhookEndpoint] += webhookRate
        rate[t.pollingEndpoint] += pollingRate
        rate[t.staticEndpoint] += pageViewRate * t.staticAssetsPerPageView
        if model.auth.tokenRotation {
            let sessionLength = t.pageViewsPerSession * t.thinkTime.mean
            rate[t.refreshEndpoint] += sessionRate * (1 + sessionLength / model.auth.accessTokenLifetime)
        }
        if model.cdn.enabled {
            // Only edge misses reach the origin: each catalogue's miss ratio by the TTL formula
            // per object (Zipf for shared objects and table rows, uniform for a user's own).
            for entry in model.cdn.catalog where model.endpoints[entry.endpoint].cdnCacheable {
                let tableRows = entry.rowTable.map { model.database.tables[$0].rowsPerUser * Double(t.users) } ?? 0
                rate[entry.endpoint] *= OfferedLoad.edgeMissRatio(entry, requestRate: rate[entry.endpoint], activeUsers: active,
                                                                  tableRows: tableRows, cdn: model.cdn)
            }
        }
        endpointRate = rate

        // Cache hit estimates per user key (dense caches) or per process copy.
        var hit = [Double](repeating: 0, count: model.caches.count)
        for c in model.caches where c.enabled {
            var lookups = 0.0
            for e in model.endpoints where e.steps.contains(.cacheLookup(cache: c.index)) { lookups += rate[e.index] }
            let perKey = lookups / active
            // A TTL stretched by up to ttlJitter lasts T (1 + jitter / 2) on average: the renewal
            // cycle the formula needs.
            let lt = perKey * c.ttl * (1 + c.ttlJitter / 2)
            hit[c.index] = lt / (1 + lt)
        }
        cacheHitRate = hit

        var demand = Demand()
        for e in model.endpoints where rate[e.index] > 0 {
            var d = Demand()
            // A request comes from a user in proportion to the user's activity, and data grows
            // with it too: the typical requester's weight is E[w^2]/E[w] = 1 + cv^2, not 1.
            let requester = e.authenticated || model.traffic.authenticatedMix.contains { $0.endpoint == e.index } ? OfferedLoad.sizeBiasedWeight(model) : 1
            let hasUser = e.authenticated || model.traffic.authenticatedMix.contains { $0.endpoint == e.index }
            OfferedLoad.walk(e.steps, model: model, hit: hit, rowsReturned: OfferedLoad.expectedRowsReturned(e, model: model),
                             userWeight: requester, hasUser: hasUser, into: &d)
            // The middleware (framework CPU, JWT, tracing, limiters) is one CPU segment; endpoints
            // with `middleware: false` (health, static assets) skip it, as the simulation does.
            if e.middleware {
                d.segments += 1
                d.cpu += model.api.frameworkCPU.mean
                if e.authenticated { d.cpu += model.auth.jwtVerifyCPU.mean }
                if model.monitoring.sentry { d.cpu += model.monitoring.tracesSampleRate * model.monitoring.cpuPerTracedRequest.mean }
                let limiters = model.rateLimiters.filter { r in
                    r.skip.contains(e.index) == false && (r.endpoints.isEmpty || r.endpoints.contains(e.index))
                }.count
                let sessionCheck = model.auth.sessionCheck && e.authenticated ? 1.0 : 0
                d.redis += Double(limiters) + sessionCheck
                if limiters > 0 || sessionCheck > 0 { d.roundTrips += 1 }
            }
            demand.add(d, times: rate[e.index])
            for (j, n) in d.enqueued { demand.jobRate[j, default: 0] += n * rate[e.index] }
        }
        // Each job's demand once, then the rates: those the requests enqueue, plus those jobs
        // enqueue for other jobs (a campaign's fan-out), propagated until nothing changes (job
        // types do not enqueue each other in a cycle; the loop stops after one pass per type).
        let perJob = model.jobs.map { job -> Demand in
            var d = Demand()
            OfferedLoad.walk(job.steps, model: model, hit: hit, rowsReturned: 1, userWeight: OfferedLoad.sizeBiasedWeight(model),
                             hasUser: true, into: &d)
            d.redis += Double(model.workers.redisCommandsToFetch + model.workers.redisCommandsToComplete)
            return d
        }
        apiTransactions = demand.transactions
        var jobs = [Double](repeating: 0, count: model.jobs.count)
        for (j, r) in demand.jobRate { jobs[j] += r }
        let direct = jobs
        for _ in 0...model.jobs.count {
            var next = direct
            for (i, d) in perJob.enumerated() { for (j, n) in d.enqueued { next[j] += jobs[i] * n } }
            if next == jobs { break }
            jobs = next
        }
        var workerSlot = 0.0, workerCPU = 0.0
        for job in model.jobs where jobs[job.index] > 0 {
            let d = perJob[job.index]
            let r = jobs[job.index]
            workerCPU += d.cpu * r
            workerSlot += d.slotTime * r
            demand.primaryCPU += d.primaryCPU * r
            demand.replicaCPU += d.replicaCPU * r
            demand.transactions += d.transactions * r
            demand.primaryTransactions += d.primaryTransactions * r
            demand.replicaTransactions += d.replicaTransactions * r
            demand.holdTime += d.holdTime * r
            demand.pages += d.pages * r
            for (q, n) in d.queries { demand.queries[q, default: 0] += n * r }
            for (q, n) in d.anonymousQueries { demand.anonymousQueries[q, default: 0] += n * r }
            demand.redis += d.redis * r
            demand.roundTrips += d.roundTrips * r + 2 * r
            for (s, n) in d.external { demand.external[s, default: 0] += n * r }
        }
        jobRate = jobs
        let totalJobs = jobs.reduce(0, +)
        jobSlotTime = totalJobs > 0 ? workerSlot / totalJobs : 0
        primaryTransactions = demand.primaryTransactions
        replicaTransactions = demand.replicaTransactions
        connectionHoldTime = demand.transactions > 0 ? demand.holdTime / demand.transactions : 0
        pagesPerTransaction = demand.transactions > 0 ? demand.pages / demand.transactions : 0
        apiSegments = demand.segments
        redisRoundTrips = demand.roundTrips
        apiCPU = demand.cpu
        apiThreadPoolCPU = demand.threadPool
        workerSlotSeconds = workerSlot
        self.workerCPU = workerCPU
        primaryCPU = demand.primaryCPU
        replicaCPU = demand.replicaCPU
        transactions = demand.transactions
        redisCommands = demand.redis + Double(model.workers.redisCommandsToAdd) * jobs.reduce(0, +)
        externalCalls = model.externalServices.map { demand.external[$0.index, default: 0] }
        queryCalls = model.database.queries.map { demand.queries[$0.index, default: 0] }
        anonymousQueryCalls = model.database.queries.map { demand.anonymousQueries[$0.index, default: 0] }
    }

    /// The same load with every rate `factor` times as high (users grown in proportion, as the
    /// headroom assumes): per-request figures (hold time, pages, hit rates) stay as they are.
    /// Cheaper than the load at the new user count (no CDN or cache estimate again).
    public func scaled(by factor: Double) -> OfferedLoad {
        var l = self
        l.endpointRate = endpointRate.map { $0 * factor }
        l.jobRate = jobRate.map { $0 * factor }
        l.queryCalls = queryCalls.map { $0 * factor }
        l.anonymousQueryCalls = anonymousQueryCalls.map { $0 * factor }
        l.externalCalls = externalCalls.map { $0 * factor }
        l.apiCPU *= factor; l.apiThreadPoolCPU *= factor; l.workerSlotSeconds *= factor; l.workerCPU *= factor
        l.primaryCPU *= factor; l.replicaCPU *= factor
        l.transactions *= factor; l.apiTransactions *= factor; l.primaryTransactions *= factor; l.replicaTransactions *= factor
        l.apiSegments *= factor; l.redisRoundTrips *= factor; l.redisCommands *= factor
        l.pageViewRate *= factor; l.sessionRate *= factor
        return l
    }

    /// Mean demands of one request or job.
    struct Demand {
        var cpu = 0.0, threadPool = 0.0, primaryCPU = 0.0, replicaCPU = 0.0, transactions = 0.0, redis = 0.0
        var segments = 0.0, roundTrips = 0.0, primaryTransactions = 0.0, replicaTransactions = 0.0, holdTime = 0.0, pages = 0.0
        /// Time the request or job occupies its slot (CPU plus waits), for workers.
        var slotTime = 0.0
        var external: [Int: Double] = [:]
        var enqueued: [Int: Double] = [:]
        var jobRate: [Int: Double] = [:]
        /// Transactions by query class, of a known user and of none.
        var queries: [Int: Double] = [:]
        var anonymousQueries: [Int: Double] = [:]

        mutating func add(_ d: Demand, times r: Double) {
            cpu += d.cpu * r; threadPool += d.threadPool * r; primaryCPU += d.primaryCPU * r
            replicaCPU += d.replicaCPU * r; transactions += d.transactions * r; redis += d.redis * r
            segments += d.segments * r; roundTrips += d.roundTrips * r; holdTime += d.holdTime * r; pages += d.pages * r
            primaryTransactions += d.primaryTransactions * r; replicaTransactions += d.replicaTransactions * r
            for (s, n) in d.external { external[s, default: 0] += n * r }
            for (q, n) in d.queries { queries[q, default: 0] += n * r }
            for (q, n) in d.anonymousQueries { anonymousQueries[q, default: 0] += n * r }
        }
    }

    /// Mean rows a list endpoint returns: min(requested page, the page cap, the user's rows),
    /// averaged over the page-size and activity-weight distributions by a fixed-seed Monte
    /// Carlo (deterministic; 4,000 draws put the estimate within about 2% of the exact mean).
    static func expectedRowsReturned(_ e: EndpointModel, model: PlatformModel) -> Double {
        guard let limit = e.requestedLimit else { return 1 }
        var perUser = Double.infinity
        for step in e.steps {
            if case .query(let q) = step {
                let query = model.database.queries[q]
                if query.plans.contains(where: { $0.rows == .page }) || query.plans.contains(where: { $0.rows == .userRows }) {
                    perUser = model.database.tables[query.table].rowsPerUser
                    break
                }
            }
        }
        // Weighted by the user's weight: heavier users make more of the requests.
        var rng = Xoshiro256StarStar(seed: 0x5EED)
        let draws = 4000
        var sum = 0.0, weights = 0.0
        for _ in 0..<draws {
            var page = Swift.max(1, limit.sample(&rng).rounded())
            if let cap = model.api.maxPageSize { page = Swift.min(page, Double(cap)) }
            let w = model.traffic.activityWeight.sample(&rng) / model.traffic.activityWeight.mean
            sum += w * Swift.min(page, perUser * w)
            weights += w
        }
        return weights > 0 ? sum / weights : 1
    }

    /// Walks a path, weighting the steps between a cache lookup and its fill by the miss rate.
    /// The mean activity weight of the user behind a request: requests are drawn in proportion
    /// to weight, so E[w^2]/E[w] over the population's weights (normalised to mean 1).
    static func sizeBiasedWeight(_ model: PlatformModel) -> Double {
        let w = model.traffic.activityWeight
        let m = w.mean
        return m > 0 && w.variance.isFinite ? 1 + w.variance / (m * m) : 1
    }

    static func walk(_ steps: [Step], model: PlatformModel, hit: [Double], rowsReturned: Double, userWeight: Double, hasUser: Bool,
                     into d: inout Demand) {
        var weight = 1.0
        var open: [Int: Double] = [:]
        var lastRows = 0.0
        let pg = model.database.postgres
        let rtt = model.redis.roundTrip.mean
        for step in steps {
            switch step {
            case .cpu(let dist, let perRow):
                let c = dist.mean + perRow * rowsReturned
                d.cpu += weight * c; d.slotTime += weight * c; d.segments += weight
            case .threadPool(let dist):
                d.threadPool += weight * dist.mean; d.slotTime += weight * dist.mean
            case .redis(let n):
                d.redis += weight * Double(n); d.slotTime += weight * rtt; d.roundTrips += weight
            case .cacheLookup(let c):
                guard model.caches[c].enabled else { continue }
                if model.caches[c].location == .redis { d.redis += weight; d.slotTime += weight * rtt; d.roundTrips += weight }
                open[c] = weight
                weight *= 1 - hit[c]
            case .cacheFill(let c):
                guard model.caches[c].enabled else { continue }
                if model.caches[c].location == .redis { d.redis += weight; d.slotTime += weight * rtt; d.roundTrips += weight }
                if let w = open.removeValue(forKey: c) { weight = w }
            case .cacheInvalidate(let c):
                if model.caches[c].enabled && model.caches[c].location == .redis { d.redis += weight; d.slotTime += weight * rtt; d.roundTrips += weight }
            case .query(let q):
                let query = model.database.queries[q]
                let cost = OfferedLoad.queryCost(query, model: model, rows: rowsReturned, userWeight: userWeight)
                lastRows = cost.rows
                let onReplica = model.database.replicas.enabled && query.replicaEligible && !query.write
                if onReplica { d.replicaCPU += weight * cost.cpu; d.replicaTransactions += weight }
                else { d.primaryCPU += weight * cost.cpu; d.primaryTransactions += weight }
                d.transactions += weight
                if hasUser { d.queries[q, default: 0] += weight } else { d.anonymousQueries[q, default: 0] += weight }
                // One round trip per statement, BEGIN and COMMIT around a multi-statement write.
                let trips = Double(query.roundTrips)
                // A measured WAL flush is a wait of its own (the volume's I/O is StorageDemand's).
                let flush = query.write ? pg.walFlush?.mean ?? 0 : 0
                d.holdTime += weight * (cost.cpu + flush + trips * pg.networkRoundTrip)
                d.pages += weight * cost.pages
                let c = model.database.pool.clientCPUPerQuery.mean * Double(query.statements)
                d.cpu += weight * c; d.segments += weight
                d.slotTime += weight * (cost.cpu + flush + trips * pg.networkRoundTrip + c)
            case .external(let s):
                d.external[s, default: 0] += weight
                d.slotTime += weight * model.externalServices[s].latency.mean
            case .enqueue(let j):
                d.enqueued[j, default: 0] += weight
                d.redis += weight * Double(model.workers.redisCommandsToAdd)
                d.slotTime += weight * rtt; d.roundTrips += weight
            case .fanOut(let j, let per):
                let jobs = (lastRows / Double(per)).rounded(.up)
                d.enqueued[j, default: 0] += weight * jobs
                d.redis += weight * jobs * Double(model.workers.redisCommandsToAdd)
                d.slotTime += weight * rtt; d.roundTrips += weight
            }
        }
    }

    /// CPU seconds and heap pages of one transaction of a query class (a heap access touches a
    /// page per row, a sequential scan the table's pages, an index-only scan none).
    public static func queryCost(_ q: QueryModel, model: PlatformModel, rows pageRows: Double, userWeight: Double) -> (cpu: Double, pages: Double, rows: Double) {
        let db = model.database
        let pg = db.postgres
        let table = db.tables[q.table]
        let plan = q.plan(indexes: db.indexes)
        let rows = plan.scale * plan.rows.count(userRows: table.rowsPerUser * userWeight, page: pageRows,
                                                tableRows: table.rowsPerUser * Double(model.traffic.users) / Double(db.sharding.fixedCount ?? 1))
        var cpu = q.statementCPU.mean * Double(q.statements)
        var pages = 0.0
        switch plan.access {
        case .sequential:
            cpu += rows * pg.sequentialRowCPU
            pages = rows * table.rowBytes / StorageDemand.pageBytes
        case .heap:
            cpu += rows * pg.heapRowCPU
            pages = rows
        case .indexOnly:
            let cost = model.indexOnlyRowCost(table: q.table, shards: db.sharding.fixedCount ?? 1)
            cpu += rows * cost.cpu
            pages = rows * cost.pages
        }
        return (cpu, pages, rows)
    }

    /// The share of an endpoint's requests the edge cannot answer (Che-style TTL estimate: an
    /// object asked for at rate λ per point of presence is a miss with probability 1/(1 + λT)).
    static func edgeMissRatio(_ e: CDNCatalogEntry, requestRate: Double, activeUsers: Double, tableRows: Double, cdn: CDNModel) -> Double {
        let perPoP = requestRate / Double(cdn.pointsOfPresence)
        let hasContent = e.perUserObjects > 0 || (e.perRowObjects > 0 && tableRows > 0)
        let sharedShare = e.sharedObjects == 0 ? 0 : (hasContent ? e.sharedShare : 1)
        func zipfMiss(count: Int, rate: Double, perObject: Int) -> Double {
            guard count > 0, let z = try? ZipfDistribution(count: count, exponent: e.popularityExponent) else { return 1 }
            var miss = 0.0, covered = 0.0
            for p in z.probabilities(first: 2000) {
                covered += p
                let lt = rate * p / Double(perObject) * cdn.edgeTTL
                miss += p / (1 + lt)
            }
            return miss + (1 - covered)  // the long tail: assume all misses
        }
        var miss = sharedShare * zipfMiss(count: e.sharedObjects, rate: perPoP * sharedShare, perObject: 1)
        let contentRate = perPoP * (1 - sharedShare)
        if e.perUserObjects > 0 {
            let lt = contentRate / Swift.max(1, activeUsers * Double(e.perUserObjects)) * cdn.edgeTTL
            miss += (1 - sharedShare) / (1 + lt)
        } else if e.perRowObjects > 0 && tableRows > 0 {
            miss += (1 - sharedShare) * zipfMiss(count: Int(Swift.min(tableRows, 2e9)), rate: contentRate, perObject: e.perRowObjects)
        }
        return Swift.min(1, miss)
    }
}

import Histogram
import SimulationEngine

extension PlatformSimulation {
    /// Builds the platform for one run: components sized by `plan`, users and streams from `settings`.
    public init(model: PlatformModel, plan: CapacityPlan, settings: RunSettings) {
        self.model = model
        self.plan = plan
        self.settings = settings
        let t = model.traffic
        let windowStart = settings.windowStart(diurnalWeights: t.diurnalWeights)
        let origin = windowStart - settings.warmUp
        measureStart = windowStart
        self.origin = origin
        end = windowStart + settings.duration
        let streams = RandomStreams(masterSeed: settings.seed, replication: settings.replication)

        // Traffic.
        let users = UserPopulation(traffic: t, streams: streams)
        self.users = users
        let active = Double(users.count)
        let callsPerSession = t.pageViewsPerSession * Double(t.apiCallsPerPageView)
        sessionRate = ArrivalRate(perSecondAtMean: active * t.requestsPerActiveUserPerDay / callsPerSession / 86_400,
                                  diurnalWeights: t.diurnalWeights, spike: t.spike, from: origin, to: end, steadyUntil: windowStart)
        unauthenticatedRate = ArrivalRate(perSecondAtMean: Double(t.users) * t.unauthenticatedRequestsPerUserPerDay / 86_400,
                                          diurnalWeights: t.diurnalWeights, spike: t.spike, from: origin, to: end, steadyUntil: windowStart)
        webhookRate = ArrivalRate(perSecondAtMean: Double(t.users) * t.webhooksPerUserPerDay / 86_400,
                                  diurnalWeights: t.diurnalWeights, spike: t.spike, from: origin, to: end, steadyUntil: windowStart)
        healthRate = Double(plan.apiInstances) * t.healthChecksPerInstancePerSecond
        authEndpoints = t.authenticatedMix.map(\.endpoint)
        authMix = try! CategoricalDistribution(weights: t.authenticatedMix.map(\.weight))
        unauthEndpoints = t.unauthenticatedMix.map(\.endpoint)
        unauthMix = t.unauthenticatedMix.isEmpty ? nil : try! CategoricalDistribution(weights: t.unauthenticatedMix.map(\.weight))
        lastWrite = ContiguousArray(repeating: -.infinity, count: users.count)

        hot = CompiledPlatform(model: model)
        endpointPathCount = model.endpoints.count

        // API and worker processes.
        apiProcesses = plan.apiProcesses
        var apiCapacity = plan.apiProcesses
        if model.api.autoscaling != nil, case .horizontal(_, _, let hi) = model.api.scaling {
            apiCapacity = Swift.max(apiCapacity, hi * model.api.processesPerInstance)
        }
        workerBase = apiCapacity
        let totalProcesses = apiCapacity + plan.workerProcesses
        processes = ContiguousArray((0..<totalProcesses).map { _ in
            ProcessState(loop: FCFSServer(startTime: origin),
                         threadPool: FCFSServerGroup(servers: model.api.threadPoolSize, startTime: origin),
                         inFlightOverTime: TimeAverage(at: origin))
        })
        workerActive = ContiguousArray(repeating: 0, count: plan.workerProcesses)

        limiters = model.rateLimiters.map { r in
            RateLimiter(model: r, endpoints: model.endpoints,
                        keys: r.key == .user ? users.count : users.totalIPs + 8, users: users.count, origin: origin)
        }
        redis = FCFSServer(startTime: origin)
        redisMemory = RedisMemory(origin: origin)
        evictionRNG = streams.stream("redis.eviction")
        redisCaches = model.caches.filter { $0.enabled && $0.location == .redis }.map(\.index)
        caches = model.caches.map { c in
            let tables: [ExpiryTable]
            switch c.location {
            case .redis: tables = [ExpiryTable(denseKeys: c.key == .global ? 1 : users.count, origin: origin)]
            case .process: tables = (0..<totalProcesses).map { _ in ExpiryTable(hashedCapacity: 64, origin: origin) }
            }
            return CacheState(tables: tables, keyLookups: c.enabled ? [UInt32](repeating: 0, count: c.key == .global ? 1 : users.count) : [])
        }

        // Data tier.
        let db = model.database
        let shards = plan.shards
        pools = ContiguousArray((0..<(totalProcesses * shards)).map { i in
            ConnectionPool(limit: db.pool.effectiveLimit, timeout: db.pool.poolTimeout, index: Int32(i),
                           deadlineKind: Kind.poolDeadline, startTime: origin)
        })
        bouncers = ContiguousArray((0..<(shards * plan.pgbouncerProcesses)).map { i in
            Bouncer(cpu: FCFSServer(startTime: origin),
                    serverPool: ConnectionPool(limit: db.pgbouncer.defaultPoolSize, timeout: db.pgbouncer.queryWaitTimeout,
                                               index: Int32(i), deadlineKind: Kind.bouncerDeadline, startTime: origin))
        })
        let size = db.postgres.ladder[plan.postgresSizeIndex]
        let missRatio = model.cacheMissRatio(plan: plan, processes: plan.apiProcesses + plan.workerProcesses)
        var srv = ContiguousArray<DatabaseServer>()
        for s in 0..<shards {
            srv.append(DatabaseServer(name: shards > 1 ? "postgres-shard\(s)" : "postgres-primary", role: .primary, shard: s, size: size,
                                      maxConnections: db.postgres.maxConnections, usl: db.postgres.usl, missRatio: missRatio,
                                      index: Int32(srv.count), completionKind: Kind.databaseCompletion, startTime: origin))
        }
        replicasPerShard = plan.replicasPerShard
        for s in 0..<shards {
            for r in 0..<plan.replicasPerShard {
                srv.append(DatabaseServer(name: shards > 1 ? "replica-s\(s)-\(r)" : "replica-\(r)", role: .replica, shard: s, size: size,
                                          maxConnections: db.postgres.maxConnections, usl: db.postgres.usl, missRatio: missRatio,
                                          index: Int32(srv.count), completionKind: Kind.databaseCompletion, startTime: origin))
            }
        }
        servers = srv

        externals = model.externalServices.map { _ in ExternalState() }
        func absolute(_ w: FaultModel.Window?) -> FaultModel.Window? { w.map { FaultModel.Window(start: windowStart + $0.start, duration: $0.duration) } }
        redisOutage = absolute(model.faults.redisOutage)
        replicaLoss = absolute(model.faults.replicaLoss)
        primaryFailover = absolute(model.faults.primaryFailover)
        degradation = absolute(model.faults.degradation)
        mailService = model.externalServices.firstIndex { $0.name.lowercased().contains("mail") }
        llmService = model.externalServices.firstIndex { $0.name.lowercased().contains("llm") || $0.inputTokensPerCall > 0 }
        if model.cdn.enabled {
            cdnExpiry = ContiguousArray(repeating: -.infinity, count: model.cdn.objects * model.cdn.pointsOfPresence)
            cdnObjects = try? ZipfDistribution(count: model.cdn.objects, exponent: model.cdn.popularityExponent)
        } else {
            cdnExpiry = []
            cdnObjects = nil
        }

        jobQueueLength = TimeAverage(at: origin)
        jobEnqueued = Array(repeating: 0, count: model.jobs.count)
        jobCompleted = jobEnqueued
        jobFailedAttempts = jobEnqueued
        jobDeadLettered = jobEnqueued
        jobLatency = model.jobs.map { _ in Self.newHistogram() }

        // Traffic streams are kept apart from the components' streams, so every configuration
        // at a given seed sees the same users, sessions and requests (common random numbers).
        arrivalRNG = streams.stream("traffic.sessionArrivals")
        unauthenticatedRNG = streams.stream("traffic.unauthenticated")
        webhookRNG = streams.stream("traffic.webhooks")
        healthRNG = streams.stream("traffic.health")
        cdnRNG = streams.stream("cdn")
        balancerRNG = streams.stream("loadBalancer")
        sessionRNG = streams.stream("traffic.sessions")
        serviceRNG = streams.stream("service.times")
        databaseRNG = streams.stream("database")
        externalRNG = streams.stream("external")
        networkRNG = streams.stream("network")
        retryRNG = streams.stream("client.retries")

        latency = Self.newHistogram()
        tickLatency = Self.newHistogram()
        loopWait = Self.newHistogram()
        redisWait = Self.newHistogram()
        poolWait = Self.newHistogram()
        bouncerWait = Self.newHistogram()
        primaryDelay = Self.newHistogram()
        replicaDelay = Self.newHistogram()
        jobWait = Self.newHistogram()
        workerBusy = TimeAverage(at: origin)
        endpointLatency = model.endpoints.map { _ in Self.newHistogram() }
        endpointCount = Array(repeating: 0, count: model.endpoints.count)
        endpointErrors = endpointCount
    }

    /// Latency histogram in microseconds up to one day, three significant digits.
    static func newHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 86_400_000_000, numberOfSignificantValueDigits: .three)
    }

    /// Schedules the first arrivals and puts the platform in a steady state: sessions already
    /// under way and rate-limit windows part-filled, so the warm-up only has to settle queues.
    mutating func start(in sim: inout Simulator) {
        let now = sim.now
        // Rate-limit windows, caches and sessions as the last `replaySeconds` of traffic left them.
        replayTraffic(before: now, span: settings.replaySeconds, in: &sim)

        sim.schedule(at: sessionRate.next(after: now, &arrivalRNG), kind: Kind.sessionArrival)
        sim.schedule(at: unauthenticatedRate.next(after: now, &unauthenticatedRNG), kind: Kind.unauthenticatedArrival)
        sim.schedule(at: webhookRate.next(after: now, &webhookRNG), kind: Kind.webhookArrival)
        if healthRate > 0 { sim.schedule(at: now - log(healthRNG.nextOpenUniform()) / healthRate, kind: Kind.healthArrival) }
        sim.schedule(at: measureStart, kind: Kind.warmUpEnd)
        if settings.timeSeriesInterval > 0 && now + settings.timeSeriesInterval < measureStart - 1e-9 {
            sim.schedule(at: now + settings.timeSeriesInterval, kind: Kind.tick)
        }
        if let a = model.api.autoscaling { sim.schedule(at: now + a.interval, kind: Kind.autoscaleCheck) }
        if let o = redisOutage, o.end > now { sim.schedule(at: o.end, kind: Kind.redisBack) }
        if settings.warmUp <= 0 { measuring = true }
    }

    /// Gives each limiter key a window of random age, as keys have in steady state: a key with
    /// request rate r gets a window of uniform age a holding about r*a requests. The replay that
    /// follows then brings the counts to what bursty traffic leaves, while the windows keep
    /// their random phases (started all together, busy keys would stay in step, every window
    /// resetting at once).
    mutating func presetRateLimitWindows(at now: Double, rate: Double) {
        let t = model.traffic
        // Authenticated requests per second of a user with weight 1.
        let perUserRate = rate * t.pageViewsPerSession * Double(t.apiCallsPerPageView) / Swift.max(1, Double(users.count))
        let authTotal = t.authenticatedMix.reduce(0) { $0 + $1.weight }
        var rng = RandomStreams(masterSeed: settings.seed, replication: settings.replication).stream("traffic.presets")
        for l in limiters.indices {
            let share = t.authenticatedMix.reduce(0.0) { $0 + (limiters[l].applies(to: $1.endpoint) ? $1.weight : 0) } / authTotal
            guard share > 0 else { continue }
            let window = limiters[l].model.window
            switch limiters[l].model.key {
            case .user:
                for u in 0..<users.count {
                    let r = perUserRate * share * Double(users.weight[u])
                    let age = rng.nextUniform() * window
                    let n = Self.poisson(mean: r * age, &rng)
                    limiters[l].counters.preset(u, start: now - age, count: n)
                    if n > 0 { redisMemory.add(expiry: now - age + window, now: now) }
                }
            case .ip:
                var ipRate = [Double](repeating: 0, count: users.userIPs)
                for u in 0..<users.count { ipRate[Int(users.ip[u])] += perUserRate * share * Double(users.weight[u]) }
                for ip in 0..<users.userIPs {
                    let age = rng.nextUniform() * window
                    let n = Self.poisson(mean: ipRate[ip] * age, &rng)
                    limiters[l].counters.preset(ip, start: now - age, count: n)
                    if n > 0 { redisMemory.add(expiry: now - age + window, now: now) }
                }
                for u in 0..<users.count {
                    let age = rng.nextUniform() * window
                    let n = Self.poisson(mean: perUserRate * share * Double(users.weight[u]) * age, &rng)
                    limiters[l].shadowPerUser?.preset(u, start: now - age, count: n)
                }
            }
        }
    }

    /// A Poisson count by inversion for small means, normal approximation for large ones.
    static func poisson(mean: Double, _ rng: inout Xoshiro256StarStar) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 50 {
            return Swift.max(0, Int(saturating: (mean + mean.squareRoot() * Distribution.standardNormal(&rng)).rounded()))
        }
        let limit = exp(-mean)
        var k = 0
        var p = rng.nextUniform()
        while p > limit { p *= rng.nextUniform(); k += 1 }
        return k
    }

    mutating func newSession(user: Int32) -> Int32 {
        var rng = sessionRNG
        defer { sessionRNG = rng }
        return newSession(user: user, &rng)
    }

    /// A new session of `user` with a geometric number of pages (the given mean, at least one).
    mutating func newSession(user: Int32, _ rng: inout Xoshiro256StarStar) -> Int32 {
        let q = 1 / Swift.max(1, model.traffic.pageViewsPerSession)
        var pages: Int32 = 1
        while rng.nextUniform() >= q && pages < 10_000 { pages += 1 }
        if let s = freeSessions.popLast() {
            sessionUser[Int(s)] = user
            sessionPagesLeft[Int(s)] = pages
            sessionTokenExpiry[Int(s)] = -.infinity
            return s
        }
        sessionUser.append(user)
        sessionPagesLeft.append(pages)
        sessionTokenExpiry.append(-.infinity)
        return Int32(sessionUser.count - 1)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

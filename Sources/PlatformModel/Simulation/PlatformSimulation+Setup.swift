import Histogram
import SimulationEngine

extension PlatformSimulation {
    /// Builds the platform for one run: components sized by `plan`, users and streams from
    /// `settings`; `load` is the offered load of the run's window (computed when not given).
    public init(model: PlatformModel, plan: CapacityPlan, settings: RunSettings, load given: OfferedLoad? = nil) {
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
        sessionRate = ArrivalRate(perSecondAtMean: active * t.sessionsPerActiveUserPerDay / 86_400,
                                  diurnalWeights: t.diurnalWeights, spike: t.spike, from: origin, to: end, steadyUntil: windowStart)
        apiClientRate = ArrivalRate(perSecondAtMean: active * t.apiClientRequestsPerActiveUserPerDay / 86_400,
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

        hot = CompiledPlatform(model: model, shards: plan.shards, volume: plan.volume)
        endpointPathCount = model.endpoints.count

        // API and worker processes.
        apiProcesses = plan.apiProcesses
        var apiCapacity = plan.apiProcesses
        if let a = model.api.autoscaling, case .horizontal(let target, _, let hi) = model.api.scaling {
            apiCapacity = Swift.max(apiCapacity, hi * model.api.processesPerInstance)
            autoscaler = Autoscaler(model: a, target: target, maxInstances: hi)
        } else {
            autoscaler = nil
        }
        workerBase = apiCapacity
        let totalProcesses = apiCapacity + plan.workerProcesses
        processes = ContiguousArray((0..<totalProcesses).map { _ in APIProcess(threadPoolSize: model.api.threadPoolSize, origin: origin) })
        balancer = LoadBalancer(policy: model.loadBalancer.policy)

        limiters = model.rateLimiters.map { r in
            RateLimiter(model: r, endpoints: model.endpoints,
                        keys: r.key == .user ? users.count : users.totalIPs + 8, users: users.count, origin: origin)
        }
        redis = RedisServer(model: model.redis, origin: origin)
        loadGeneratorLoop = FCFSServer(startTime: origin)
        evictionRNG = streams.stream("redis.eviction")
        redisCaches = model.caches.filter { $0.enabled && $0.location == .redis }.map(\.index)
        caches = model.caches.map { ResponseCache(model: $0, users: users.count, processes: totalProcesses, origin: origin) }

        // Data tier.
        let db = model.database
        let shards = plan.shards
        pools = ContiguousArray((0..<(totalProcesses * shards)).map { i in
            ConnectionPool(limit: db.pool.effectiveLimit, timeout: db.pool.poolTimeout, index: Int32(i),
                           deadlineKind: EventKind.poolDeadline.rawValue, startTime: origin)
        })
        bouncers = ContiguousArray((0..<(shards * plan.pgbouncerProcesses)).map { i in
            PgBouncer(poolSize: db.pgbouncer.defaultPoolSize, waitTimeout: db.pgbouncer.queryWaitTimeout,
                      maxClients: db.pgbouncer.maxClientConnections, index: Int32(i), deadlineKind: EventKind.bouncerDeadline.rawValue,
                      origin: origin)
        })
        let size = db.postgres.ladder[plan.postgresSizeIndex]
        var srv = ContiguousArray<DatabaseServer>()
        for s in 0..<shards {
            srv.append(DatabaseServer(name: shards > 1 ? "postgres-shard\(s)" : "postgres-primary", role: .primary, shard: s, size: size,
                                      maxConnections: db.postgres.maxConnections, usl: db.postgres.usl,
                                      index: Int32(srv.count), completionKind: EventKind.databaseCompletion.rawValue, startTime: origin))
        }
        replicasPerShard = plan.replicasPerShard
        for s in 0..<shards {
            for r in 0..<plan.replicasPerShard {
                srv.append(DatabaseServer(name: shards > 1 ? "replica-s\(s)-\(r)" : "replica-\(r)", role: .replica, shard: s, size: size,
                                          maxConnections: db.postgres.maxConnections, usl: db.postgres.usl,
                                          index: Int32(srv.count), completionKind: EventKind.databaseCompletion.rawValue, startTime: origin))
            }
        }
        servers = srv

        // Storage: what each server's RAM caches (Che's characteristic time from the offered
        // load at this capacity) and the volume under it, with its background I/O taken off.
        let load = given ?? OfferedLoad(model: model, window: (windowStart, end))
        let processes = plan.apiProcesses + plan.workerProcesses
        func demand(_ role: StorageDemand.Role) -> StorageDemand {
            StorageDemand(model: model, load: load, size: size, processes: processes, pgbouncerProcesses: plan.pgbouncerProcesses,
                          shards: shards, replicasPerShard: plan.replicasPerShard, role: role, volume: plan.volume)
        }
        let primaryStorage = demand(.primary)
        let replicaStorage = plan.replicasPerShard > 0 ? demand(.replica) : nil
        self.primaryStorage = primaryStorage
        self.replicaStorage = replicaStorage
        // The buffer caches start in their stationary state at the replay's start (the replay's
        // queries then bring them up to date), also when the replay is empty: a cold start
        // restarts the API and Redis, not Postgres.
        var cacheRNG = streams.stream("database.bufferCache")
        let replayStart = -settings.replaySeconds
        var bufferCaches = [BufferCache(demand: primaryStorage, weights: users.weight, at: replayStart, rng: &cacheRNG)]
        if let replicaStorage {
            for _ in 0..<plan.replicasPerShard {
                bufferCaches.append(BufferCache(demand: replicaStorage, weights: users.weight, at: replayStart, rng: &cacheRNG))
            }
        }
        self.bufferCaches = bufferCaches
        volumes = ContiguousArray(srv.indices.map { i in
            let d = srv[i].role == .primary ? primaryStorage : replicaStorage!
            return StorageVolume(name: srv[i].name + "-volume", spec: plan.volume, backgroundReadIOPS: d.backgroundReadIOPS,
                                 backgroundWriteIOPS: d.backgroundWriteIOPS, index: Int32(i),
                                 completionKind: EventKind.volumeCompletion.rawValue, startTime: origin)
        })

        externals = model.externalServices.map(ExternalService.init(model:))
        func absolute(_ w: FaultModel.Window?) -> FaultModel.Window? { w.map { FaultModel.Window(start: windowStart + $0.start, duration: $0.duration) } }
        redisOutage = absolute(model.faults.redisOutage)
        replicaLoss = absolute(model.faults.replicaLoss)
        primaryFailover = absolute(model.faults.primaryFailover)
        degradation = absolute(model.faults.degradation)
        mailService = model.externalServices.firstIndex { $0.name.lowercased().contains("mail") }
        llmService = model.externalServices.firstIndex { $0.name.lowercased().contains("llm") || $0.inputTokensPerCall > 0 }
        let tables = model.database.tables
        cdn = EdgeCache(model: model.cdn, tableRows: { tables[$0].rowsPerUser * Double(t.users) }, origin: origin)
        var clients = streams.stream("network.clients")
        network = ClientNetwork(model: model.network, &clients)

        jobs = JobQueue(types: model.jobs.count, workers: plan.workerProcesses, concurrency: model.workers.concurrency, origin: origin,
                        histogram: Self.newHistogram)

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
        connectionRNG = streams.stream("network.connections")
        apiClientRNG = streams.stream("traffic.apiClients")

        latency = Self.newHistogram()
        tickLatency = Self.newHistogram()
        loopWait = Self.newHistogram()
        redisWait = Self.newHistogram()
        poolWait = Self.newHistogram()
        bouncerWait = Self.newHistogram()
        primaryDelay = Self.newHistogram()
        volumeDelay = Self.newHistogram()
        replicaDelay = Self.newHistogram()
        jobWait = Self.newHistogram()
        endpointLatency = model.endpoints.map { _ in Self.newHistogram() }
        bucketEndpointLatency = model.endpoints.map { _ in Self.newBucketHistogram() }
        endpointCount = Array(repeating: 0, count: model.endpoints.count)
        endpointErrors = endpointCount
    }

    /// Latency histogram in microseconds up to one day, three significant digits.
    static func newHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 86_400_000_000, numberOfSignificantValueDigits: .three)
    }

    /// Schedules the first arrivals and puts the platform in a steady state: sessions already
    /// under way, rate-limit windows and caches as the traffic before the run left them, so the
    /// warm-up only has to settle queues.
    mutating func start(in sim: inout Simulator) {
        let now = sim.now
        replayTraffic(before: now, span: settings.replaySeconds, in: &sim)
        resetBucketBaselines(at: now)

        Self.schedule(.sessionArrival, at: sessionRate.next(after: now, &arrivalRNG), in: &sim)
        Self.schedule(.unauthenticatedArrival, at: unauthenticatedRate.next(after: now, &unauthenticatedRNG), in: &sim)
        Self.schedule(.webhookArrival, at: webhookRate.next(after: now, &webhookRNG), in: &sim)
        if model.traffic.apiClientRequestsPerActiveUserPerDay > 0 {
            Self.schedule(.apiClientArrival, at: apiClientRate.next(after: now, &apiClientRNG), in: &sim)
        }
        if healthRate > 0 { Self.schedule(.healthArrival, at: now + healthRNG.exponential(rate: healthRate), in: &sim) }
        Self.schedule(.warmUpEnd, at: measureStart, in: &sim)
        if settings.timeSeriesInterval > 0 && now + settings.timeSeriesInterval < measureStart - 1e-9 {
            Self.schedule(.tick, at: now + settings.timeSeriesInterval, in: &sim)
        }
        if let a = autoscaler { Self.schedule(.autoscaleCheck, at: now + a.model.interval, in: &sim) }
        if let o = redisOutage, o.end > now { Self.schedule(.redisBack, at: o.end, in: &sim) }
        if settings.warmUp <= 0 { measuring = true }
    }
}

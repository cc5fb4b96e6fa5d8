import Histogram
import SimulationEngine

extension PlatformSimulation {
    /// End of warm-up: every component forgets what it saw, keeping what it holds.
    /// The measured window's latency over every endpoint: the endpoints' histograms added
    /// (the same buckets, so the same counts as recording each response twice).
    func windowLatency() -> Histogram<UInt64> {
        var all = latency
        for h in endpointLatency { all.add(h) }
        return all
    }

    mutating func resetStatistics(at now: Double) {
        for p in processes.indices { processes[p].resetStatistics(at: now) }
        for l in limiters.indices { limiters[l].resetStatistics() }
        redis.resetStatistics(at: now)
        for p in pools.indices { pools[p].resetStatistics(at: now) }
        for b in bouncers.indices { bouncers[b].resetStatistics(at: now) }
        for s in servers.indices { servers[s].resetStatistics(at: now) }
        for v in volumes.indices { volumes[v].resetStatistics(at: now) }
        for c in bufferCaches.indices { bufferCaches[c].resetStatistics() }
        jobs.resetStatistics(at: now)
        lastTickLoopBusy = apiLoopBusy()
        resetBucketBaselines(at: now)
    }

    func apiLoopBusy() -> Double {
        var busy = 0.0
        for p in 0..<apiProcesses { busy += processes[p].loop.busyTime }
        return busy
    }

    /// Closes a time-series bucket.
    mutating func recordTick(at now: Double) {
        flushLatencies()
        let width = settings.timeSeriesInterval
        let busy = apiLoopBusy()
        var waiting = 0
        for p in pools.indices { waiting += pools[p].waiting }
        for b in bouncers.indices { waiting += bouncers[b].serverPool.waiting }
        // Queries in the servers averaged over the bucket, not counted at its last instant: a
        // query takes about a millisecond of CPU, so at most instants none is running even on a
        // busy server, and a count at the bucket's end read 0 in most buckets.
        let area = databaseArea(at: now)
        let point = TimeSeriesPoint(
            t: now - width - measureStart,
            throughput: Double(tickCompleted) / width,
            p99Ms: tickCompleted > 0 ? Double(tickLatency.valueAtPercentile(99)) / 1000 : 0,
            errors: tickErrors,
            apiUtilization: Swift.min(1, Swift.max(0, (busy - lastTickLoopBusy) / (width * Double(Swift.max(1, apiProcesses))))),
            databaseActive: Swift.max(0, (area - lastTickDatabaseArea) / width),
            poolWaiting: waiting,
            jobQueueDepth: jobs.waiting)
        if measuring { timeSeries.append(point) } else { warmUpSeries.append(point) }
        lastTickLoopBusy = busy
        lastTickDatabaseArea = area
        if measuring { recordBucketSeries(at: now, width: width) }
        tickCompleted = 0
        tickErrors = 0
        tickLatency.reset()
    }

    static func percentiles(_ h: Histogram<UInt64>) -> Percentiles {
        guard h.totalCount > 0 else { return .zero }
        return Percentiles(p50: Double(h.valueAtPercentile(50)) / 1000, p95: Double(h.valueAtPercentile(95)) / 1000,
                           p99: Double(h.valueAtPercentile(99)) / 1000, mean: h.mean / 1000, max: Double(h.max) / 1000)
    }

    static func p99ms(_ h: Histogram<UInt64>) -> Double { h.totalCount > 0 ? Double(h.valueAtPercentile(99)) / 1000 : 0 }
    static func meanMs(_ h: Histogram<UInt64>) -> Double { h.totalCount > 0 ? h.mean / 1000 : 0 }

    /// What the run measured, in report units.
    func result(at now: Double, events: Int, wallSeconds: Double) -> RunResult {
        let window = Swift.max(1e-9, now - measureStart)
        var components: [ComponentMetrics] = []

        components.append(ComponentMetrics(
            name: "load-balancer", kind: .loadBalancer, count: 1, utilization: 0, maxUtilization: 0, meanQueue: 0,
            meanWaitMs: model.loadBalancer.latency * 1000, p99WaitMs: model.loadBalancer.latency * 1000,
            throughput: Double(completedRequests) / window, details: [:]))

        // API processes (event loops), as one group.
        var utilSum = 0.0, utilMax = 0.0, loopJobs = 0, loopWaitSum = 0.0, inFlightAvg = 0.0, completed = 0, responseSum = 0.0
        var rejected = 0, peakInFlight = 0
        for p in 0..<apiProcesses {
            let u = processes[p].loop.utilization(at: now)
            utilSum += u
            utilMax = Swift.max(utilMax, u)
            loopJobs += processes[p].loop.jobs
            loopWaitSum += processes[p].loop.waitSum
            inFlightAvg += processes[p].inFlightOverTime.average(at: now)
            completed += processes[p].completed
            responseSum += processes[p].responseTimes.sum
            rejected += processes[p].rejected
            peakInFlight = Swift.max(peakInFlight, processes[p].peakInFlight)
        }
        let procs = Double(Swift.max(1, apiProcesses))
        components.append(ComponentMetrics(
            name: "api", kind: .apiProcess, count: apiProcesses, utilization: utilSum / procs, maxUtilization: utilMax,
            meanQueue: loopWaitSum / window, meanWaitMs: loopJobs > 0 ? loopWaitSum / Double(loopJobs) * 1000 : 0,
            p99WaitMs: Self.p99ms(loopWait), throughput: Double(completed) / window,
            meanInSystem: inFlightAvg, meanResponseMs: completed > 0 ? responseSum / Double(completed) * 1000 : 0,
            limitHits: rejected,
            details: [.instances: Double(plan.apiInstances), .processesPerInstance: Double(model.api.processesPerInstance),
                      .vcpuPerInstance: model.api.instance.vcpu, .peakInFlightPerProcess: Double(peakInFlight),
                      .cpuSegmentsPerSecond: Double(loopJobs) / window, .instancesAddedByAutoscaling: Double(autoscaler?.added ?? 0)]))
        var tpUtil = 0.0, tpJobs = 0
        for p in 0..<apiProcesses { tpUtil += processes[p].threadPool.utilization(at: now); tpJobs += processes[p].threadPool.jobs }
        if tpJobs > 0 {
            var waitSum = 0.0
            for p in 0..<apiProcesses { waitSum += processes[p].threadPool.waits.sum }
            components.append(ComponentMetrics(
                name: "api-threadpool", kind: .threadPool, count: apiProcesses, utilization: tpUtil / procs, maxUtilization: tpUtil / procs,
                meanQueue: waitSum / window, meanWaitMs: waitSum / Double(tpJobs) * 1000, p99WaitMs: 0,
                throughput: Double(tpJobs) / window, details: [.threadsPerProcess: Double(model.api.threadPoolSize)]))
        }

        for l in limiters {
            components.append(ComponentMetrics(
                name: "ratelimit-\(l.model.name)", kind: .rateLimiter, count: 1, utilization: 0, maxUtilization: 0, meanQueue: 0,
                meanWaitMs: 0, p99WaitMs: 0, throughput: Double(l.checks) / window, limitHits: l.rejected,
                details: [.rejected: Double(l.rejected), .falseRejected: Double(l.falseRejected),
                          .keysLive: Double(l.counters.liveKeys(at: now)), .windowSeconds: l.model.window]))
        }

        // Redis: one thread; memory from the live keys it holds.
        var redisForMemory = redis.memory
        redisForMemory.advance(to: now)
        let keys = Double(redisForMemory.liveKeys)
        let redisMemory = redisMemoryBytes(liveBytes: redisForMemory.liveBytes)
        components.append(ComponentMetrics(
            name: "redis", kind: .redis, count: 1, utilization: redis.thread.utilization(at: now), maxUtilization: redis.thread.utilization(at: now),
            meanQueue: redis.thread.waitSum / window, meanWaitMs: redis.thread.meanWait * 1000, p99WaitMs: Self.p99ms(redisWait),
            throughput: Double(redis.commands) / window, limitHits: redisMemory > redis.maxMemoryBytes ? 1 : 0,
            details: [.memoryMB: redisMemory / 1e6, .maxMemoryMB: model.redis.maxMemoryBytes / 1e6, .keys: keys,
                      .peakKeys: Double(redisForMemory.peakKeys), .evictions: Double(redisForMemory.evictions),
                      .roundTripsPerSecond: Double(redis.thread.jobs) / window]))

        // App connection pools (Prisma), as one group.
        var poolUtil = 0.0, poolMax = 0.0, poolWaiting = 0.0, poolTimeouts = 0, poolAcq = 0, poolOpen = 0, poolWaitSum = 0.0
        var apiWaiting = 0.0
        for p in pools.indices {
            let u = pools[p].utilization(at: now)
            poolUtil += u
            poolMax = Swift.max(poolMax, u)
            let waiting = pools[p].waitingOverTime.average(at: now)
            poolWaiting += waiting
            if p / plan.shards < workerBase { apiWaiting += waiting }
            poolTimeouts += pools[p].timeouts
            poolAcq += pools[p].acquisitions
            poolOpen += pools[p].open
            poolWaitSum += pools[p].waits.sum
        }
        components.append(ComponentMetrics(
            name: "prisma-pool", kind: .connectionPool, count: pools.count, utilization: pools.isEmpty ? 0 : poolUtil / Double(pools.count),
            maxUtilization: poolMax, meanQueue: poolWaiting, meanWaitMs: Self.meanMs(poolWait), p99WaitMs: Self.p99ms(poolWait),
            throughput: Double(poolAcq) / window, limitHits: poolTimeouts,
            details: [.connectionLimit: Double(model.database.pool.effectiveLimit), .openConnections: Double(poolOpen),
                      .poolTimeoutSeconds: model.database.pool.poolTimeout, .waitingInAPIProcesses: apiWaiting]))

        if !bouncers.isEmpty {
            var cpuUtil = 0.0, cpuMax = 0.0, serverUtil = 0.0, waiting = 0.0, timeouts = 0, clients = 0, refused = 0, jobs = 0
            for b in bouncers.indices {
                let u = bouncers[b].thread.utilization(at: now)
                cpuUtil += u
                cpuMax = Swift.max(cpuMax, u)
                serverUtil += bouncers[b].serverPool.utilization(at: now)
                waiting += bouncers[b].serverPool.waitingOverTime.average(at: now)
                timeouts += bouncers[b].serverPool.timeouts
                clients += bouncers[b].clients
                refused += bouncers[b].refusedClients
                jobs += bouncers[b].thread.jobs
            }
            let n = Double(bouncers.count)
            components.append(ComponentMetrics(
                name: "pgbouncer", kind: .pgbouncer, count: bouncers.count, utilization: cpuUtil / n, maxUtilization: cpuMax,
                meanQueue: waiting, meanWaitMs: Self.meanMs(bouncerWait), p99WaitMs: Self.p99ms(bouncerWait),
                throughput: Double(jobs) / window, limitHits: timeouts + refused,
                details: [.serverPoolUtilization: serverUtil / n, .clientConnections: Double(clients),
                          .refusedClients: Double(refused), .defaultPoolSize: Double(model.database.pgbouncer.defaultPoolSize)]))
        }

        // Database servers: each primary (shard) on its own, replicas as a group per shard count.
        var shardQueries: [Int] = []
        for s in servers.indices where servers[s].role == .primary {
            let d = servers[s]
            shardQueries.append(d.queries)
            components.append(databaseMetrics([d], name: d.name, kind: .postgresPrimary, delay: primaryDelay, window: window, now: now))
        }
        let replicas = servers.filter { $0.role == .replica }
        if !replicas.isEmpty {
            components.append(databaseMetrics(Array(replicas), name: "postgres-replicas", kind: .postgresReplica, delay: replicaDelay, window: window, now: now))
        }
        if plan.shards > 1, let idx = components.firstIndex(where: { $0.kind == .postgresPrimary }) {
            let total = Double(shardQueries.reduce(0, +))
            components[idx].details[.hottestShardShare] = total > 0 ? Double(shardQueries.max()!) / total : 0
        }
        components += storageMetrics(window: window, now: now)

        if plan.workerProcesses > 0 {
            let slots = Double(plan.workerProcesses * model.workers.concurrency)
            let completedJobs = jobs.completed.reduce(0, +)
            components.append(ComponentMetrics(
                name: "workers", kind: .workers, count: plan.workerProcesses, utilization: jobs.busySlots.average(at: now) / slots,
                maxUtilization: jobs.busySlots.maximum / slots, meanQueue: jobs.length.average(at: now),
                meanWaitMs: Self.meanMs(jobWait), p99WaitMs: Self.p99ms(jobWait), throughput: Double(completedJobs) / window,
                limitHits: jobs.deadLettered.reduce(0, +),
                details: [.concurrency: Double(model.workers.concurrency), .instances: Double(plan.workerInstances),
                          .queueDepthAtEnd: Double(jobs.waiting), .maxQueueDepth: jobs.length.maximum]))
        }

        for (s, svc) in model.externalServices.enumerated() {
            let e = externals[s]
            let rate = Double(e.calls) / window
            components.append(ComponentMetrics(
                name: svc.name, kind: .externalService, count: 1,
                utilization: svc.rateLimitPerSecond.map { rate / $0 } ?? 0, maxUtilization: svc.rateLimitPerSecond.map { rate / $0 } ?? 0,
                meanQueue: 0, meanWaitMs: 0, p99WaitMs: 0, throughput: rate,
                meanInSystem: rate * e.latencies.mean, meanResponseMs: e.latencies.mean * 1000,
                limitHits: e.rateLimited + e.failures + e.timeouts,
                details: [.failures: Double(e.failures), .rateLimited: Double(e.rateLimited), .timeouts: Double(e.timeouts)]))
        }

        if let cdn {
            components.append(ComponentMetrics(
                name: "cdn", kind: .cdn, count: model.cdn.pointsOfPresence, utilization: 0, maxUtilization: 0, meanQueue: 0,
                meanWaitMs: 0, p99WaitMs: 0, throughput: Double(cdn.lookups) / window, details: [.hitRate: cdn.hitRate]))
        }

        // Caches: the measured hit rate beside the TTL formula h = lambda*T / (1 + lambda*T) fed
        // with each key's request rate as the traffic model sets it (user weight x the endpoint's
        // share x calls per user at the window's rate), averaged over lookups. The formula assumes
        // Poisson requests per key; sessions make them burstier, so measured rates run higher.
        var cacheResults: [CacheResult] = []
        let t = model.traffic
        let perUserRate = sessionRate.rate(at: measureStart) * t.pageViewsPerSession * Double(t.apiCallsPerPageView) / Swift.max(1, Double(users.count))
        let authTotal = t.authenticatedMix.reduce(0) { $0 + $1.weight }
        for (c, cache) in model.caches.enumerated() where cache.enabled {
            let share = t.authenticatedMix.reduce(0.0) { sum, m in
                sum + (model.endpoints[m.endpoint].steps.contains(.cacheLookup(cache: c)) ? m.weight : 0)
            } / authTotal
            let copies = cache.location == .redis ? 1.0 : Double(apiProcesses)
            // The mean TTL (a jittered TTL lasts T (1 + jitter / 2) on average).
            let ttl = cache.ttl * (1 + cache.ttlJitter / 2)
            var predictedHits = 0.0, rateSum = 0.0
            if cache.key == .global {
                let lt = perUserRate * share * Double(users.count) / copies * ttl
                predictedHits = lt / (1 + lt)
                rateSum = 1
            } else {
                for u in 0..<users.count {
                    let rate = perUserRate * share * Double(users.weight[u])
                    let lt = rate / copies * ttl
                    predictedHits += rate * lt / (1 + lt)
                    rateSum += rate
                }
            }
            let lookups = caches[c].lookups
            cacheResults.append(CacheResult(name: cache.name, location: cache.location.rawValue, lookups: lookups, hits: caches[c].hits,
                                            hitRate: lookups > 0 ? Double(caches[c].hits) / Double(lookups) : 0,
                                            predictedHitRate: rateSum > 0 ? predictedHits / rateSum : 0,
                                            coalescedWaits: caches[c].coalescedWaits))
        }
        if let cdn {
            cacheResults.append(CacheResult(name: "cdn-edge", location: "edge", lookups: cdn.lookups, hits: cdn.hits,
                                            hitRate: cdn.hitRate, predictedHitRate: 0))
        }

        let jobResults = model.jobs.map { j in
            JobResult(name: j.name, enqueued: jobs.enqueued[j.index], completed: jobs.completed[j.index],
                      failedAttempts: jobs.failedAttempts[j.index], deadLettered: jobs.deadLettered[j.index],
                      latencyMs: Self.percentiles(jobs.latency[j.index]))
        }

        let endpointResults = model.endpoints.map { e in
            EndpointResult(name: e.name, requests: endpointCount[e.index], errors: endpointErrors[e.index],
                           latencyMs: Self.percentiles(endpointLatency[e.index]))
        }

        // Daily volumes: the window's counts scaled by the day's traffic over the window's.
        let inWindow = sessionRate.expectedArrivals(from: measureStart, to: now)
        let perDay = dailyArrivals() / Swift.max(1e-9, inWindow)
        let db = model.database
        let dataBytes = db.tables.reduce(0.0) { $0 + $1.rowsPerUser * Double(model.traffic.users) * ($1.rowBytes + db.postgres.storagePerRowOverheadBytes) }
        let usage = UsageVolumes(
            emailsPerDay: emailsSent * perDay,
            llmCallsPerDay: Double(llmCalls) * perDay,
            originEgressGBPerDay: originEgressBytes / 1e9 * perDay,
            cdnEgressGBPerDay: cdnEgressBytes / 1e9 * perDay,
            errorsPerDay: Double(errors.total) * perDay,
            tracedRequestsPerDay: Double(tracedRequests) * perDay,
            requestsPerDay: Double(completedRequests) * perDay,
            databaseGB: dataBytes / 1e9,
            redisMemoryMB: redisMemory / 1e6)

        return RunResult(
            config: model.configuration, users: model.traffic.users, activeUsers: users.count, seed: settings.seed,
            replication: settings.replication, windowStartHour: measureStart / 3600, warmUpSeconds: settings.warmUp,
            simulatedSeconds: window, requests: completedRequests, throughput: Double(completedRequests) / window,
            latencyMs: Self.percentiles(windowLatency()), endpoints: endpointResults,
            errorRate: completedRequests > 0 ? Double(errors.total) / Double(completedRequests) : 0,
            errors: errors, components: components, cache: cacheResults, jobs: jobResults, capacity: plan, usage: usage,
            timeSeries: timeSeries, bucketSeries: bucketSeries, events: events, wallSeconds: wallSeconds, warmUp: warmUpCheck())
    }

    /// MSER-5 on the throughput and p99 series, warm-up buckets included: how much of the start
    /// the data say to discard, against what the run discarded.
    func warmUpCheck() -> WarmUpCheck {
        let all = warmUpSeries + timeSeries
        let width = settings.timeSeriesInterval
        let throughput = WarmUp.mser5(all.map(\.throughput))
        let p99 = WarmUp.mser5(all.map(\.p99Ms))
        // Judged on throughput: a p99 of 10 s buckets is too noisy (heavy tails) to date a warm-up.
        let needed = Double(throughput.observations) * width
        return WarmUpCheck(discardedSeconds: settings.warmUp, mser5ThroughputSeconds: needed,
                           mser5P99Seconds: Double(p99.observations) * width,
                           sufficient: needed <= settings.warmUp + width, reliable: throughput.reliable)
    }

    /// Session arrivals over a whole day at this run's rates (for scaling window counts to days).
    func dailyArrivals() -> Double {
        Double(users.count) * model.traffic.sessionsPerActiveUserPerDay
    }

    func databaseMetrics(_ group: [DatabaseServer], name: String, kind: ComponentKind, delay: Histogram<UInt64>, window: Double, now: Double) -> ComponentMetrics {
        var util = 0.0, maxUtil = 0.0, population = 0.0, completions = 0, responseSum = 0.0, backends = 0, peak = 0, refused = 0
        var useful = 0.0, colocated = 0.0, heapFetches = 0.0
        for d in group {
            heapFetches += d.heapFetches
            let u = d.utilization(at: now)
            useful += d.usefulShare(at: now)
            util += u
            maxUtil = Swift.max(maxUtil, u)
            // Co-located work shares the cores (utilization) but is not the server's: its
            // pieces leave the queries' population (by Little's law), completions and times.
            population += Swift.max(0, d.station.population.average(at: now) - d.colocatedResponseSum / window)
            completions += d.station.completions - d.colocatedCompletions
            responseSum += d.station.responseTimes.sum - d.colocatedResponseSum
            colocated += d.colocatedWork / window
            backends += d.backends
            peak += d.peakBackends
            refused += d.refusedConnections
        }
        let n = Double(group.count)
        let size = group[0].size
        return ComponentMetrics(
            name: name, kind: kind, count: group.count, utilization: util / n, maxUtilization: maxUtil,
            meanQueue: Swift.max(0, population - util * size.vcpu), meanWaitMs: Self.meanMs(delay), p99WaitMs: Self.p99ms(delay),
            throughput: Double(completions) / window, meanInSystem: population,
            meanResponseMs: completions > 0 ? responseSum / Double(completions) * 1000 : 0, limitHits: refused,
            details: databaseDetails(kind: kind, size: size, backends: backends, peak: peak, useful: useful / n,
                                     maxConnections: group[0].maxConnections,
                                     missRatio: 1 - (bufferCaches[kind == .postgresPrimary ? 0 : Swift.min(1, bufferCaches.count - 1)].hitRatio ?? 1),
                                     colocatedCPU: colocated, heapFetchesPerSecond: heapFetches / window))
    }

    /// The figures a database server group reports: replicas also count the reads sent to the
    /// primary instead (right after a user's own write, or while the replicas are down).
    func databaseDetails(kind: ComponentKind, size: InstanceSize, backends: Int, peak: Int, useful: Double, maxConnections: Int,
                         missRatio: Double, colocatedCPU: Double, heapFetchesPerSecond: Double) -> [ComponentMetric: Double] {
        var d: [ComponentMetric: Double] = [.vcpu: size.vcpu, .memoryGB: size.memoryGB, .backends: Double(backends), .peakBackends: Double(peak),
                                            .usefulCapacityShare: useful, .maxConnections: Double(maxConnections), .cacheMissRatio: missRatio]
        if model.database.postgres.colocated.any {
            d[.colocatedCPU] = colocatedCPU
        }
        if model.database.postgres.autovacuum != nil {
            d[.heapFetchesPerSecond] = heapFetchesPerSecond
        }
        if kind == .postgresReplica {
            d[.staleReadsAvoided] = Double(staleReadsAvoided)
            d[.readsSentToPrimaryWhileReplicasDown] = Double(replicaFallbacks)
        }
        return d
    }
}

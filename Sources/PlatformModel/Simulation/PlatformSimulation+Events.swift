import Histogram
import SimulationEngine

extension PlatformSimulation {
    public mutating func handle(_ event: Event, in sim: inout Simulator) {
        switch event.kind {
        case Kind.resume:
            advance(event.entity, in: &sim)
        case Kind.databaseArrival:
            databaseArrival(event.entity, in: &sim)
        case Kind.databaseCompletion:
            databaseCompletion(event, in: &sim)
        case Kind.pageView:
            pageView(event.entity, in: &sim)
        case Kind.sessionArrival:
            let s = newSession(user: Int32(users.sessionOwner.sample(&sessionRNG)))
            pageView(s, in: &sim)
            let next = sessionRate.next(after: sim.now, &arrivalRNG)
            Self.schedule(Kind.sessionArrival, at: next, before: end, in: &sim)
        case Kind.unauthenticatedArrival:
            if let mix = unauthMix {
                let e = unauthEndpoints[mix.sample(&unauthenticatedRNG)]
                let ip = users.userIPs + unauthenticatedRNG.nextInt(below: Swift.max(1, users.totalIPs - users.userIPs))
                startRequest(endpoint: e, user: -1, ip: Int32(ip), attempt: 0, in: &sim)
            }
            let next = unauthenticatedRate.next(after: sim.now, &unauthenticatedRNG)
            Self.schedule(Kind.unauthenticatedArrival, at: next, before: end, in: &sim)
        case Kind.webhookArrival:
            startRequest(endpoint: model.traffic.webhookEndpoint, user: -1, ip: Int32(users.totalIPs + 1), attempt: 0, in: &sim)
            let next = webhookRate.next(after: sim.now, &webhookRNG)
            Self.schedule(Kind.webhookArrival, at: next, before: end, in: &sim)
        case Kind.healthArrival:
            startRequest(endpoint: model.traffic.healthEndpoint, user: -1, ip: Int32(users.totalIPs), attempt: 0, in: &sim)
            let next = sim.now - log(healthRNG.nextOpenUniform()) / healthRate
            Self.schedule(Kind.healthArrival, at: next, before: end, in: &sim)
        case Kind.poolDeadline:
            pools[Int(event.target)].expire(event, in: &sim, into: &expired)
            while let r = expired.popLast() {
                if measuring { Self.record(pools[Int(event.target)].timeout, in: &poolWait) }
                fail(r, .poolTimeout, in: &sim)
            }
        case Kind.bouncerDeadline:
            bouncers[Int(event.target)].serverPool.expire(event, in: &sim, into: &expired)
            while let r = expired.popLast() {
                if measuring { Self.record(bouncers[Int(event.target)].serverPool.timeout, in: &bouncerWait) }
                releaseAppConnection(r, in: &sim)
                fail(r, .pgbouncerWaitTimeout, in: &sim)
            }
        case Kind.jobAvailable:
            jobs[Int(event.entity)].queued = sim.now
            jobQueueLength.update(to: Double(jobQueue.count + 1), at: sim.now)
            jobQueue.append(event.entity)
            dispatchJobs(in: &sim)
        case Kind.clientRetry:
            arrive(event.entity, in: &sim)
        case Kind.tick:
            recordTick(at: sim.now)
            // Warm-up buckets stop at the end of the warm-up, where the measured ones begin.
            let next = sim.now + settings.timeSeriesInterval
            if measuring ? next <= end + 1e-9 : next < measureStart - 1e-9 {
                sim.schedule(at: next, kind: Kind.tick)
            }
        case Kind.autoscaleCheck:
            autoscale(in: &sim)
        case Kind.instancesReady:
            let add = Int(event.entity)
            pendingInstances -= add
            let processesPerInstance = model.api.processesPerInstance
            apiProcesses = Swift.min(workerBase, apiProcesses + add * processesPerInstance)
            instancesAdded += add
        case Kind.redisBack:
            dispatchJobs(in: &sim)
        case Kind.warmUpEnd:
            // The warm-up's last bucket ends here; the measured buckets start.
            if settings.warmUp > 0 && settings.timeSeriesInterval > 0 { recordTick(at: sim.now) }
            resetStatistics(at: sim.now)
            measuring = true
            tickCompleted = 0
            tickErrors = 0
            tickLatency.reset()
            if settings.timeSeriesInterval > 0 { sim.schedule(after: settings.timeSeriesInterval, kind: Kind.tick) }
        default:
            preconditionFailure("unknown event kind \(event.kind)")
        }
    }

    /// Schedules the next arrival of a stream if it falls inside the run.
    @inline(__always)
    static func schedule(_ kind: Int32, at time: Double, before end: Double, in sim: inout Simulator) {
        if time <= end { sim.schedule(at: time, kind: kind) }
    }

    // MARK: Traffic

    /// A page view of a session: its API calls at once, static assets, the next page after a think time.
    mutating func pageView(_ s: Int32, in sim: inout Simulator) {
        let t = model.traffic
        let user = sessionUser[Int(s)]
        let ip = users.ip[Int(user)]
        if model.auth.tokenRotation && sim.now >= sessionTokenExpiry[Int(s)] {
            sessionTokenExpiry[Int(s)] = sim.now + model.auth.accessTokenLifetime
            startRequest(endpoint: t.refreshEndpoint, user: user, ip: ip, attempt: 0, in: &sim)
        }
        for _ in 0..<t.apiCallsPerPageView {
            startRequest(endpoint: authEndpoints[authMix.sample(&sessionRNG)], user: user, ip: ip, attempt: 0, in: &sim)
        }
        var assets = Self.poisson(mean: t.staticAssetsPerPageView, &sessionRNG)
        while assets > 0 {
            startRequest(endpoint: t.staticEndpoint, user: user, ip: ip, attempt: 0, in: &sim)
            assets -= 1
        }
        sessionPagesLeft[Int(s)] -= 1
        if sessionPagesLeft[Int(s)] > 0 {
            let next = sim.now + t.thinkTime.sample(&sessionRNG)
            if next <= end { sim.schedule(at: next, kind: Kind.pageView, entity: s); return }
        }
        freeSessions.append(s)
    }

    // MARK: Requests

    mutating func newRequest() -> Int32 {
        if let r = freeRequests.popLast() {
            requests[Int(r)] = RequestState()
            return r
        }
        requests.append(RequestState())
        return Int32(requests.count - 1)
    }

    mutating func startRequest(endpoint e: Int, user: Int32, ip: Int32, attempt: UInt8, in sim: inout Simulator) {
        let r = newRequest()
        requests[Int(r)].path = Int32(e)
        requests[Int(r)].user = user
        requests[Int(r)].ip = ip
        requests[Int(r)].attempt = attempt
        let limitDist = Int(hot.endpoints[e].requestedLimit)
        if limitDist >= 0 {
            var limit = Swift.max(1, hot.distributions[limitDist].sample(&sessionRNG).rounded())
            if let cap = model.api.maxPageSize { limit = Swift.min(limit, Double(cap)) }
            requests[Int(r)].pageLimit = Float(limit)
        }
        arrive(r, in: &sim)
    }

    /// A request reaches the edge: the CDN may answer it; otherwise the load balancer picks a process.
    mutating func arrive(_ r: Int32, in sim: inout Simulator) {
        let now = sim.now
        let e = Int(requests[Int(r)].path)
        let endpoint = hot.endpoints[e]
        requests[Int(r)].arrival = now
        if requestLog != nil { logArrival(r, at: now) }
        if endpoint.cdnCacheable, let objects = cdnObjects {
            let object = objects.sample(&cdnRNG) - 1
            let pop = cdnRNG.nextInt(below: model.cdn.pointsOfPresence)
            let slot = pop * model.cdn.objects + object
            cdnLookups += measuring ? 1 : 0
            if Double(cdnExpiry[slot]) > now - origin {
                if measuring {
                    cdnHits += 1
                    cdnEgressBytes += endpoint.responseBytes
                }
                let edge = model.cdn.edgeLatency.sample(&cdnRNG)
                record(endpoint: e, latency: edge, failure: nil, at: now)
                if requestLog != nil, requests[Int(r)].logIndex >= 0 {
                    requestLog!.finish(requests[Int(r)].logIndex, latency: edge, error: nil)
                    requestLog!.markServedByCDN(requests[Int(r)].logIndex)
                }
                freeRequests.append(r)
                return
            }
            cdnExpiry[slot] = Float(now - origin + model.cdn.edgeTTL)
        }
        let p = chooseProcess()
        requests[Int(r)].process = Int32(p)
        if processes[p].inFlight >= model.api.maxInFlightPerProcess {
            processes[p].rejected += 1
            requests[Int(r)].step = Int16(pathLength(r))
            requests[Int(r)].failure = ErrorKind.overloaded.rawValue
            requests[Int(r)].process = -1
            finish(r, in: &sim)
            return
        }
        processes[p].inFlightOverTime.update(to: Double(processes[p].inFlight + 1), at: now)
        processes[p].inFlight += 1
        if processes[p].inFlight > processes[p].peakInFlight { processes[p].peakInFlight = processes[p].inFlight }
        requests[Int(r)].step = endpoint.middleware ? Stage.middlewareCPU : 0
        // The proxy hop comes first; the event loop sees the request after it.
        let atLoop = now + model.loadBalancer.latency
        if endpoint.middleware {
            middlewareCPU(r, arrivingAt: atLoop, in: &sim)
        } else {
            sim.schedule(at: atLoop, kind: Kind.resume, entity: r)
        }
    }

    mutating func chooseProcess() -> Int {
        switch model.loadBalancer.policy {
        case .roundRobin:
            roundRobin += 1
            if roundRobin >= apiProcesses { roundRobin = 0 }
            return roundRobin
        case .random:
            return balancerRNG.nextInt(below: apiProcesses)
        case .leastConnections:
            var best = 0
            for p in 1..<apiProcesses where processes[p].inFlight < processes[best].inFlight { best = p }
            return best
        }
    }

    @inline(__always)
    func pathLength(_ r: Int32) -> Int {
        let path = Int(requests[Int(r)].path) + (requests[Int(r)].isJob ? endpointPathCount : 0)
        return Int(hot.pathEnd[path] - hot.pathStart[path])
    }

    /// Framework, JWT verification and APM tracing: one CPU segment on the event loop.
    mutating func middlewareCPU(_ r: Int32, arrivingAt time: Double, in sim: inout Simulator) {
        let e = Int(requests[Int(r)].path)
        var cpu = model.api.frameworkCPU.sample(&serviceRNG)
        if hot.endpoints[e].authenticated { cpu += model.auth.jwtVerifyCPU.sample(&serviceRNG) }
        if model.monitoring.sentry && serviceRNG.nextUniform() < model.monitoring.tracesSampleRate {
            cpu += model.monitoring.cpuPerTracedRequest.sample(&serviceRNG)
            if measuring { tracedRequests += 1 }
        }
        let p = Int(requests[Int(r)].process)
        let done = serveOnLoop(p, arrival: time, service: cpu)
        requests[Int(r)].step = Stage.middlewareRedis
        sim.schedule(at: done, kind: Kind.resume, entity: r)
    }

    /// Commands in one Redis round trip: half the round trip there, the server's queue, half back.
    mutating func redisCall(scripts: Int, commands: Int, at now: Double) -> Double {
        var service = 0.0
        for _ in 0..<scripts { service += model.redis.scriptTime.sample(&networkRNG) }
        for _ in 0..<commands { service += model.redis.commandTime.sample(&networkRNG) }
        let half = model.redis.roundTrip.sample(&networkRNG) / 2
        redisCommands += scripts + commands
        let done = redis.serve(arrival: now + half, service: service) + half
        if measuring { Self.record(redis.lastWait, in: &redisWait) }
        return done
    }

    /// A Redis cache entry about to be overwritten or deleted no longer counts in Redis's memory.
    mutating func forgetRedisEntry(cache c: Int, key: Int32, at now: Double) {
        let previous = caches[c].tables[0].expiry(key)
        if previous > now { redisMemory.remove(expiry: previous, now: now) }
    }

    /// Whether Redis is down (a fault window).
    @inline(__always)
    func redisDown(_ now: Double) -> Bool { redisOutage?.contains(now) ?? false }

    /// Autoscaler: compares the API processes' busy share over the last interval with the
    /// scaling target and orders the missing instances, which take traffic after the delay.
    mutating func autoscale(in sim: inout Simulator) {
        guard let a = model.api.autoscaling, case .horizontal(let target, _, let hi) = model.api.scaling else { return }
        var busy = 0.0
        for p in 0..<apiProcesses { busy += processes[p].loop.busyTime }
        let delta = busy - lastAutoscaleBusy
        lastAutoscaleBusy = busy
        let utilization = delta / (a.interval * Double(apiProcesses))
        let perInstance = model.api.processesPerInstance
        let instances = apiProcesses / perInstance + pendingInstances
        if utilization > target {
            let wanted = Swift.min(hi, Int((Double(apiProcesses / perInstance) * utilization / target).rounded(.up)))
            let add = Swift.min(wanted - instances, (workerBase - apiProcesses) / perInstance - pendingInstances)
            if add > 0 {
                pendingInstances += add
                sim.schedule(after: a.delay, kind: Kind.instancesReady, entity: Int32(add))
            }
        }
        if sim.now + a.interval <= end { sim.schedule(after: a.interval, kind: Kind.autoscaleCheck) }
    }

    /// Bytes Redis holds now: its base, every live key, queued jobs and session keys.
    func redisMemoryBytes(liveKeys: Int? = nil) -> Double {
        var keys = Double((liveKeys ?? redisMemory.liveKeys) + jobQueue.count)
        if model.auth.sessionCheck { keys += Double(sessionUser.count - freeSessions.count) }
        return model.redis.baseMemoryBytes + keys * model.redis.bytesPerKey
    }

    /// Counts a new key; past `maxmemory`, evicts cache entries as allkeys-lru would:
    /// of a few sampled live entries, the one filled longest ago.
    mutating func redisKeyAdded(expiry: Double, at now: Double) {
        redisMemory.add(expiry: expiry, now: now)
        guard redisMemoryBytes() > model.redis.maxMemoryBytes, !redisCaches.isEmpty else { return }
        var attempts = 0
        while redisMemoryBytes() > model.redis.maxMemoryBytes && attempts < 16 {
            attempts += 1
            var victim: (cache: Int, user: Int32, expiry: Double)?
            for _ in 0..<5 {
                let c = redisCaches[evictionRNG.nextInt(below: redisCaches.count)]
                let u = Int32(evictionRNG.nextInt(below: users.count))
                let e = caches[c].tables[0].expiry(u)
                if e > now && (victim == nil || e < victim!.expiry) { victim = (c, u, e) }
            }
            guard let v = victim else { continue }
            caches[v.cache].tables[0].set(v.user, expiry: -.infinity, now: now)
            redisMemory.remove(expiry: v.expiry, now: now)
            redisMemory.evictions += 1
        }
    }

    /// CPU on process p's event loop: queued behind every other segment in that process.
    mutating func serveOnLoop(_ p: Int, arrival: Double, service: Double) -> Double {
        let done = processes[p].loop.serve(arrival: arrival, service: service)
        if measuring { Self.record(processes[p].loop.lastWait, in: &loopWait) }
        return done
    }

    @inline(__always)
    static func record(_ seconds: Double, in histogram: inout Histogram<UInt64>) {
        _ = histogram.record(UInt64(saturating: (seconds * 1e6).rounded()))
    }

    /// Runs the request's steps until one has to wait.
    mutating func advance(_ r: Int32, in sim: inout Simulator) {
        while true {
            let now = sim.now
            let step = requests[Int(r)].step
            let p = Int(requests[Int(r)].process)
            if step < 0 {
                switch step {
                case Stage.middlewareRedis:
                    rateLimitAndSessionCheck(r, in: &sim)
                    return
                case Stage.jobFetch:
                    let done = redisCall(scripts: 0, commands: model.workers.redisCommandsToFetch, at: now)
                    requests[Int(r)].step = 0
                    sim.schedule(at: done, kind: Kind.resume, entity: r)
                    return
                default:
                    middlewareCPU(r, arrivingAt: now, in: &sim)
                    return
                }
            }
            let path = Int(requests[Int(r)].path) + (requests[Int(r)].isJob ? endpointPathCount : 0)
            let base = Int(hot.pathStart[path])
            if base + Int(step) >= Int(hot.pathEnd[path]) {
                finish(r, in: &sim)
                return
            }
            let s = hot.steps[base + Int(step)]
            switch s.kind {
            case .cpu:
                let cpu = hot.distributions[Int(s.distribution)].sample(&serviceRNG) + s.perRow * Double(requests[Int(r)].rows)
                let done = serveOnLoop(p, arrival: now, service: cpu)
                requests[Int(r)].step += 1
                sim.schedule(at: done, kind: Kind.resume, entity: r)
                return
            case .threadPool:
                let done = processes[p].threadPool.serve(arrival: now, service: hot.distributions[Int(s.distribution)].sample(&serviceRNG))
                requests[Int(r)].step += 1
                sim.schedule(at: done, kind: Kind.resume, entity: r)
                return
            case .redis:
                if redisDown(now) {
                    if model.faults.redisFailMode == .closed {
                        fail(r, .redisUnavailable, at: now + model.faults.redisFailureDelay, in: &sim)
                        return
                    }
                    requests[Int(r)].step += 1
                    sim.schedule(at: now + model.faults.redisFailureDelay, kind: Kind.resume, entity: r)
                    return
                }
                let done = redisCall(scripts: 0, commands: Int(s.argument), at: now)
                requests[Int(r)].step += 1
                sim.schedule(at: done, kind: Kind.resume, entity: r)
                return
            case .cacheLookup:
                let c = Int(s.argument)
                let cache = hot.caches[c]
                let key = cache.global ? 0 : requests[Int(r)].user
                guard cache.enabled, key >= 0 else { requests[Int(r)].step += 1; continue }
                if cache.inRedis && redisDown(now) {
                    // An error is a miss; the fill will fail too.
                    requests[Int(r)].step = step + 1
                    sim.schedule(at: now + model.faults.redisFailureDelay, kind: Kind.resume, entity: r)
                    return
                }
                let table = cache.inRedis ? 0 : p
                let hit = caches[c].tables[table].expiry(key) > now
                if measuring {
                    caches[c].lookups += 1
                    caches[c].keyLookups[Int(key)] &+= 1
                    if hit { caches[c].hits += 1 }
                }
                let done = cache.inRedis ? redisCall(scripts: 0, commands: 1, at: now) : now
                if !hit && cache.coalesce {
                    let fill = Self.fillKey(cache: c, table: table, key: Int(key))
                    if waitingForFill[fill] != nil {
                        // Someone is already fetching it: wait for their fill.
                        waitingForFill[fill]!.append((r, s.jump, step + 1))
                        if measuring { caches[c].coalescedWaits += 1 }
                        return
                    }
                    waitingForFill[fill] = []
                    requests[Int(r)].fillKey = fill
                }
                requests[Int(r)].step = hit ? s.jump : step + 1
                if cache.inRedis {
                    sim.schedule(at: done, kind: Kind.resume, entity: r)
                    return
                }
            case .cacheFill:
                let c = Int(s.argument)
                let cache = hot.caches[c]
                let key = cache.global ? 0 : requests[Int(r)].user
                requests[Int(r)].step += 1
                guard cache.enabled, key >= 0 else { continue }
                if cache.inRedis && redisDown(now) {
                    releaseFillWaiters(r, filled: false, in: &sim)
                    sim.schedule(at: now + model.faults.redisFailureDelay, kind: Kind.resume, entity: r)
                    return
                }
                let ttl = cache.ttl * (1 + cache.jitter * serviceRNG.nextUniform())
                let table = cache.inRedis ? 0 : p
                if cache.inRedis { forgetRedisEntry(cache: c, key: key, at: now) }
                caches[c].tables[table].set(key, expiry: now + ttl, now: now)
                if cache.inRedis { redisKeyAdded(expiry: now + ttl, at: now) }
                caches[c].fills += measuring ? 1 : 0
                releaseFillWaiters(r, filled: true, in: &sim)
                if cache.inRedis {
                    sim.schedule(at: redisCall(scripts: 0, commands: 1, at: now), kind: Kind.resume, entity: r)
                    return
                }
            case .cacheInvalidate:
                let c = Int(s.argument)
                let cache = hot.caches[c]
                let user = cache.global ? 0 : requests[Int(r)].user
                requests[Int(r)].step += 1
                guard cache.enabled, user >= 0 else { continue }
                if cache.inRedis && redisDown(now) {
                    sim.schedule(at: now + model.faults.redisFailureDelay, kind: Kind.resume, entity: r)
                    return
                }
                let table = cache.inRedis ? 0 : p
                if cache.inRedis { forgetRedisEntry(cache: c, key: user, at: now) }
                caches[c].tables[table].set(user, expiry: -.infinity, now: now)
                caches[c].invalidations += measuring ? 1 : 0
                if cache.inRedis {
                    sim.schedule(at: redisCall(scripts: 0, commands: 1, at: now), kind: Kind.resume, entity: r)
                    return
                }
            case .query:
                if !queryStep(r, query: Int(s.argument), in: &sim) { return }
            case .external:
                callExternal(r, service: Int(s.argument), in: &sim)
                return
            case .enqueue:
                if redisDown(now) {
                    // BullMQ cannot add the job: the request fails.
                    fail(r, .redisUnavailable, at: now + model.faults.redisFailureDelay, in: &sim)
                    return
                }
                let done = redisCall(scripts: 0, commands: model.workers.redisCommandsToAdd, at: now)
                let job = newJob(type: Int(s.argument), user: requests[Int(r)].user, at: now)
                sim.schedule(at: done, kind: Kind.jobAvailable, entity: job)
                requests[Int(r)].step += 1
                sim.schedule(at: done, kind: Kind.resume, entity: r)
                return
            }
        }
    }

    /// The rate limiters (one Lua script each, stopping at the first that rejects) and the
    /// phase-2 session check, in one Redis round trip.
    mutating func rateLimitAndSessionCheck(_ r: Int32, in sim: inout Simulator) {
        let now = sim.now
        let e = Int(requests[Int(r)].path)
        let user = Int(requests[Int(r)].user)
        let ip = Int(requests[Int(r)].ip)
        let tier = user >= 0 ? Int(users.tier[user]) : -1
        if redisDown(now) {
            let needsRedis = limiters.contains { $0.applies(to: e) } || (model.auth.sessionCheck && hot.endpoints[e].authenticated)
            if needsRedis {
                let done = now + model.faults.redisFailureDelay
                if model.faults.redisFailMode == .closed {
                    fail(r, .redisUnavailable, at: done, in: &sim)
                    return
                }
                requests[Int(r)].step = 0
                sim.schedule(at: done, kind: Kind.resume, entity: r)
                return
            }
        }
        var scripts = 0
        var failure: ErrorKind?
        for l in limiters.indices where limiters[l].applies(to: e) {
            scripts += 1
            let keyUser = hot.endpoints[e].authenticated || limiters[l].model.key == .ip ? user : -1
            let decision = limiters[l].check(ip: ip, user: keyUser, tier: tier, at: now)
            if limiters[l].createdKey { redisKeyAdded(expiry: now + limiters[l].model.window, at: now) }
            switch decision {
            case .allowed: continue
            case .rejected: failure = .rateLimited
            case .falselyRejected: failure = .rateLimitedFalse
            }
            let key = limiters[l].model.key == .ip ? ip : user
            requests[Int(r)].retryAfter = limiters[l].counters.retryAfter(Swift.max(0, key), at: now)
            break
        }
        let session = model.auth.sessionCheck && hot.endpoints[e].authenticated && failure == nil ? 1 : 0
        let done = scripts + session > 0 ? redisCall(scripts: scripts, commands: session, at: now) : now
        if let failure {
            fail(r, failure, at: done, in: &sim)
            return
        }
        requests[Int(r)].step = 0
        sim.schedule(at: done, kind: Kind.resume, entity: r)
    }

    /// Ends the request at `time` with an error (its remaining steps are skipped).
    mutating func fail(_ r: Int32, _ failure: ErrorKind, at time: Double? = nil, in sim: inout Simulator) {
        requests[Int(r)].failure = failure.rawValue
        requests[Int(r)].step = Int16(pathLength(r))
        if let t = time, t > sim.now {
            sim.schedule(at: t, kind: Kind.resume, entity: r)
        } else {
            finish(r, in: &sim)
        }
    }

    /// The response leaves (or the job ends): statistics, in-flight count, client retries.
    mutating func finish(_ r: Int32, in sim: inout Simulator) {
        let now = sim.now
        if requests[Int(r)].fillKey >= 0 { releaseFillWaiters(r, filled: false, in: &sim) }
        if requests[Int(r)].isJob { finishJob(r, in: &sim); return }
        let e = Int(requests[Int(r)].path)
        var failure = ErrorKind(rawValue: requests[Int(r)].failure)
        var latency = now - requests[Int(r)].arrival
        if latency > model.api.requestTimeout {
            // The client gave up at the timeout; the server finished the work anyway.
            failure = failure ?? .timeout
            latency = model.api.requestTimeout
        }
        let p = Int(requests[Int(r)].process)
        if p >= 0 {
            processes[p].inFlightOverTime.update(to: Double(processes[p].inFlight - 1), at: now)
            processes[p].inFlight -= 1
            if measuring {
                processes[p].completed += 1
                processes[p].responseTimes.record(now - requests[Int(r)].arrival)
            }
        }
        if measuring && failure == nil { originEgressBytes += hot.endpoints[e].responseBytes }
        record(endpoint: e, latency: latency, failure: failure, at: now)
        if requestLog != nil, requests[Int(r)].logIndex >= 0 { requestLog!.finish(requests[Int(r)].logIndex, latency: latency, error: failure) }
        let retries = model.traffic.retries
        let attempt = requests[Int(r)].attempt
        if let failure, Int(attempt) < retries.maxRetries {
            var delay: Double
            switch retries.backoff {
            case .none: delay = retries.baseDelay
            case .exponential: delay = retries.baseDelay * Double(1 << Int(Swift.min(attempt, 20)))
            case .exponentialJitter: delay = retries.baseDelay * Double(1 << Int(Swift.min(attempt, 20))) * retryRNG.nextUniform()
            }
            if retries.honourRetryAfter && failure.isRateLimit {
                delay = Swift.max(delay, requests[Int(r)].retryAfter)
            }
            if now + delay <= end {
                let retry = newRequest()
                requests[Int(retry)].path = Int32(e)
                requests[Int(retry)].user = requests[Int(r)].user
                requests[Int(retry)].ip = requests[Int(r)].ip
                requests[Int(retry)].pageLimit = requests[Int(r)].pageLimit
                requests[Int(retry)].attempt = attempt + 1
                sim.schedule(at: now + delay, kind: Kind.clientRetry, entity: retry)
            }
        }
        freeRequests.append(r)
    }

    static func fillKey(cache: Int, table: Int, key: Int) -> Int { ((cache << 20) | table) << 32 | key }

    /// The filler of a coalesced miss is done: waiters continue after the fill (a hit), or,
    /// if it failed, each goes to fetch for itself.
    mutating func releaseFillWaiters(_ r: Int32, filled: Bool, in sim: inout Simulator) {
        let fill = requests[Int(r)].fillKey
        guard fill >= 0 else { return }
        requests[Int(r)].fillKey = -1
        guard let waiters = waitingForFill.removeValue(forKey: fill) else { return }
        for w in waiters {
            requests[Int(w.request)].step = filled ? w.hitStep : w.missStep
            sim.schedule(at: sim.now, kind: Kind.resume, entity: w.request)
        }
    }

    /// Appends the request to the request log (only called when one is kept).
    mutating func logArrival(_ r: Int32, at now: Double) {
        let q = requests[Int(r)]
        let tier: Int8 = q.user >= 0 ? Int8(users.tier[Int(q.user)]) : -1
        let limit: Float = hot.endpoints[Int(q.path)].requestedLimit >= 0 ? q.pageLimit : 0
        requests[Int(r)].logIndex = requestLog!.arrive(RequestLog.Record(
            arrival: now, latency: .nan, endpoint: q.path, user: q.user, ip: q.ip, pageLimit: limit, tier: tier,
            attempt: q.attempt, errorCode: 0, servedByCDN: false))
    }

    /// Counts a response in the measured window.
    mutating func record(endpoint e: Int, latency seconds: Double, failure: ErrorKind?, at now: Double) {
        let micros = Swift.max(1, UInt64(saturating: (seconds * 1e6).rounded()))
        // The time series runs through the warm-up too (to check it is long enough).
        _ = tickLatency.record(micros)
        tickCompleted += 1
        if failure != nil { tickErrors += 1 }
        guard measuring else { return }
        _ = latency.record(micros)
        _ = endpointLatency[e].record(micros)
        completedRequests += 1
        endpointCount[e] += 1
        guard let failure else { return }
        endpointErrors[e] += 1
        switch failure {
        case .rateLimited: errors.rateLimited += 1
        case .rateLimitedFalse: errors.rateLimitedFalse += 1
        case .poolTimeout: errors.poolTimeout += 1
        case .connectionRefused: errors.connectionRefused += 1
        case .pgbouncerWaitTimeout: errors.pgbouncerWaitTimeout += 1
        case .upstream: errors.upstream += 1
        case .timeout: errors.timeout += 1
        case .overloaded: errors.overloaded += 1
        case .redisUnavailable: errors.redisUnavailable += 1
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

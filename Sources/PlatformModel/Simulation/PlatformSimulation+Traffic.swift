import SimulationEngine

extension PlatformSimulation {
    public mutating func handle(_ event: Event, in sim: inout Simulator) {
        prefetchAhead(sim.events.peekNear)
        guard let kind = EventKind(rawValue: event.kind) else { preconditionFailure("not an event of the platform: \(event.kind)") }
        switch kind {
        case .resume:
            advance(event.entity, in: &sim)
        case .databaseArrival:
            databaseArrival(event.entity, in: &sim)
        case .databaseCompletion:
            databaseCompletion(event, in: &sim)
        case .volumeCompletion:
            volumeCompletion(event, in: &sim)
        case .pageView:
            pageView(event.entity, at: sim.now, &sim)
        case .sessionArrival:
            let owner = Int32(users.sessionOwner.sample(&sessionRNG))
            let s = sessions.open(user: owner, ip: users.ip[Int(owner)], meanPages: hot.parameters.pageViewsPerSession, &sessionRNG)
            pageView(s, at: sim.now, &sim)
            Self.schedule(.sessionArrival, at: sessionRate.next(after: sim.now, &arrivalRNG), before: end, in: &sim)
        case .unauthenticatedArrival:
            if let mix = unauthMix {
                let e = unauthEndpoints[mix.sample(&unauthenticatedRNG)]
                let ip = users.userIPs + unauthenticatedRNG.nextInt(below: Swift.max(1, users.totalIPs - users.userIPs))
                startRequest(endpoint: e, user: -1, ip: Int32(ip), attempt: 0, in: &sim)
            }
            Self.schedule(.unauthenticatedArrival, at: unauthenticatedRate.next(after: sim.now, &unauthenticatedRNG), before: end, in: &sim)
        case .webhookArrival:
            startRequest(endpoint: hot.parameters.webhookEndpoint, user: -1, ip: Int32(users.totalIPs + 1), attempt: 0, in: &sim)
            Self.schedule(.webhookArrival, at: webhookRate.next(after: sim.now, &webhookRNG), before: end, in: &sim)
        case .apiClientArrival:
            let user = Int32(users.sessionOwner.sample(&apiClientRNG))
            let endpoint = authEndpoints[authMix.sample(&apiClientRNG)]
            startRequest(endpoint: endpoint, user: user, ip: users.ip[Int(user)], attempt: 0, in: &sim)
            Self.schedule(.apiClientArrival, at: apiClientRate.next(after: sim.now, &apiClientRNG), before: end, in: &sim)
        case .healthArrival:
            startRequest(endpoint: hot.parameters.healthEndpoint, user: -1, ip: Int32(users.totalIPs), attempt: 0, in: &sim)
            Self.schedule(.healthArrival, at: sim.now + healthRNG.exponential(rate: healthRate), before: end, in: &sim)
        case .poolDeadline:
            let p = Int(event.target)
            pools[p].expire(event, in: &sim, into: &expired)
            while let r = expired.popLast() {
                if measuring { Self.record(pools[p].timeout, in: &poolWait) }
                fail(r, .poolTimeout, in: &sim)
            }
        case .bouncerDeadline:
            let b = Int(event.target)
            bouncers[b].serverPool.expire(event, in: &sim, into: &expired)
            while let r = expired.popLast() {
                if measuring { Self.record(bouncers[b].serverPool.timeout, in: &bouncerWait) }
                releaseAppConnection(r, in: &sim)
                fail(r, .pgbouncerWaitTimeout, in: &sim)
            }
        case .jobAvailable:
            jobs.enqueue(event.entity, at: sim.now)
            dispatchJobs(in: &sim)
        case .clientRetry:
            arrive(event.entity, in: &sim)
        case .tick:
            recordTick(at: sim.now)
            // Warm-up buckets stop at the end of the warm-up, where the measured ones begin.
            let next = sim.now + settings.timeSeriesInterval
            if measuring ? next <= end + 1e-9 : next < measureStart - 1e-9 {
                Self.schedule(.tick, at: next, in: &sim)
            }
        case .autoscaleCheck:
            autoscale(in: &sim)
        case .instancesReady:
            let add = Int(event.entity)
            autoscaler?.pending -= add
            apiProcesses = Swift.min(workerBase, apiProcesses + add * hot.parameters.processesPerInstance)
            autoscaler?.added += add
        case .redisBack:
            dispatchJobs(in: &sim)
        case .warmUpEnd:
            // The warm-up's last bucket ends here; the measured buckets start.
            if settings.warmUp > 0 && settings.timeSeriesInterval > 0 { recordTick(at: sim.now) }
            resetStatistics(at: sim.now)
            flushLatencies()
            measuring = true
            tickCompleted = 0
            tickErrors = 0
            tickLatency.reset()
            if settings.timeSeriesInterval > 0 { Self.schedule(.tick, at: sim.now + settings.timeSeriesInterval, in: &sim) }
        }
    }

    // MARK: Page views

    /// What a page view's calls do: the live run starts requests (the context is the
    /// simulator), the replay before the run only counts them in the limiters and caches (see
    /// ``ReplayContext``). Static requirements over a context passed in, so `pageView` is
    /// specialised for each and nothing is copied or allocated per page view.
    protocol PageViewContext {
        /// An API call of the page (or the token refresh) from `user` at `ip`.
        static func call(_ simulation: inout PlatformSimulation, endpoint: Int, user: Int32, ip: Int32, at now: Double, _ context: inout Self)
        /// The page's static assets.
        static func staticAssets(_ simulation: inout PlatformSimulation, user: Int32, ip: Int32, count: Int, at now: Double, _ context: inout Self)
        /// The session's next page view at `time`.
        static func nextPage(_ simulation: inout PlatformSimulation, session: Int32, at time: Double, _ context: inout Self)
    }

    /// One page view of session `s` at `now`: a token refresh when its access token has
    /// expired, the page's API calls drawn from the mix, a polling tab's calls (a Poisson count
    /// over the think time, sent with the page: an approximation of their timing), its static
    /// assets (a Poisson count),
    /// and the next page after a think time, or the session's end. The live run and the replay
    /// both run this; draws come from `sessionRNG` (the replay swaps in its own stream).
    mutating func pageView<Context: PageViewContext>(_ s: Int32, at now: Double, _ context: inout Context) {
        let p = hot.parameters
        let user = sessions.user[Int(s)]
        let ip = sessions.ip[Int(s)]
        if p.tokenRotation && sessions.refreshToken(s, at: now, lifetime: p.accessTokenLifetime) {
            Context.call(&self, endpoint: p.refreshEndpoint, user: user, ip: ip, at: now, &context)
        }
        for _ in 0..<p.apiCallsPerPageView {
            let endpoint = authEndpoints[authMix.sample(&sessionRNG)]
            Context.call(&self, endpoint: endpoint, user: user, ip: ip, at: now, &context)
        }
        // A polling tab's calls until the next page (none when the app does not poll).
        for _ in 0..<sessionRNG.poisson(mean: p.pollingCallsPerPageView) {
            Context.call(&self, endpoint: p.pollingEndpoint, user: user, ip: ip, at: now, &context)
        }
        let assets = sessionRNG.poisson(mean: p.staticAssetsPerPageView)
        Context.staticAssets(&self, user: user, ip: ip, count: assets, at: now, &context)
        if sessions.viewed(s) {
            let next = now + hot.sample(p.thinkTime, &sessionRNG)
            Context.nextPage(&self, session: s, at: next, &context)
        } else {
            sessions.close(s)
        }
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
        prefetchIPRows(Int(ip))
        requests[Int(r)].path = Int32(e)
        requests[Int(r)].user = user
        requests[Int(r)].ip = ip
        requests[Int(r)].attempt = attempt
        let limitDist = hot.endpoints[e].requestedLimit
        if limitDist >= 0 {
            var limit = Swift.max(1, hot.sample(limitDist, &sessionRNG).rounded())
            if let cap = hot.parameters.maxPageSize { limit = Swift.min(limit, cap) }
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
        loadGeneratorSends(in: &sim)
        if endpoint.clientFacing { requests[Int(r)].newConnection = network.opensConnection(&connectionRNG) }
        if endpoint.cdnCacheable, cdn != nil {
            if let edgeTime = cdn!.lookup(endpoint: e, user: requests[Int(r)].user, at: now, measuring: measuring, &cdnRNG) {
                if measuring { cdnEgressBytes += endpoint.responseBytes }
                let edge = edgeTime + network.time(user: requests[Int(r)].user, ip: requests[Int(r)].ip, bytes: endpoint.responseBytes,
                                                   path: .edge, newConnection: requests[Int(r)].newConnection)
                record(endpoint: e, latency: edge, failure: nil, at: now)
                if requestLog != nil, requests[Int(r)].logIndex >= 0 {
                    requestLog!.finish(requests[Int(r)].logIndex, latency: edge, error: nil)
                    requestLog!.markServedByCDN(requests[Int(r)].logIndex)
                }
                freeRequests.append(r)
                return
            }
        }
        let p = balancer.choose(among: apiProcesses, processes: processes, &balancerRNG)
        requests[Int(r)].process = Int32(p)
        if processes[p].inFlight >= hot.parameters.maxInFlightPerProcess {
            processes[p].rejected += 1
            requests[Int(r)].process = -1
            fail(r, .overloaded, in: &sim)
            return
        }
        processes[p].admit(at: now)
        requests[Int(r)].stage = endpoint.middleware ? .middlewareCPU : .path
        requests[Int(r)].step = 0
        // The proxy hop comes first; the event loop sees the request after it.
        let atLoop = now + hot.parameters.loadBalancerLatency
        if endpoint.middleware {
            middlewareCPU(r, arrivingAt: atLoop, in: &sim)
        } else {
            Self.schedule(.resume, at: atLoop, entity: r, in: &sim)
        }
    }

    /// Autoscaler: orders the missing instances, which take traffic after the delay.
    mutating func autoscale(in sim: inout Simulator) {
        guard autoscaler != nil else { return }
        var busy = 0.0
        for p in 0..<apiProcesses { busy += processes[p].loop.busyTime }
        let add = autoscaler!.check(totalBusy: busy, apiProcesses: apiProcesses, processesPerInstance: hot.parameters.processesPerInstance,
                                    capacity: workerBase)
        let a = autoscaler!.model
        if add > 0 { Self.schedule(.instancesReady, at: sim.now + a.delay, entity: Int32(add), in: &sim) }
        if sim.now + a.interval <= end { Self.schedule(.autoscaleCheck, at: sim.now + a.interval, in: &sim) }
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
}

/// The live run's page views: requests start at once, the next page is an event.
extension Simulator: PlatformSimulation.PageViewContext {
    static func call(_ simulation: inout PlatformSimulation, endpoint: Int, user: Int32, ip: Int32, at now: Double, _ sim: inout Simulator) {
        simulation.startRequest(endpoint: endpoint, user: user, ip: ip, attempt: 0, in: &sim)
    }

    static func staticAssets(_ simulation: inout PlatformSimulation, user: Int32, ip: Int32, count: Int, at now: Double, _ sim: inout Simulator) {
        var n = count
        while n > 0 {
            simulation.startRequest(endpoint: simulation.hot.parameters.staticEndpoint, user: user, ip: ip, attempt: 0, in: &sim)
            n -= 1
        }
    }

    static func nextPage(_ simulation: inout PlatformSimulation, session: Int32, at time: Double, _ sim: inout Simulator) {
        if time <= simulation.end { PlatformSimulation.schedule(.pageView, at: time, entity: session, in: &sim) }
        else { simulation.sessions.close(session) }
    }
}

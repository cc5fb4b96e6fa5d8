import SimulationEngine

extension PlatformSimulation {
    /// Event kinds of the replay (its own event list; unrelated to ``Kind``).
    enum ReplayKind {
        static let sessionArrival: Int32 = 0
        static let pageView: Int32 = 1
        static let unauthenticatedArrival: Int32 = 2
    }

    /// Replays the traffic of the `span` seconds before the run starts through the state that
    /// outlives a request (rate-limit windows, cache entries, sessions) without simulating the
    /// components: each call counts in the limiters and fills the caches it looks up as if it
    /// were served at once.
    ///
    /// A 15-minute rate-limit window fills with the session bursts of real traffic, which a
    /// Poisson guess of each key's count understates (offices go over their limit in bursts),
    /// and caches hold what sessions left in them. The run then starts with that state, its
    /// warm-up only has to settle the queues, and the sessions still under way carry on.
    ///
    /// The replay draws from streams of its own, the same whatever the configuration, so every
    /// configuration at a seed starts from the same traffic history (common random numbers).
    mutating func replayTraffic(before start: Double, span: Double, in sim: inout Simulator) {
        let t = model.traffic
        let from = start - span
        var list = EventList(reservingCapacity: 4096)
        let streams = RandomStreams(masterSeed: settings.seed, replication: settings.replication)
        var arrivals = streams.stream("replay.sessionArrivals")
        var sessionsRNG = streams.stream("replay.sessions")
        var unauthRNG = streams.stream("replay.unauthenticated")
        var cacheRNG = streams.stream("replay.caches")
        // Traffic at the run's starting rate (the warm-up runs at the window's rate too).
        let sessionRate = self.sessionRate.rate(at: start)
        let unauthRate = unauthenticatedRate.rate(at: start)

        // No history at all (`replaySeconds` 0): every limiter window starts empty, as on a
        // server just started (the testbed's validation compares decisions from such a start).
        if span > 0 { presetRateLimitWindows(at: from, rate: sessionRate) }
        // Sessions in progress at the start of the replay: a session lasts (pages - 1) think
        // times, so Poisson(rate x that) are under way, each with a geometric number of pages
        // left (memoryless) and its next page a think time away (the residual of an exponential
        // think time is exponential too). The replay runs longer than a session, so what is
        // left of this approximation for other think-time shapes has washed out by the start.
        let sessionLength = Swift.max(0, t.pageViewsPerSession - 1) * t.thinkTime.mean
        for _ in 0..<Self.poisson(mean: sessionRate * sessionLength, &sessionsRNG) {
            let s = newSession(user: Int32(users.sessionOwner.sample(&sessionsRNG)), &sessionsRNG)
            list.insert(Event(time: from + t.thinkTime.sample(&sessionsRNG), kind: ReplayKind.pageView, entity: s))
        }
        if sessionRate > 0 { list.insert(Event(time: from - log(arrivals.nextOpenUniform()) / sessionRate, kind: ReplayKind.sessionArrival)) }
        if unauthRate > 0 { list.insert(Event(time: from - log(unauthRNG.nextOpenUniform()) / unauthRate, kind: ReplayKind.unauthenticatedArrival)) }

        var process = 0
        while let e = list.first, e.time < start {
            _ = list.popMin()
            let now = e.time
            switch e.kind {
            case ReplayKind.sessionArrival:
                let s = newSession(user: Int32(users.sessionOwner.sample(&sessionsRNG)), &sessionsRNG)
                list.insert(Event(time: now, kind: ReplayKind.pageView, entity: s))
                list.insert(Event(time: now - log(arrivals.nextOpenUniform()) / sessionRate, kind: ReplayKind.sessionArrival))
            case ReplayKind.unauthenticatedArrival:
                if let mix = unauthMix {
                    let endpoint = unauthEndpoints[mix.sample(&unauthRNG)]
                    let ip = users.userIPs + unauthRNG.nextInt(below: Swift.max(1, users.totalIPs - users.userIPs))
                    replayCall(endpoint: endpoint, user: -1, ip: ip, process: &process, at: now, &cacheRNG)
                }
                list.insert(Event(time: now - log(unauthRNG.nextOpenUniform()) / unauthRate, kind: ReplayKind.unauthenticatedArrival))
            default:
                let s = Int(e.entity)
                let user = Int(sessionUser[s])
                let ip = Int(users.ip[user])
                if model.auth.tokenRotation && now >= sessionTokenExpiry[s] {
                    sessionTokenExpiry[s] = now + model.auth.accessTokenLifetime
                    replayCall(endpoint: t.refreshEndpoint, user: user, ip: ip, process: &process, at: now, &cacheRNG)
                }
                for _ in 0..<t.apiCallsPerPageView {
                    replayCall(endpoint: authEndpoints[authMix.sample(&sessionsRNG)], user: user, ip: ip, process: &process, at: now, &cacheRNG)
                }
                sessionPagesLeft[s] -= 1
                if sessionPagesLeft[s] > 0 {
                    list.insert(Event(time: now + t.thinkTime.sample(&sessionsRNG), kind: ReplayKind.pageView, entity: Int32(s)))
                } else {
                    freeSessions.append(Int32(s))
                }
            }
        }
        // Sessions under way carry on into the run.
        while !list.isEmpty {
            let e = list.popMin()
            if e.kind == ReplayKind.pageView && e.time <= end { sim.schedule(at: Swift.max(e.time, start), kind: Kind.pageView, entity: e.entity) }
            else if e.kind == ReplayKind.pageView { freeSessions.append(e.entity) }
        }
    }

    /// One call of the replay: counted by the limiters that see it, filling the caches its path looks up.
    mutating func replayCall(endpoint e: Int, user: Int, ip: Int, process: inout Int, at now: Double, _ rng: inout Xoshiro256StarStar) {
        if hot.endpoints[e].middleware {
            let tier = user >= 0 ? Int(users.tier[user]) : -1
            for l in limiters.indices where limiters[l].applies(to: e) {
                let keyUser = hot.endpoints[e].authenticated || limiters[l].model.key == .ip ? user : -1
                let decision = limiters[l].check(ip: ip, user: keyUser, tier: tier, at: now)
                if limiters[l].createdKey { redisMemory.add(expiry: now + limiters[l].model.window, now: now) }
                if decision != .allowed { return }  // later limiters do not see a rejected request
            }
        }
        process = process + 1 < apiProcesses ? process + 1 : 0
        let start = Int(hot.pathStart[e]), stop = Int(hot.pathEnd[e])
        for i in start..<stop where hot.steps[i].kind == .cacheLookup {
            let c = Int(hot.steps[i].argument)
            let cache = hot.caches[c]
            let key = cache.global ? 0 : Int32(user)
            guard cache.enabled, key >= 0 else { continue }
            let table = cache.inRedis ? 0 : process
            if caches[c].tables[table].expiry(key) > now { continue }
            let expiry = now + cache.ttl * (1 + cache.jitter * rng.nextUniform())
            caches[c].tables[table].set(key, expiry: expiry, now: now)
            if cache.inRedis { redisMemory.add(expiry: expiry, now: now) }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import SimulationEngine

extension PlatformSimulation {
    /// Event kinds of the replay (its own event list; unrelated to ``EventKind``).
    enum ReplayKind {
        static let sessionArrival: Int32 = 0
        static let pageView: Int32 = 1
        static let unauthenticatedArrival: Int32 = 2
        static let apiClientArrival: Int32 = 3
    }

    /// What the replay keeps besides the simulation: its event list, the process its calls
    /// go to in turn, and the stream its cache fills draw from.
    struct ReplayContext: PageViewContext {
        var list: EventList
        var process = 0
        /// The replica the next replica-eligible query goes to (round robin, as live).
        var replica = 0
        var cacheRNG: Xoshiro256StarStar

        static func call(_ simulation: inout PlatformSimulation, endpoint: Int, user: Int32, ip: Int32, at now: Double, _ context: inout ReplayContext) {
            simulation.replayCall(endpoint: endpoint, user: Int(user), ip: Int(ip), at: now, &context)
        }

        /// Static assets touch neither limiters nor caches: nothing to replay (their count is
        /// still drawn, as live, so the page view is the same function).
        static func staticAssets(_ simulation: inout PlatformSimulation, user: Int32, ip: Int32, count: Int, at now: Double, _ context: inout ReplayContext) {}

        static func nextPage(_ simulation: inout PlatformSimulation, session: Int32, at time: Double, _ context: inout ReplayContext) {
            context.list.insert(Event(time: time, kind: ReplayKind.pageView, entity: session))
        }
    }

    /// Replays the traffic of the `span` seconds before the run starts through the state that
    /// outlives a request (rate-limit windows, cache entries, sessions, the rows in the database
    /// servers' buffer caches) without simulating the components: each call counts in the
    /// limiters, fills the caches it looks up and touches the rows its queries read as if it
    /// were served at once.
    ///
    /// A 15-minute rate-limit window fills with the session bursts of real traffic, which a
    /// Poisson guess of each key's count understates (offices go over their limit in bursts),
    /// and caches hold what sessions left in them. The run then starts with that state, its
    /// warm-up only has to settle the queues, and the sessions still under way carry on.
    ///
    /// Page views, limiter checks and cache fills go through the live run's functions
    /// (`pageView`, `checkLimiters`, `storeEntry`), so the replay cannot drift from what the run
    /// does. It draws from streams of its own, the same whatever the configuration, so every
    /// configuration at a seed starts from the same traffic history (common random numbers).
    mutating func replayTraffic(before start: Double, span: Double, in sim: inout Simulator) {
        let t = model.traffic
        let from = start - span
        let streams = RandomStreams(masterSeed: settings.seed, replication: settings.replication)
        var arrivals = streams.stream("replay.sessionArrivals")
        var unauthRNG = streams.stream("replay.unauthenticated")
        var apiClientsRNG = streams.stream("replay.apiClients")
        var context = ReplayContext(list: EventList(reservingCapacity: 4096), cacheRNG: streams.stream("replay.caches"))
        // Page views draw from `sessionRNG`: the replay's own session stream stands in for it.
        var liveSessions = streams.stream("replay.sessions")
        swap(&sessionRNG, &liveSessions)
        defer { swap(&sessionRNG, &liveSessions) }
        // Traffic at the run's starting rate (the warm-up runs at the window's rate too).
        let sessionRate = self.sessionRate.rate(at: start)
        let unauthRate = unauthenticatedRate.rate(at: start)
        let apiRate = apiClientRate.rate(at: start)

        // No history at all (`replaySeconds` 0): every limiter window starts empty, as on a
        // server just started (the testbed's validation compares decisions from such a start).
        if span > 0 { presetRateLimitWindows(at: from, rate: sessionRate) }
        // Sessions in progress at the start of the replay: a session lasts (pages - 1) think
        // times, so Poisson(rate x that) are under way, each with a geometric number of pages
        // left (memoryless) and its next page a think time away (the residual of an exponential
        // think time is exponential too). The replay runs longer than a session, so what is
        // left of this approximation for other think-time shapes has washed out by the start.
        let sessionLength = Swift.max(0, t.pageViewsPerSession - 1) * t.thinkTime.mean
        for _ in 0..<sessionRNG.poisson(mean: sessionRate * sessionLength) {
            let owner = Int32(users.sessionOwner.sample(&sessionRNG))
            let s = sessions.open(user: owner, ip: users.ip[Int(owner)], meanPages: t.pageViewsPerSession, &sessionRNG)
            context.list.insert(Event(time: from + hot.sample(hot.parameters.thinkTime, &sessionRNG), kind: ReplayKind.pageView, entity: s))
        }
        if sessionRate > 0 { context.list.insert(Event(time: from + arrivals.exponential(rate: sessionRate), kind: ReplayKind.sessionArrival)) }
        if unauthRate > 0 { context.list.insert(Event(time: from + unauthRNG.exponential(rate: unauthRate), kind: ReplayKind.unauthenticatedArrival)) }
        if apiRate > 0 { context.list.insert(Event(time: from + apiClientsRNG.exponential(rate: apiRate), kind: ReplayKind.apiClientArrival)) }

        while let e = context.list.first, e.time < start {
            _ = context.list.popMin()
            let now = e.time
            switch e.kind {
            case ReplayKind.sessionArrival:
                let owner = Int32(users.sessionOwner.sample(&sessionRNG))
                let s = sessions.open(user: owner, ip: users.ip[Int(owner)], meanPages: t.pageViewsPerSession, &sessionRNG)
                context.list.insert(Event(time: now, kind: ReplayKind.pageView, entity: s))
                context.list.insert(Event(time: now + arrivals.exponential(rate: sessionRate), kind: ReplayKind.sessionArrival))
            case ReplayKind.unauthenticatedArrival:
                if let mix = unauthMix {
                    let endpoint = unauthEndpoints[mix.sample(&unauthRNG)]
                    let ip = users.userIPs + unauthRNG.nextInt(below: Swift.max(1, users.totalIPs - users.userIPs))
                    replayCall(endpoint: endpoint, user: -1, ip: ip, at: now, &context)
                }
                context.list.insert(Event(time: now + unauthRNG.exponential(rate: unauthRate), kind: ReplayKind.unauthenticatedArrival))
            case ReplayKind.apiClientArrival:
                let user = users.sessionOwner.sample(&apiClientsRNG)
                let endpoint = authEndpoints[authMix.sample(&apiClientsRNG)]
                replayCall(endpoint: endpoint, user: user, ip: Int(users.ip[user]), at: now, &context)
                context.list.insert(Event(time: now + apiClientsRNG.exponential(rate: apiRate), kind: ReplayKind.apiClientArrival))
            default:
                pageView(e.entity, at: now, &context)
            }
        }
        // Sessions under way carry on into the run.
        while !context.list.isEmpty {
            let e = context.list.popMin()
            guard e.kind == ReplayKind.pageView else { continue }
            if e.time <= end { Self.schedule(.pageView, at: Swift.max(e.time, start), entity: e.entity, in: &sim) }
            else { sessions.close(e.entity) }
        }
    }

    /// One call of the replay: counted by the limiters that see it (as the live middleware
    /// does), filling the caches its path looks up when their entry has expired.
    mutating func replayCall(endpoint e: Int, user: Int, ip: Int, at now: Double, _ context: inout ReplayContext) {
        if hot.endpoints[e].middleware {
            // A rejected request goes no further.
            if checkLimiters(endpoint: e, user: user, ip: ip, at: now).failure != nil { return }
        }
        context.process = context.process + 1 < apiProcesses ? context.process + 1 : 0
        let start = Int(hot.pathStart[e]), stop = Int(hot.pathEnd[e])
        var i = start
        while i < stop {
            let step = hot.steps[i]
            i += 1
            switch step.kind {
            case .cacheLookup:
                let c = Int(step.argument)
                let key = caches[c].key(user: Int32(user))
                guard caches[c].enabled, key >= 0 else { continue }
                let table = caches[c].table(process: context.process)
                // A hit skips the path's queries, as live.
                if caches[c].tables[table].expiry(key) > now { i = start + Int(step.jump); continue }
                storeEntry(cache: c, key: key, table: table, expiry: caches[c].fillExpiry(at: now, &context.cacheRNG), at: now)
            case .query where user >= 0:
                replayQuery(Int(step.argument), user: user, at: now, &context)
            default:
                continue
            }
        }
    }

    /// A query of the replay brings its user's rows into the buffer cache of the server it
    /// would run on, as live (`queryStep`): a write into the primary's and, applied, every
    /// replica's; a replica-eligible read into the next replica's in turn, or the primary's when
    /// the user wrote within the read-your-writes window. Users in the middle of a session thus
    /// start the run with their data in memory, as they would. Writes also set the user's last
    /// write, so those who just wrote start the run reading from the primary.
    ///
    /// Not replayed: the queries of background jobs (the replay runs no workers) and reads
    /// without a user or of a whole table (they touch no user's item).
    mutating func replayQuery(_ qi: Int, user: Int, at now: Double, _ context: inout ReplayContext) {
        let q = hot.queries[qi]
        let sinceOrigin = now - origin
        if q.write { lastWrite[user] = Float(sinceOrigin) }
        guard q.pagesPerRow > 0, !q.scansTable else { return }
        let table = Int(q.table)
        let recentWrite = sinceOrigin - Double(lastWrite[user]) < hot.parameters.readYourWritesWindow
        if q.write || !q.replicaEligible || replicasPerShard == 0 || recentWrite {
            bufferCaches[0].touch(user: user, table: table, now: sinceOrigin)
            if q.write { for c in 1..<bufferCaches.count { bufferCaches[c].touch(user: user, table: table, now: sinceOrigin) } }
        } else {
            context.replica = context.replica + 1 < replicasPerShard ? context.replica + 1 : 0
            bufferCaches[1 + context.replica].touch(user: user, table: table, now: sinceOrigin)
        }
    }

    /// Gives each limiter key a window of random age, as keys have in steady state: a key with
    /// request rate r gets a window of uniform age a holding about r*a requests. The replay that
    /// follows then brings the counts to what bursty traffic leaves, while the windows keep
    /// their random phases (started all together, busy keys would stay in step, every window
    /// resetting at once).
    mutating func presetRateLimitWindows(at now: Double, rate: Double) {
        let t = model.traffic
        // Authenticated requests per second of a user with weight 1 (page views' calls; API
        // clients', when there are any, come on top).
        let perUserRate = (rate * t.pageViewsPerSession * Double(t.apiCallsPerPageView)
            + apiClientRate.rate(at: now + settings.replaySeconds)) / Swift.max(1, Double(users.count))
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
                    let n = rng.poisson(mean: r * age)
                    limiters[l].counters.preset(u, start: now - age, count: n)
                    if n > 0 { redis.memory.add(expiry: now - age + window, bytes: redis.bytesPerKey, now: now) }
                }
            case .ip:
                var ipRate = [Double](repeating: 0, count: users.userIPs)
                for u in 0..<users.count { ipRate[Int(users.ip[u])] += perUserRate * share * Double(users.weight[u]) }
                for ip in 0..<users.userIPs {
                    let age = rng.nextUniform() * window
                    let n = rng.poisson(mean: ipRate[ip] * age)
                    limiters[l].counters.preset(ip, start: now - age, count: n)
                    if n > 0 { redis.memory.add(expiry: now - age + window, bytes: redis.bytesPerKey, now: now) }
                }
                for u in 0..<users.count {
                    let age = rng.nextUniform() * window
                    let n = rng.poisson(mean: perUserRate * share * Double(users.weight[u]) * age)
                    limiters[l].shadowPerUser?.preset(u, start: now - age, count: n)
                }
            }
        }
    }
}

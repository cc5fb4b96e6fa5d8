import SimulationEngine

extension PlatformSimulation {
    /// Framework, JWT verification and APM tracing: one CPU segment on the event loop.
    mutating func middlewareCPU(_ r: Int32, arrivingAt time: Double, in sim: inout Simulator) {
        let p = hot.parameters
        let e = Int(requests[Int(r)].path)
        var cpu = hot.sample(p.frameworkCPU, &serviceRNG)
        // The framework's later segments run when the middleware's replies come back, if any
        // round trip to Redis splits them from this one.
        if p.frameworkShareAfter > 0 && middlewareCallsRedis(endpoint: e) {
            requests[Int(r)].laterCPU = Float(cpu * p.frameworkShareAfter)
            cpu -= cpu * p.frameworkShareAfter
        }
        if hot.endpoints[e].authenticated { cpu += hot.sample(p.jwtVerifyCPU, &serviceRNG) }
        if p.sentry && serviceRNG.nextUniform() < p.tracesSampleRate {
            cpu += hot.sample(p.cpuPerTracedRequest, &serviceRNG)
            if measuring { tracedRequests += 1 }
        }
        let done = serveOnLoop(Int(requests[Int(r)].process), arrival: time, service: cpu)
        requests[Int(r)].stage = .middlewareRedis
        Self.schedule(.resume, at: done, entity: r, in: &sim)
    }

    /// CPU on process p's event loop: queued behind every other segment in that process. A
    /// segment that finds the loop idle wakes it first (`api.loopWakeUpCpuMs`: one figure, or a
    /// curve of the time the loop idled).
    mutating func serveOnLoop(_ p: Int, arrival: Double, service: Double) -> Double {
        let wake = hot.parameters.loopWakesByIdle
            ? processes[p].loop.wakeUpCost(hot.loopWakeUpCPUAfterIdle, at: arrival)
            : processes[p].loop.wakeUpCost(hot.parameters.loopWakeUpCPU, at: arrival)
        let delay = loopWakeUp(process: p, at: arrival)
        let done = processes[p].loop.serve(arrival: arrival + delay, service: service + wake)
        if measuring { Self.record(processes[p].loop.lastWait, in: &loopWait) }
        return done
    }

    /// Runs the framework's CPU that request r's first segment left for after the middleware's
    /// replies (``APIModel/frameworkCPUShareAfterMiddleware``) on its loop from `time`; returns
    /// when it is done (`time` itself when nothing was left).
    mutating func frameworkLaterCPU(_ r: Int32, at time: Double) -> Double {
        let later = Double(requests[Int(r)].laterCPU)
        guard later > 0 else { return time }
        requests[Int(r)].laterCPU = 0
        return serveOnLoop(Int(requests[Int(r)].process), arrival: time, service: later)
    }

    /// Whether endpoint `e`'s middleware calls Redis (a limiter sees it, or the session check).
    func middlewareCallsRedis(endpoint e: Int) -> Bool {
        hot.parameters.sessionCheck && hot.endpoints[e].authenticated || limiters.contains { $0.applies(to: e) }
    }

    /// What the rate limiters decided for one request.
    struct LimiterVerdict {
        /// Limiter scripts run (one Lua script each, stopping at the first that rejects).
        var scripts = 0
        var failure: ErrorKind?
        /// The rejecting limiter's key's time left in its window (the 429's Retry-After).
        var retryAfter = 0.0
    }

    /// Runs the limiters that see endpoint `e` in order, each counting the request (a per-IP
    /// limiter keys on the IP and keeps a shadow count per user to tell false 429s from real
    /// ones); stops at the first that rejects. A key's first request creates it in Redis. The
    /// live run and the replay both use this.
    mutating func checkLimiters(endpoint e: Int, user: Int, ip: Int, at now: Double) -> LimiterVerdict {
        var verdict = LimiterVerdict()
        for l in limiters.indices where limiters[l].applies(to: e) {
            verdict.scripts += 1
            let keyUser = hot.endpoints[e].authenticated || limiters[l].keyedByIP ? user : -1
            // The user's tier only where the limit depends on it (a read of a per-user array).
            let tier = limiters[l].tiered && user >= 0 ? Int(users.tier[user]) : -1
            let decision = limiters[l].check(ip: ip, user: keyUser, tier: tier, at: now)
            if limiters[l].createdKey { redisKeyAdded(expiry: now + limiters[l].counters.window, bytes: redis.bytesPerKey, at: now) }
            switch decision {
            case .allowed: continue
            case .rejected: verdict.failure = .rateLimited
            case .falselyRejected: verdict.failure = .rateLimitedFalse
            }
            let key = limiters[l].keyedByIP ? ip : user
            verdict.retryAfter = limiters[l].counters.retryAfter(Swift.max(0, key), at: now)
            break
        }
        return verdict
    }

    /// The rate limiters and the phase-2 session check, one Redis round trip each, in turn.
    mutating func rateLimitAndSessionCheck(_ r: Int32, in sim: inout Simulator) {
        let now = sim.now
        let p = hot.parameters
        let e = Int(requests[Int(r)].path)
        if redisDown(now) {
            if middlewareCallsRedis(endpoint: e) {
                let done = frameworkLaterCPU(r, at: now + p.redisFailureDelay)
                if p.redisFailsClosed {
                    fail(r, .redisUnavailable, at: done, in: &sim)
                    return
                }
                requests[Int(r)].stage = .path
                requests[Int(r)].step = 0
                Self.schedule(.resume, at: done, entity: r, in: &sim)
                return
            }
        }
        let verdict = checkLimiters(endpoint: e, user: Int(requests[Int(r)].user), ip: Int(requests[Int(r)].ip), at: now)
        if verdict.failure != nil { requests[Int(r)].retryAfter = verdict.retryAfter }
        let session = p.sessionCheck && hot.endpoints[e].authenticated && verdict.failure == nil ? 1 : 0
        // Each limiter is a middleware of its own that awaits its script before the next runs
        // (express-rate-limit), and the session check comes after them: one round trip each,
        // one after another (the testbed measured them so; Notebooks/validation.md). Redis
        // serves the commands now (its server time is microseconds); the later round trips add
        // their network time only, since serving them at future arrival times would break the
        // server's first-come order.
        let trips = verdict.scripts + session
        var done = trips > 0 ? redisCall(scripts: verdict.scripts, commands: session, at: now,
                                         process: loopAwaiting(r), trips: trips, in: &sim) : now
        for _ in 1..<Swift.max(1, trips) {
            let trip = redis.extraRoundTrip(&networkRNG)
            done += trip + chainedWakeUps(trip: trip, curve: .redis)
        }
        done = frameworkLaterCPU(r, at: done)
        if let failure = verdict.failure {
            fail(r, failure, at: done, in: &sim)
            return
        }
        requests[Int(r)].stage = .path
        requests[Int(r)].step = 0
        Self.schedule(.resume, at: done, entity: r, in: &sim)
    }

    /// One Redis round trip from a request (its wait in the command thread's queue recorded).
    /// The call wakes Redis's core when it finds it idle, and its reply API process `process`'s
    /// loop (-1: a worker's call, whose process the simulator does not keep).
    mutating func redisCall(scripts: Int, commands: Int, at now: Double, process: Int = -1, trips: Int = 1, in sim: inout Simulator) -> Double {
        let wakeUp = redisWakeUp(at: now)
        var done: Double
        if hot.parameters.colocatedRedis {
            // On the database's cores: the work takes longer by the sharing it finds there, and
            // takes its share of the cores from the queries.
            done = redis.roundTrip(scripts: scripts, commands: commands, at: now, slowdown: colocatedSlowdown(server: 0),
                                   wakeUp: wakeUp, trips: trips, &networkRNG)
            addColocatedWork(redis.lastService, server: 0, in: &sim)
        } else {
            done = redis.roundTrip(scripts: scripts, commands: commands, at: now, wakeUp: wakeUp, trips: trips, &networkRNG)
        }
        if measuring { Self.record(redis.thread.lastWait, in: &redisWait) }
        if process >= 0 { done += loopWakeUp(process: process, at: done) }
        return done
    }

    /// Whether Redis is down (a fault window).
    @inline(__always)
    func redisDown(_ now: Double) -> Bool { redisOutage?.contains(now) ?? false }
}

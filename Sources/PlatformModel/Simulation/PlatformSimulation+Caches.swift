import SimulationEngine

extension PlatformSimulation {
    /// A cache lookup step; true when the interpreter goes on at once (an in-process cache,
    /// or a cache that does not apply), false when the request waits (for Redis, or for
    /// another request's fill of the same key).
    mutating func cacheLookup(_ r: Int32, cache c: Int, hitStep: Int16, at now: Double, in sim: inout Simulator) -> Bool {
        let step = requests[Int(r)].step
        let key = caches[c].key(user: requests[Int(r)].user)
        guard caches[c].enabled, key >= 0 else { requests[Int(r)].step += 1; return true }
        let inRedis = caches[c].inRedis
        if inRedis && redisDown(now) {
            // An error is a miss; the fill will fail too.
            requests[Int(r)].step = step + 1
            Self.schedule(.resume, at: now + hot.parameters.redisFailureDelay, entity: r, in: &sim)
            return false
        }
        let table = caches[c].table(process: Int(requests[Int(r)].process))
        let hit = caches[c].lookup(key, table: table, at: now, measuring: measuring)
        let done = inRedis ? redisCall(scripts: 0, commands: 1, at: now, process: loopAwaiting(r), in: &sim) : now
        if !hit && caches[c].coalesce {
            let fill = Self.fillKey(cache: c, table: table, key: Int(key))
            if let waiters = fillWaiters[fill] {
                // Someone is already fetching it: wait for their fill, last in line.
                requests[Int(r)].hitStep = hitStep
                requests[Int(r)].missStep = step + 1
                requests[Int(r)].nextWaiter = -1
                if waiters.last >= 0 {
                    requests[Int(waiters.last)].nextWaiter = r
                    fillWaiters[fill] = (waiters.first, r)
                } else {
                    fillWaiters[fill] = (r, r)
                }
                if measuring { caches[c].coalescedWaits += 1 }
                return false
            }
            fillWaiters[fill] = (-1, -1)
            requests[Int(r)].fillKey = fill
        }
        requests[Int(r)].step = hit ? hitStep : step + 1
        if inRedis {
            Self.schedule(.resume, at: done, entity: r, in: &sim)
            return false
        }
        return true
    }

    /// A cache fill step (the step counter already moved on); true when the interpreter goes on at once.
    mutating func cacheFill(_ r: Int32, cache c: Int, at now: Double, in sim: inout Simulator) -> Bool {
        let key = caches[c].key(user: requests[Int(r)].user)
        guard caches[c].enabled, key >= 0 else { return true }
        let inRedis = caches[c].inRedis
        if inRedis && redisDown(now) {
            releaseFillWaiters(r, filled: false, in: &sim)
            Self.schedule(.resume, at: now + hot.parameters.redisFailureDelay, entity: r, in: &sim)
            return false
        }
        let expiry = caches[c].fillExpiry(at: now, &serviceRNG)
        storeEntry(cache: c, key: key, table: caches[c].table(process: Int(requests[Int(r)].process)), expiry: expiry, at: now)
        caches[c].fills += measuring ? 1 : 0
        releaseFillWaiters(r, filled: true, in: &sim)
        if inRedis {
            Self.schedule(.resume, at: redisCall(scripts: 0, commands: 1, at: now, process: loopAwaiting(r), in: &sim), entity: r, in: &sim)
            return false
        }
        return true
    }

    /// A cache invalidation step (the step counter already moved on); true when the
    /// interpreter goes on at once.
    mutating func cacheInvalidate(_ r: Int32, cache c: Int, at now: Double, in sim: inout Simulator) -> Bool {
        let key = caches[c].key(user: requests[Int(r)].user)
        guard caches[c].enabled, key >= 0 else { return true }
        let inRedis = caches[c].inRedis
        if inRedis && redisDown(now) {
            Self.schedule(.resume, at: now + hot.parameters.redisFailureDelay, entity: r, in: &sim)
            return false
        }
        let table = caches[c].table(process: Int(requests[Int(r)].process))
        if inRedis { forgetRedisEntry(cache: c, key: key, at: now) }
        caches[c].tables[table].set(key, expiry: -.infinity, now: now)
        caches[c].invalidations += measuring ? 1 : 0
        if inRedis {
            Self.schedule(.resume, at: redisCall(scripts: 0, commands: 1, at: now, process: loopAwaiting(r), in: &sim), entity: r, in: &sim)
            return false
        }
        return true
    }

    /// Puts an entry for `key` in cache c's `table` until `expiry`, replacing any older one;
    /// in Redis the old key stops counting and the new one counts against `maxmemory`. The
    /// live run's fills and the replay's both come here.
    mutating func storeEntry(cache c: Int, key: Int32, table: Int, expiry: Double, at now: Double) {
        if caches[c].inRedis { forgetRedisEntry(cache: c, key: key, at: now) }
        caches[c].tables[table].set(key, expiry: expiry, now: now)
        if caches[c].inRedis { redisKeyAdded(expiry: expiry, bytes: caches[c].entryBytes, at: now) }
    }

    /// The key of a coalesced fill: cache, table (the process, for an in-process cache) and key.
    static func fillKey(cache: Int, table: Int, key: Int) -> Int { ((cache << 20) | table) << 32 | key }

    /// The filler of a coalesced miss is done: the waiters continue after the fill (a hit),
    /// or, if it failed, each goes to fetch for itself; in the order they came.
    mutating func releaseFillWaiters(_ r: Int32, filled: Bool, in sim: inout Simulator) {
        let fill = requests[Int(r)].fillKey
        guard fill >= 0 else { return }
        requests[Int(r)].fillKey = -1
        guard let waiters = fillWaiters.removeValue(forKey: fill) else { return }
        var w = waiters.first
        while w >= 0 {
            let next = requests[Int(w)].nextWaiter
            requests[Int(w)].step = filled ? requests[Int(w)].hitStep : requests[Int(w)].missStep
            requests[Int(w)].nextWaiter = -1
            Self.schedule(.resume, at: sim.now, entity: w, in: &sim)
            w = next
        }
    }

    // MARK: Redis memory

    /// A Redis cache entry about to be overwritten or deleted no longer counts in Redis's memory.
    mutating func forgetRedisEntry(cache c: Int, key: Int32, at now: Double) {
        let previous = caches[c].tables[0].expiry(key)
        if previous > now { redis.memory.remove(expiry: previous, bytes: caches[c].entryBytes, now: now) }
    }

    /// Bytes Redis holds now: its base, every live key, queued jobs and session keys.
    func redisMemoryBytes(liveBytes: Double? = nil) -> Double {
        redis.memoryBytes(liveBytes: liveBytes ?? redis.memory.liveBytes, queuedJobs: jobs.waiting,
                          sessions: hot.parameters.sessionCheck ? sessions.open : 0)
    }

    /// Counts a new key of `bytes`; past `maxmemory`, evicts cache entries as allkeys-lru
    /// would: of a few sampled live entries, the one filled longest ago.
    mutating func redisKeyAdded(expiry: Double, bytes: Double, at now: Double) {
        redis.memory.add(expiry: expiry, bytes: bytes, now: now)
        guard redisMemoryBytes() > redis.maxMemoryBytes, !redisCaches.isEmpty else { return }
        var attempts = 0
        while redisMemoryBytes() > redis.maxMemoryBytes && attempts < 16 {
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
            redis.memory.remove(expiry: v.expiry, bytes: caches[v.cache].entryBytes, now: now)
            redis.memory.evictions += 1
        }
    }
}

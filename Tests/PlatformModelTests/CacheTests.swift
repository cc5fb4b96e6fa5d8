import Foundation
import Testing
import PlatformModel
import SimulationEngine

/// `ExpiryTable` as a TTL cache, driven directly: a lookup at `now` hits when `now < expiry`,
/// otherwise it misses and the caller fills the key with expiry now + T (what the simulation's
/// cacheLookup / cacheFill steps do); then the cache as the platform simulation runs it
/// (`PlatformRun` on the real model files with one cached endpoint), where the fill comes
/// after the queries, the TTL is jittered and the steady state comes from the replay.
@Suite struct CacheTests {
    /// Poisson requests for many keys, merged in time order; key k has rate rates[k].
    static func requests(rates: [Double], span: Double, start: Double, seed: UInt64) -> [(time: Double, key: Int32)] {
        var rng = Xoshiro256StarStar(seed: seed)
        var out: [(Double, Int32)] = []
        for (k, rate) in rates.enumerated() {
            var t = start
            while true {
                t += rng.exponential(rate: rate)
                if t >= start + span { break }
                out.append((t, Int32(k)))
            }
        }
        out.sort { $0.0 < $1.0 }
        return out
    }

    /// A TTL cache fed Poisson(lambda) requests per key hits with probability
    /// h = lambda T / (1 + lambda T): each miss starts a cycle of length T in which every request
    /// hits, then an exponential wait for the next miss.
    ///
    /// Tolerance: the hit count against sum over keys of N_k h_k (N_k the key's requests in this
    /// run) within 4 binomial standard errors sqrt(sum N_k h_k (1 - h_k)). Hits of one key are
    /// not independent, but per renewal cycle the hits are Poisson(lambda T), which makes the
    /// estimator's variance the binomial one divided by 1 + lambda T: the binomial error is an
    /// upper bound, so 4 of them is a generous but honest band.
    @Test func hitRateMatchesTheTTLFormulaForPoissonRequests() {
        let ttl = 60.0, keys = 300, span = 20_000.0, origin = 40_000.0
        // Rates log-uniform from one per 10 minutes to one per 5 s: lambda T from 0.1 to 12.
        let lo: Double = log(1.0 / 600), hi: Double = log(1.0 / 5)
        let rates: [Double] = (0..<keys).map { k in exp(lo + (hi - lo) * Double(k) / Double(keys - 1)) }
        let stream = Self.requests(rates: rates, span: span, start: origin, seed: 2024)
        var table = ExpiryTable(denseKeys: keys, origin: origin)
        var hits = [Int](repeating: 0, count: keys), lookups = [Int](repeating: 0, count: keys)
        for (now, key) in stream {
            lookups[Int(key)] += 1
            if now < table.expiry(key) {
                hits[Int(key)] += 1
            } else {
                table.set(key, expiry: now + ttl, now: now)
            }
        }
        var expected = 0.0, variance = 0.0
        for k in 0..<keys {
            let h = rates[k] * ttl / (1 + rates[k] * ttl)
            expected += Double(lookups[k]) * h
            variance += Double(lookups[k]) * h * (1 - h)
        }
        let observed = Double(hits.reduce(0, +))
        let se = variance.squareRoot()
        #expect(stream.count > 100_000)
        #expect(abs(observed - expected) < 4 * se, "hits \(observed) vs expected \(expected) (se \(se))")
        // The slow and the fast keys separately (their hit rates differ by a factor of ~8).
        for range in [0..<(keys / 3), (2 * keys / 3)..<keys] {
            var e = 0.0, v = 0.0, o = 0.0
            for k in range {
                let h = rates[k] * ttl / (1 + rates[k] * ttl)
                e += Double(lookups[k]) * h; v += Double(lookups[k]) * h * (1 - h); o += Double(hits[k])
            }
            #expect(abs(o - e) < 4 * v.squareRoot(), "keys \(range): hits \(o) vs expected \(e)")
        }
    }

    /// The hashed table (per-process caches) must answer exactly as the dense one (Redis caches)
    /// on the same stream: fills with jittered TTLs, invalidations, purges and growth from 64 slots.
    @Test func hashedTableDecidesLikeTheDenseOne() {
        let keys = 5000, origin = 7 * 3600.0
        var rng = Xoshiro256StarStar(seed: 5)
        let rates = (0..<keys).map { _ in 0.002 + 0.05 * rng.nextUniform() * rng.nextUniform() }
        let stream = Self.requests(rates: rates, span: 3000, start: origin, seed: 6)
        var dense = ExpiryTable(denseKeys: keys, origin: origin)
        var hashed = ExpiryTable(hashedCapacity: 64, origin: origin)
        var mismatches = 0, hits = 0, invalidations = 0
        for (i, (now, key)) in stream.enumerated() {
            let hitDense = now < dense.expiry(key)
            let hitHashed = now < hashed.expiry(key)
            if hitDense != hitHashed { mismatches += 1 }
            if hitDense { hits += 1 }
            if rng.nextUniform() < 0.02 {
                // A plan change invalidates the user's entry.
                dense.set(key, expiry: -.infinity, now: now)
                hashed.set(key, expiry: -.infinity, now: now)
                invalidations += 1
            } else if !hitDense {
                let expiry = now + 60 * (1 + 0.2 * rng.nextUniform())
                dense.set(key, expiry: expiry, now: now)
                hashed.set(key, expiry: expiry, now: now)
            }
            if i % 10_000 == 0 { hashed.purge(at: now) }
            if i % 5_000 == 0 { #expect(dense.liveCount(at: now) == hashed.liveCount(at: now)) }
        }
        #expect(mismatches == 0)
        #expect(hits > stream.count / 10 && invalidations > 100)
    }

    // MARK: - The cache as the platform simulation runs it

    /// One run of `current` in which every authenticated call is the dashboard, cached in Redis
    /// with TTL `ttl` (stretched by up to `jitter`), every active user equally active; sessions
    /// of `pages` page views (geometric, mean `pages`) `think` seconds apart (exponential), one
    /// call per page, nothing else (no anonymous traffic, webhooks or assets; no rate limiters,
    /// whose 429s would skip the lookup for users behind a shared IP).
    static func platformRun(users: Int, sessionsPerDay: Double, pages: Double, think: Double, ttl: Double, jitter: Double,
                            seed: UInt64) throws -> (cache: CacheResult, result: RunResult, model: PlatformModel, settings: RunSettings) {
        let overrides = try PlatformFixture.noRateLimits() + PlatformFixture.mixOverrides(["dashboard": 1]) + [
            "traffic.dailyActiveFraction=1", "traffic.activityWeight=const:1",
            "traffic.sessionsPerActiveUserPerDay=\(sessionsPerDay)", "traffic.pageViewsPerSession=\(pages)",
            "traffic.apiCallsPerPageView=1", "traffic.thinkTimeS=exp:\(think)", "traffic.pollingCallsPerOpenTabMinute=0",
            "traffic.apiClientRequestsPerActiveUserPerDay=0", "traffic.unauthenticatedRequestsPerUserPerDay=0",
            "traffic.webhooksPerUserPerDay=0", "traffic.staticAssetsPerPageView=0",
            "caches.dashboard.enabled=true", "caches.dashboard.location=redis", "caches.dashboard.ttlS=\(ttl)",
            "caches.dashboard.ttlJitter=\(jitter)", "caches.dashboard.coalesceMisses=false",
        ]
        let model = try PlatformFixture.model("current", users: users, overrides: overrides)
        let settings = RunSettings(seed: seed, replication: 0, startHour: nil, warmUp: 120, duration: 600, timeSeriesInterval: 0)
        let result = PlatformRun.run(model: model, settings: settings)
        let cache = try #require(result.cache.first { $0.name == "dashboard" })
        return (cache, result, model, settings)
    }

    /// Sessions of one page view with one call: each user's requests are a Poisson process
    /// (the session owner is drawn independently for every session, all users alike), so the
    /// hit rate is lambda T / (1 + lambda T) with T the mean TTL: a jittered TTL T (1 + j U)
    /// makes the renewal cycles (a miss, then every request within the entry's life) last
    /// T (1 + j/2) on average, and hits per cycle are Poisson(lambda T (1 + j/2)).
    ///
    /// lambda is the rate each key sees in the window, lookups / (users x window); its Poisson
    /// error goes into the band with the binomial one (dh/dlambda x lambda / sqrt(lookups)).
    /// The fill comes a few milliseconds after the miss (the two queries), which shortens
    /// nothing but adds lambda x d ~ 1e-4 to each cycle: far below the band. Tolerance: 4
    /// binomial standard errors plus the rate's error, about 0.01 in hit rate (2% of it at 40k
    /// lookups): a cache that ignores the jitter (h 0.50 instead of 0.56) or the TTL fails.
    @Test func platformHitRateMatchesTheTTLFormulaForPoissonRequestsPerKey() throws {
        let users = 2000, ttl = 30.0, jitter = 0.5
        let (cache, result, model, settings) = try Self.platformRun(users: users, sessionsPerDay: 1500, pages: 1, think: 30, ttl: ttl, jitter: jitter,
                                                   seed: 11)
        #expect(result.errors.total == 0)
        let n = Double(cache.lookups)
        #expect(n > 20_000, "too few lookups (\(cache.lookups)) for the band below")
        let lambda = n / (Double(result.activeUsers) * result.simulatedSeconds)
        let lt = lambda * ttl * (1 + jitter / 2)
        let expected = lt / (1 + lt)
        let observed = Double(cache.hits) / n
        let binomial = (expected * (1 - expected) / n).squareRoot()
        let rateError = expected * (1 - expected) / n.squareRoot()
        let band = 4 * (binomial * binomial + rateError * rateError).squareRoot()
        #expect(abs(observed - expected) < band, "hit rate \(observed) vs lambda T / (1 + lambda T) = \(expected) (band \(band))")
        #expect(band < 0.02)
        // The program's own predictions, from the traffic model's rate (the run's table and the
        // offered load behind the capacity plan), are the same formula and must agree as well.
        #expect(abs(cache.predictedHitRate - expected) < band, "predicted \(cache.predictedHitRate) vs \(expected)")
        let (load, _) = PlatformRun.plan(model: model, settings: settings)
        let index = try #require(model.caches.first { $0.name == "dashboard" }?.index)
        #expect(abs(load.cacheHitRate[index] - expected) < band, "offered load's hit rate \(load.cacheHitRate[index]) vs \(expected)")
    }

    /// Sessions bunch requests: a session of N page views (geometric, mean m, so it goes on after
    /// each page with p = 1 - 1/m) `think` seconds apart (exponential, rate mu), one dashboard
    /// call per page. Sessions of a user are rare here (about 0.6 a day at the peak rate, so
    /// about 1 session in 400 finds an earlier session's entry alive or overlaps another,
    /// 6.6e-6 per second x (330 s + 60 s)), so each session starts with a miss. Within a session the requests are the first
    /// N of a Poisson(mu) stream, whose hits and misses form a renewal sequence: a miss, then
    /// K ~ Poisson(mu T) hits, then a miss... Positions of misses have generating function
    /// z / (1 - f(z)) with f(z) = z e^{mu T (z - 1)}, and P(N >= n) = p^{n-1}, so
    /// E[misses] = 1 / (1 - p e^{-mu T (1 - p)}) and the session-aware hit rate is
    /// h = 1 - (1 - p) / (1 - p e^{-mu T (1 - p)}), which tends to mu T / (1 + mu T) as m grows.
    ///
    /// Tolerance: 4 binomial standard errors (an upper bound: hits within a session are
    /// positively correlated only through N, which the formula averages over; the band is
    /// about 0.0125 at 24k lookups, 2% of h) plus 0.005 for the sessions that do not start cold
    /// (1 in 400 sessions, counted twice for the requests of both overlapping sessions). The Poisson-per-key formula with the session's own rate (the traffic
    /// model's prediction, h ~ 0.02) is far outside: the sessions are what make the hits.
    @Test func platformHitRateMatchesTheSessionAwareExpectation() throws {
        let m = 12.0, think = 30.0, ttl = 60.0
        let (cache, result, _, _) = try Self.platformRun(users: 500_000, sessionsPerDay: 0.3, pages: m, think: think, ttl: ttl, jitter: 0,
                                                   seed: 12)
        #expect(result.errors.total == 0)
        let n = Double(cache.lookups)
        #expect(n > 15_000, "too few lookups (\(cache.lookups)) for the band below")
        let p = 1 - 1 / m, muT = ttl / think
        let expected = 1 - (1 - p) / (1 - p * exp(-muT * (1 - p)))
        let observed = Double(cache.hits) / n
        let band = 4 * (expected * (1 - expected) / n).squareRoot() + 0.005
        #expect(abs(observed - expected) < band, "hit rate \(observed) vs session-aware \(expected) (band \(band))")
        // The Poisson formula at each key's mean rate says far less.
        let lambda = n / (Double(result.activeUsers) * result.simulatedSeconds)
        #expect(lambda * ttl / (1 + lambda * ttl) < expected / 5)
    }
}

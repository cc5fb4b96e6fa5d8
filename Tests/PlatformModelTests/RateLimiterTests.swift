import Foundation
import Testing
import PlatformModel
import SimulationEngine

/// An independent reference of what express-rate-limit with rate-limit-redis does, written from
/// its Lua script (rate-limit-redis `source/scripts.ts`):
///
///     local totalHits = redis.call("INCR", KEYS[1])
///     local timeToExpire = redis.call("PTTL", KEYS[1])
///     if timeToExpire <= 0 or ARGV[1] == "1" then
///         redis.call("PEXPIRE", KEYS[1], tonumber(ARGV[2]))
///     ...
///
/// A key that does not exist (or has expired) is created by INCR with the value 1 and then gets
/// its expiry `windowMs` later; later requests only increment. express-rate-limit rejects when
/// the returned count exceeds the limit, and a rejected request has been counted all the same.
/// A key expires at start + window: a request at or after that instant starts a new window.
/// A plain dictionary of (count, expiry) per key, in continuous time.
struct ReferenceRedisLimiter {
    let window: Double
    var store: [Int: (count: Int, expiresAt: Double)] = [:]

    init(window: Double) { self.window = window }

    /// INCR (+ PEXPIRE on the first hit): the count after the increment.
    mutating func hit(_ key: Int, at time: Double) -> Int {
        if let entry = store[key], time < entry.expiresAt {
            store[key] = (entry.count + 1, entry.expiresAt)
            return entry.count + 1
        }
        store[key] = (1, time + window)
        return 1
    }
}

@Suite struct RateLimiterTests {
    /// A request script: Poisson requests over several keys with very different rates (some
    /// keys stay far under the limit, some go far over it), sorted by time as Redis sees them.
    static func script(keys: Int, totalRate: Double, span: Double, start: Double, seed: UInt64) -> [(time: Double, key: Int)] {
        var rng = Xoshiro256StarStar(seed: seed)
        // Key k gets a share proportional to 2^k: rates spread over two orders of magnitude.
        let weights = (0..<keys).map { pow(2.0, Double($0)) }
        let total = weights.reduce(0, +)
        var out: [(Double, Int)] = []
        var t = start
        while true {
            t += rng.exponential(rate: totalRate)
            if t >= start + span { break }
            var u = rng.nextUniform() * total
            var k = 0
            while k < keys - 1 && u >= weights[k] { u -= weights[k]; k += 1 }
            out.append((t, k))
        }
        return out
    }

    static func endpoint() -> EndpointModel {
        EndpointModel(name: "e", index: 0, authenticated: true, middleware: true, cdnCacheable: false,
                      responseBytes: 0, requestedLimit: nil, steps: [])
    }

    static func limiter(key: RateLimiterModel.Key, window: Double, limit: Int, byTier: [Int]? = nil,
                        keys: Int, users: Int, origin: Double) -> RateLimiter {
        let model = RateLimiterModel(name: "test", key: key, window: window, limit: limit, limitByTier: byTier,
                                     scope: .all, endpoints: [], skip: [])
        return RateLimiter(model: model, endpoints: [endpoint()], keys: keys, users: users, origin: origin)
    }

    /// Counts and decisions request by request over a whole simulated day (the longest window a
    /// run uses: `--start-hour 0 --duration 86400`), with the counters' origin where a run puts it.
    @Test func countsLikeTheRedisScriptOverALongRandomScript() {
        let origin = 11 * 3600.0 + 1234.567   // a run's origin: window start minus warm-up
        let window = 60.0, limit = 100
        // Key 6 asks ~180 per window (most of it rejected), key 5 ~90 (sometimes over), the rest under.
        let requests = Self.script(keys: 7, totalRate: 6, span: 86_400, start: origin, seed: 42)
        var counters = FixedWindowCounters(keys: 7, window: window, origin: origin)
        var reference = ReferenceRedisLimiter(window: window)
        var countMismatches = 0, decisionMismatches = 0, rejected = 0
        var firstMismatch: String?
        for (time, key) in requests {
            let mine = counters.hit(key, at: time)
            let theirs = reference.hit(key, at: time)
            if mine != theirs {
                countMismatches += 1
                if firstMismatch == nil { firstMismatch = "key \(key) at t=\(time - origin) s: \(mine) vs reference \(theirs)" }
            }
            if (mine > limit) != (theirs > limit) { decisionMismatches += 1 }
            if theirs > limit { rejected += 1 }
        }
        #expect(requests.count > 400_000)
        // The script exercises both outcomes, or it would prove little.
        #expect(rejected > 10_000 && rejected < requests.count / 2)
        #expect(countMismatches == 0, "first mismatch: \(firstMismatch ?? "-")")
        #expect(decisionMismatches == 0)
    }

    /// The same through the middleware type, keyed by user with limits by tier (phase 1's
    /// 300/500/1000 per 15 minutes, scaled down so the script hits them).
    @Test func userKeyedLimiterWithTiersDecidesLikeTheReference() {
        let origin = 1000.25
        let tiers = [30, 50, 100]
        var limiter = Self.limiter(key: .user, window: 900, limit: 30, byTier: tiers, keys: 12, users: 12, origin: origin)
        var reference = ReferenceRedisLimiter(window: 900)
        var mismatches = 0, rejections = 0
        for (time, user) in Self.script(keys: 12, totalRate: 0.5, span: 6 * 3600, start: origin, seed: 7) {
            let tier = user % 3
            let decision = limiter.check(ip: 0, user: user, tier: tier, at: time)
            let expected: RateLimiter.Decision = reference.hit(user, at: time) > tiers[tier] ? .rejected : .allowed
            if decision != expected { mismatches += 1 }
            if expected == .rejected { rejections += 1 }
        }
        #expect(mismatches == 0)
        #expect(rejections > 100)
        #expect(limiter.rejected == rejections)
        #expect(limiter.falseRejected == 0)
        // A request with no known user is never counted by a user-keyed limiter.
        #expect(limiter.check(ip: 0, user: -1, tier: -1, at: origin + 7 * 3600) == .allowed)
    }

    @Test func limitOneAndARequestExactlyAtTheWindowEnd() {
        // Times chosen so that start + window is not a binary fraction: the boundary must hold
        // exactly, not up to the precision the start happens to be stored with.
        let origin = 0.0, window = 900.0
        var c = FixedWindowCounters(keys: 2, window: window, origin: origin)
        let first = 0.1
        #expect(c.hit(0, at: first) == 1)                        // allowed with limit 1
        #expect(c.hit(0, at: first + 1) == 2)                    // rejected (2 > 1) ...
        #expect(c.hit(0, at: first + 2) == 3)                    // ... and still counted
        #expect(c.hit(0, at: (first + window).nextDown) == 4)    // the last instant of the window
        #expect(abs(c.retryAfter(0, at: first + 500) - (window - 500)) < 1e-9)
        #expect(c.hit(0, at: first + window) == 1)               // exactly at the end: a new window
        #expect(c.hit(0, at: first + window + 0.5) == 2)
        // The new window runs from the request that opened it, not from the old end.
        #expect(c.hit(0, at: first + 2 * window - 0.001) == 3)
        // Keys are independent.
        #expect(c.hit(1, at: first + 3) == 1)

        // The same at a time of day a whole-day run reaches, with a non-zero origin.
        let origin2 = 3600.0 * 11 + 0.3
        var d = FixedWindowCounters(keys: 1, window: 60, origin: origin2)
        let late = origin2 + 80_000.123
        #expect(d.hit(0, at: late) == 1)
        #expect(d.hit(0, at: late + 59.999) == 2)
        #expect(d.hit(0, at: late + 60) == 1)

        // Through the middleware with limit 1.
        var l = Self.limiter(key: .user, window: 10, limit: 1, keys: 1, users: 1, origin: 0)
        let start = 5.7
        #expect(l.check(ip: 0, user: 0, tier: 0, at: start) == .allowed)
        #expect(l.check(ip: 0, user: 0, tier: 0, at: start + 3) == .rejected)
        #expect(l.check(ip: 0, user: 0, tier: 0, at: start + 10) == .allowed)
        #expect(l.check(ip: 0, user: 0, tier: 0, at: start + 10.2) == .rejected)
        #expect(l.rejected == 2 && l.checks == 4)
    }

    /// A per-IP limit rejects users behind one office IP who each stay within it: false 429s.
    @Test func usersSharingAnIPAreFalselyRejected() {
        var l = Self.limiter(key: .ip, window: 900, limit: 10, keys: 4, users: 4, origin: 0)
        // Users 0 and 1 share IP 0 and send 6 requests each, interleaved: 12 on the IP.
        var decisions: [RateLimiter.Decision] = []
        for i in 0..<12 { decisions.append(l.check(ip: 0, user: i % 2, tier: 0, at: Double(i))) }
        #expect(decisions.prefix(10).allSatisfy { $0 == .allowed })
        // Requests 11 and 12 exceed the IP's 10, but each user has sent only 6: false 429s.
        #expect(decisions[10] == .falselyRejected)
        #expect(decisions[11] == .falselyRejected)
        // User 2 alone on IP 1 going over the limit is a real 429.
        for i in 0..<10 { #expect(l.check(ip: 1, user: 2, tier: 0, at: Double(i)) == .allowed) }
        #expect(l.check(ip: 1, user: 2, tier: 0, at: 10) == .rejected)
        // An unauthenticated request (no user) over the IP's limit is a real 429 as well.
        #expect(l.check(ip: 0, user: -1, tier: -1, at: 12) == .rejected)
        // User 0's 7th request: the IP is at 14, the user at 7 of 10, so still false. When the
        // IP's window ends (it began at t = 0) the count starts again.
        #expect(l.check(ip: 0, user: 0, tier: 0, at: 13) == .falselyRejected)
        #expect(l.check(ip: 0, user: 0, tier: 0, at: 900) == .allowed)
        #expect(l.rejected == 5)
        #expect(l.falseRejected == 3)
    }

    /// False-429 classification against the reference over a random office: several users on
    /// one IP, each judged on their own window of the same length and limit.
    @Test func falseRejectionsMatchAPerUserReference() {
        let users = 6, limit = 40, window = 300.0
        var l = Self.limiter(key: .ip, window: window, limit: limit, keys: 1, users: users, origin: 0)
        var byIP = ReferenceRedisLimiter(window: window), byUser = ReferenceRedisLimiter(window: window)
        var mismatches = 0, falseCount = 0, realCount = 0
        for (time, user) in Self.script(keys: users, totalRate: 0.4, span: 4 * 3600, start: 0, seed: 99) {
            let ipCount = byIP.hit(0, at: time)
            let own = byUser.hit(user, at: time)
            let expected: RateLimiter.Decision = ipCount <= limit ? .allowed : (own <= limit ? .falselyRejected : .rejected)
            if expected == .falselyRejected { falseCount += 1 }
            if expected == .rejected { realCount += 1 }
            if l.check(ip: 0, user: user, tier: 0, at: time) != expected { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(falseCount > 50 && realCount > 50)
        #expect(l.falseRejected == falseCount && l.rejected == falseCount + realCount)
    }
}

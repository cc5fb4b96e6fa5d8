import Foundation
import Testing
import PlatformModel
import SimulationEngine

/// `ExpiryTable` as a TTL cache, driven directly: a lookup at `now` hits when `now < expiry`,
/// otherwise it misses and the caller fills the key with expiry now + T (what the simulation's
/// cacheLookup / cacheFill steps do).
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
}

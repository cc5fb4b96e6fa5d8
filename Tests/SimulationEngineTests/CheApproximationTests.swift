import Testing
@testable import SimulationEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Che's approximation (with renewal requests) against an LRU cache simulated here, request by
/// request: items of several classes, each requested by its own renewal process, evicted from
/// the least recently used end until the new item fits.
///
/// Che's approximation is not exact: its error for caches of a few hundred items is well under
/// a point of hit ratio (Fricker, Robert and Roberts 2012 show it asymptotically exact as the
/// cache grows). The checks allow that much beyond the replications' 99.99% interval, and show
/// the allowance is small enough to catch a wrong formula: Che fed Poisson requests at the
/// same rates misses the bursty case by far more.
@Suite struct CheApproximationTests {
    /// Che's own error allowed on a hit ratio, beyond the simulation's sampling error.
    static let approximationAllowance = 0.01

    /// An LRU cache of `capacity` (in the items' size unit) fed by every item's renewal process.
    struct LRUSimulation {
        var prev: [Int], next: [Int], cached: [Bool]
        var head = -1, tail = -1, used = 0.0
        let sizes: [Double]
        let capacity: Double

        init(sizes: [Double], capacity: Double) {
            self.sizes = sizes
            self.capacity = capacity
            prev = Array(repeating: -1, count: sizes.count)
            next = prev
            cached = Array(repeating: false, count: sizes.count)
        }

        mutating func unlink(_ i: Int) {
            if prev[i] >= 0 { next[prev[i]] = next[i] } else { head = next[i] }
            if next[i] >= 0 { prev[next[i]] = prev[i] } else { tail = prev[i] }
            prev[i] = -1; next[i] = -1
        }

        mutating func pushFront(_ i: Int) {
            next[i] = head; prev[i] = -1
            if head >= 0 { prev[head] = i } else { tail = i }
            head = i
        }

        /// A request for item i: whether it was in the cache; it is at the front afterwards.
        mutating func request(_ i: Int) -> Bool {
            if cached[i] { unlink(i); pushFront(i); return true }
            guard sizes[i] <= capacity else { return false }
            while used + sizes[i] > capacity, tail >= 0 {
                let victim = tail
                unlink(victim); cached[victim] = false; used -= sizes[victim]
            }
            pushFront(i); cached[i] = true; used += sizes[i]
            return false
        }
    }

    /// Hit ratio of a simulated LRU over `requests` requests after `warmUp` discarded ones.
    static func simulatedHitRatio(_ classes: [CheApproximation.ItemClass], capacity: Double, requests: Int, warmUp: Int,
                                  streams: RandomStreams) -> Double {
        var rng = streams.stream("requests")
        var sizes: [Double] = [], processes: [CheApproximation.RenewalRequests] = []
        for c in classes { for _ in 0..<Int(c.count) { sizes.append(c.size); processes.append(c.requests) } }
        func gap(_ p: CheApproximation.RenewalRequests) -> Double { p.sampleGap(&rng) }
        // The next request of every item, in a binary min-heap of (time, item).
        var heap: [(t: Double, i: Int)] = []
        func push(_ e: (t: Double, i: Int)) {
            heap.append(e)
            var k = heap.count - 1
            while k > 0 { let p = (k - 1) / 2; if heap[p].t <= e.t { break }; heap[k] = heap[p]; k = p }
            heap[k] = e
        }
        func pop() -> (t: Double, i: Int) {
            let top = heap[0], last = heap.removeLast()
            if !heap.isEmpty {
                var k = 0
                while true {
                    let l = 2 * k + 1
                    if l >= heap.count { break }
                    var c = l
                    if l + 1 < heap.count && heap[l + 1].t < heap[l].t { c = l + 1 }
                    if heap[c].t >= last.t { break }
                    heap[k] = heap[c]; k = c
                }
                heap[k] = last
            }
            return top
        }
        // Stationary from the start: the first request after the forward recurrence time (which
        // has the age's distribution); the cache fills during the warm-up.
        for i in sizes.indices { push((processes[i].sampleAge(&rng), i)) }
        var lru = LRUSimulation(sizes: sizes, capacity: capacity)
        var hits = 0
        for n in 0..<(warmUp + requests) {
            let e = pop()
            if lru.request(e.i) && n >= warmUp { hits += 1 }
            push((e.t + gap(processes[e.i]), e.i))
        }
        return Double(hits) / Double(requests)
    }

    static func expectNearChe(_ estimates: [Double], _ che: Double, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let ci = ConfidenceInterval(samples: estimates, confidence: theoryConfidence)
        #expect(abs(ci.mean - che) <= ci.halfWidth + approximationAllowance,
                "\(label): Che \(che) vs simulated LRU \(ci.mean) ± \(ci.halfWidth)", sourceLocation: sourceLocation)
        #expect(ci.halfWidth <= approximationAllowance, "\(label): interval \(ci.halfWidth) too wide to test", sourceLocation: sourceLocation)
        if ProcessInfoLike.verbose { print("[che] \(label): Che \(che), simulated \(ci.mean) ± \(ci.halfWidth)") }
    }

    /// Classic Che: Poisson requests, unit sizes, three popularity classes.
    @Test func poissonRequestsMatchSimulatedLRU() {
        let classes = [
            CheApproximation.ItemClass(count: 200, size: 1, requests: .poisson(rate: 1)),
            CheApproximation.ItemClass(count: 800, size: 1, requests: .poisson(rate: 0.2)),
            CheApproximation.ItemClass(count: 2000, size: 1, requests: .poisson(rate: 0.02)),
        ]
        for capacity in [150.0, 500, 1200] {
            let t = CheApproximation.characteristicTime(capacity: capacity, classes: classes)
            let che = CheApproximation.hitRatio(classes, t)
            // The occupancy the characteristic time was solved for.
            #expect(abs(CheApproximation.occupancy(classes, t) - capacity) <= 1e-6 * capacity)
            let runs = replicate(8, seed: 0xC4E + UInt64(capacity)) { s in
                Self.simulatedHitRatio(classes, capacity: capacity, requests: 100_000, warmUp: 40_000, streams: s)
            }
            Self.expectNearChe(runs, che, "Poisson, capacity \(capacity)")
        }
    }

    /// Requests in sessions (hyperexponential gaps) and items of unequal sizes: the renewal form.
    /// Che fed Poisson requests at the same rates is far off here, so the check has power.
    @Test func sessionRequestsMatchSimulatedLRU() {
        func sessions(_ rate: Double) -> CheApproximation.RenewalRequests {
            .sessions(sessionRate: rate, pagesPerSession: 6, requestsPerPage: 0.8, thinkTime: 10)
        }
        let classes = [
            CheApproximation.ItemClass(count: 300, size: 1, requests: sessions(0.01)),
            CheApproximation.ItemClass(count: 1000, size: 2, requests: sessions(0.002)),
            CheApproximation.ItemClass(count: 1500, size: 3, requests: sessions(0.0005)),
        ]
        let poisson = classes.map { CheApproximation.ItemClass(count: $0.count, size: $0.size, requests: .poisson(rate: $0.requests.rate)) }
        for capacity in [300.0, 1500] {
            let t = CheApproximation.characteristicTime(capacity: capacity, classes: classes)
            let che = CheApproximation.hitRatio(classes, t)
            let naive = CheApproximation.hitRatio(poisson, CheApproximation.characteristicTime(capacity: capacity, classes: poisson))
            let runs = replicate(8, seed: 0x5E55 + UInt64(capacity)) { s in
                Self.simulatedHitRatio(classes, capacity: capacity, requests: 200_000, warmUp: 40_000, streams: s)
            }
            Self.expectNearChe(runs, che, "sessions, capacity \(capacity)")
            let ci = ConfidenceInterval(samples: runs, confidence: theoryConfidence)
            #expect(abs(ci.mean - naive) > ci.halfWidth + 3 * Self.approximationAllowance,
                    "capacity \(capacity): Poisson Che \(naive) should be far from the simulated \(ci.mean)")
        }
    }

    /// The renewal process as the cache sees it: its rate, hit probability and occupancy in the
    /// Poisson case, and the stationary age's mean E[X^2] / (2 E[X]) by sampling.
    @Test func renewalRequestsHaveTheirDefinitions() {
        let p = CheApproximation.RenewalRequests.poisson(rate: 0.5)
        for t in [0.1, 1, 10] {
            expectClose(p.hitProbability(t), 1 - exp(-0.5 * t), "Poisson hit")
            expectClose(p.occupancy(t), 1 - exp(-0.5 * t), "Poisson occupancy")
        }
        let s = CheApproximation.RenewalRequests.sessions(sessionRate: 0.001, pagesPerSession: 8, requestsPerPage: 1.5, thinkTime: 30)
        expectClose(s.rate, 0.012, relative: 1e-12, "requests per second = sessions x pages x requests per page")
        // A user w times as active: the same sessions at w times the session rate.
        for w in [0.05, 0.7, 3.0, 40.0] {
            let direct = CheApproximation.RenewalRequests.sessions(sessionRate: 0.001 * w, pagesPerSession: 8, requestsPerPage: 1.5, thinkTime: 30)
            let scaled = s.scaled(by: w)
            expectClose(scaled.immediate, direct.immediate, relative: 1e-12, "scaled by \(w): immediate")
            expectClose(scaled.burstContinuation, direct.burstContinuation, relative: 1e-12, "scaled by \(w): continuation")
            expectClose(scaled.burstGap, direct.burstGap, relative: 1e-12, "scaled by \(w): burst gap")
            expectClose(scaled.betweenBurstGap, direct.betweenBurstGap, relative: 1e-9, "scaled by \(w): gap between sessions")
        }
        #expect(abs(s.occupancy(.infinity) - 1) < 1e-12)
        // Mean gap and mean squared gap of the hyperexponential.
        let q = s.burstContinuation, rest = 1 - s.immediate - s.burstContinuation
        let m1 = q * s.burstGap + rest * s.betweenBurstGap
        let m2 = 2 * (q * s.burstGap * s.burstGap + rest * s.betweenBurstGap * s.betweenBurstGap)
        let ages = draws(200_000, seed: 0xA6E) { s.sampleAge(&$0) }
        let ageMean = m2 / (2 * m1)
        let m3 = 6 * (q * pow(s.burstGap, 3) + rest * pow(s.betweenBurstGap, 3))
        let ageVariance = m3 / (3 * m1) - ageMean * ageMean
        let sample = SampleMoments(ages)
        #expect(abs(sample.mean - ageMean) <= momentZ * (ageVariance / Double(ages.count)).squareRoot(),
                "stationary age: mean \(sample.mean) vs E[X^2]/2E[X] = \(ageMean)")
    }
}

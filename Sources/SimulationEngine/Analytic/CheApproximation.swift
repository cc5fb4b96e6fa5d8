#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Che's approximation of an LRU cache (Che, Tung and Wang 2002), generalised to items
/// requested by renewal processes (Garetto, Leonardi and Martina 2016).
///
/// An LRU cache behaves like a cache that keeps every item for a fixed *characteristic time*
/// T after its last request: an item is found when its previous request came less than T ago.
/// T is the one value that makes the expected occupancy equal the cache's size:
/// sum over items of size x P(in cache) = capacity. For an item whose requests are a renewal
/// process of rate lambda with inter-request distribution F:
///
/// - hit probability h = F(T) (the gap since the previous request is shorter than T);
/// - occupancy o = lambda x integral from 0 to T of (1 - F(t)) dt (the chance that the last
///   request came less than T ago at a random time, from the stationary age distribution).
///
/// For Poisson requests (F exponential) both are 1 - exp(-lambda T), Che's original form.
/// Here the gaps are a mixture made for people in sessions: with probability `immediate` the
/// next request comes at once (another call of the same page view), with probability
/// `burstContinuation` it comes later in the same session (an exponential gap of mean
/// `burstGap`: think times until the next page that asks for the item), otherwise in a later
/// session (an exponential gap of mean `betweenBurstGap`). Sessions of geometrically many page
/// views, exponential think times and Poisson many requests per page view give gaps with this
/// distribution; treating them as independent (a renewal process) is the approximation.
public enum CheApproximation {
    /// Items alike: how many, how large, and how they are requested.
    public struct ItemClass: Sendable, Equatable {
        public var count: Double
        /// Space one item takes in the cache (pages, bytes: the capacity's unit).
        public var size: Double
        public var requests: RenewalRequests
        public init(count: Double, size: Double, requests: RenewalRequests) {
            self.count = count; self.size = size; self.requests = requests
        }
    }

    /// A renewal process of requests whose gaps are zero, or exponential within a session, or
    /// exponential between sessions.
    public struct RenewalRequests: Sendable, Equatable {
        /// Chance that the next request comes at once (the same page view).
        public var immediate: Double
        /// Chance that it comes later in the same session.
        public var burstContinuation: Double
        /// Mean gap to a later request of the same session (seconds).
        public var burstGap: Double
        /// Mean gap from a session's last request to the next session's first (seconds).
        public var betweenBurstGap: Double

        public init(immediate: Double = 0, burstContinuation: Double, burstGap: Double, betweenBurstGap: Double) {
            self.immediate = immediate; self.burstContinuation = burstContinuation
            self.burstGap = burstGap; self.betweenBurstGap = betweenBurstGap
        }

        /// Poisson requests at `rate` (no bursts).
        public static func poisson(rate: Double) -> RenewalRequests {
            RenewalRequests(burstContinuation: 0, burstGap: 0, betweenBurstGap: rate > 0 ? 1 / rate : .infinity)
        }

        /// Requests in sessions: sessions start at `sessionRate`; a session has geometrically
        /// many page views (mean `pagesPerSession`) an exponential think time (mean `thinkTime`)
        /// apart, and each page view makes a Poisson number of requests (mean `requestsPerPage`).
        ///
        /// From one request: another in the same page view follows with probability
        /// (a - 1 + e^-a) / a (a = requests per page; the size-biased count less one); else a
        /// later page of the session asks with probability q u / (1 - q (1 - u)), q = 1 - 1 /
        /// pages the chance the session goes on, u = 1 - e^-a the chance a page asks, after a
        /// geometric number of think times: exponential of mean thinkTime / (1 - q (1 - u));
        /// else the next session. The between-session gap makes the mean gap 1 / rate exactly.
        public static func sessions(sessionRate: Double, pagesPerSession: Double, requestsPerPage a: Double, thinkTime: Double) -> RenewalRequests {
            guard sessionRate > 0, a > 0 else { return .poisson(rate: 0) }
            let immediate = (a - 1 + exp(-a)) / a
            let q = 1 - 1 / Swift.max(1, pagesPerSession)
            let u = -expm1(-a)
            let reach = 1 - q * (1 - u)
            let later = (1 - immediate) * q * u / reach
            let within = thinkTime / reach
            let rate = sessionRate * Swift.max(1, pagesPerSession) * a
            let rest = 1 - immediate - later
            let between = rest > 0 ? Swift.max((1 / rate - later * within) / rest, 1e-9) : .infinity
            return RenewalRequests(immediate: immediate, burstContinuation: later, burstGap: within, betweenBurstGap: between)
        }

        /// The same bursts at `factor` times the rate (a user `factor` times as active): the gap
        /// between sessions makes up the difference, as ``sessions(sessionRate:pagesPerSession:requestsPerPage:thinkTime:)``
        /// does for its session rate times `factor`, without its exponentials.
        public func scaled(by factor: Double) -> RenewalRequests {
            let r = rate * factor
            guard r > 0 && r.isFinite else { return .poisson(rate: 0) }
            var s = self
            let rest = betweenShare
            s.betweenBurstGap = rest > 0 ? Swift.max((1 / r - burstContinuation * burstGap) / rest, 1e-9) : .infinity
            return s
        }

        /// Requests per second.
        public var rate: Double {
            let mean = burstContinuation * burstGap + (1 - immediate - burstContinuation) * betweenBurstGap
            return mean > 0 && mean.isFinite ? 1 / mean : 0
        }

        var betweenShare: Double { Swift.max(0, 1 - immediate - burstContinuation) }

        /// F(t): probability that a gap is at most t.
        public func gapCDF(_ t: Double) -> Double {
            guard rate > 0 else { return 0 }
            if t.isInfinite { return 1 }
            var f = immediate + betweenShare * -expm1(-t / betweenBurstGap)
            if burstContinuation > 0 { f += burstContinuation * (burstGap > 0 ? -expm1(-t / burstGap) : 1) }
            return f
        }

        /// Integral of 1 - F from 0 to t.
        func survivalIntegral(_ t: Double) -> Double {
            if t.isInfinite { return burstContinuation * burstGap + betweenShare * betweenBurstGap }
            var s = betweenShare * betweenBurstGap * -expm1(-t / betweenBurstGap)
            if burstContinuation > 0 && burstGap > 0 { s += burstContinuation * burstGap * -expm1(-t / burstGap) }
            return s
        }

        /// Chance the item is in the cache at a random moment when the cache keeps it `t`
        /// after its last request: rate x integral of 1 - F from 0 to t.
        public func occupancy(_ t: Double) -> Double {
            let r = rate
            return r > 0 ? Swift.min(1, r * survivalIntegral(t)) : 0
        }

        /// Hit probability of a request with characteristic time `t`: F(t).
        public func hitProbability(_ t: Double) -> Double { gapCDF(t) }

        /// One gap between requests.
        public func sampleGap(_ rng: inout Xoshiro256StarStar) -> Double {
            let x = rng.nextUniform()
            if x < immediate { return 0 }
            let mean = x < immediate + burstContinuation ? burstGap : betweenBurstGap
            return mean > 0 ? rng.exponential(rate: 1 / mean) : 0
        }

        /// Draws the time since the last request at a random moment (the stationary age):
        /// density rate x (1 - F(x)), a mixture of the two exponentials with weights
        /// rate x burstContinuation x burstGap and rate x (the rest) x betweenBurstGap.
        public func sampleAge(_ rng: inout Xoshiro256StarStar) -> Double {
            let r = rate
            guard r > 0 else { return .infinity }
            let inBurst = r * burstContinuation * burstGap
            let mean = rng.nextUniform() < inBurst ? burstGap : betweenBurstGap
            return mean > 0 ? rng.exponential(rate: 1 / mean) : 0
        }
    }

    /// The characteristic time T solving `occupied(T) = capacity`, for any occupancy that grows
    /// with T (in the capacity's unit). Infinite when everything requested fits.
    ///
    /// - Complexity: 200 bisection steps on log T, each one call of `occupied`.
    public static func characteristicTime(capacity: Double, occupied: (Double) -> Double) -> Double {
        if occupied(.infinity) <= capacity { return .infinity }
        if capacity <= 0 { return 0 }
        var lo = -12.0, hi = 12.0  // log10 seconds: 1e-12 to 1e12
        while occupied(pow(10, hi)) < capacity && hi < 300 { hi += 12 }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if occupied(pow(10, mid)) < capacity { lo = mid } else { hi = mid }
            if hi - lo < 1e-13 { break }
        }
        return pow(10, (lo + hi) / 2)
    }

    /// The characteristic time of a cache of `capacity` holding these classes of items.
    public static func characteristicTime(capacity: Double, classes: [ItemClass]) -> Double {
        characteristicTime(capacity: capacity) { t in occupancy(classes, t) }
    }

    /// Expected space the classes take with characteristic time t.
    public static func occupancy(_ classes: [ItemClass], _ t: Double) -> Double {
        classes.reduce(0) { $0 + $1.count * $1.size * $1.requests.occupancy(t) }
    }

    /// Share of requests that hit, over all classes, with characteristic time t.
    public static func hitRatio(_ classes: [ItemClass], _ t: Double) -> Double {
        var hits = 0.0, all = 0.0
        for c in classes {
            let r = c.count * c.requests.rate
            hits += r * c.requests.hitProbability(t)
            all += r
        }
        return all > 0 ? hits / all : 0
    }
}

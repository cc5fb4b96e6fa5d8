import Foundation
import Testing
import PlatformModel
import SimulationEngine

/// The single servers (Redis, PgBouncer) and the connection pool, each alone, against
/// queueing theory. Means are compared with batch-means intervals at 99% confidence; each test
/// also checks that its interval is narrow, so that agreement means something.
@Suite struct QueueingComponentTests {
    /// Feeds `FCFSServer` Poisson arrivals; returns the waits (after dropping a warm-up) and the
    /// server's utilization over the measured window.
    static func singleServer(lambda: Double, customers: Int, seed: UInt64, service: (inout Xoshiro256StarStar) -> Double)
        -> (waits: [Double], utilization: Double, span: Double, reportedMeanWait: Double) {
        var rng = Xoshiro256StarStar(seed: seed)
        let warmUp = customers / 50
        var server = FCFSServer(startTime: 0)
        var t = 0.0
        var waits: [Double] = []
        waits.reserveCapacity(customers)
        var measureStart = 0.0
        for i in 0..<(customers + warmUp) {
            t += rng.exponential(rate: lambda)
            if i == warmUp {
                server.resetStatistics(at: t)
                measureStart = t
            }
            let s = service(&rng)
            let done = server.serve(arrival: t, service: s)
            if i >= warmUp { waits.append(done - s - t) }
        }
        return (waits, server.utilization(at: t), t - measureStart, server.meanWait)
    }

    /// Redis as one thread: M/M/1 with Wq = rho / (mu - lambda) and utilization rho.
    @Test func redisServerIsMM1() {
        // Per-command time 0.55 us as in the model; arrivals at 80% of its capacity.
        let mu = 1 / 0.55e-6, rho = 0.8, lambda = rho * mu
        let run = Self.singleServer(lambda: lambda, customers: 400_000, seed: 11) { $0.exponential(rate: mu) }
        let theory = rho / (mu - lambda)
        let ci = ConfidenceInterval.batchMeans(run.waits, batches: 20, confidence: 0.99)
        #expect(ci.contains(theory), "mean wait \(ci.mean) +- \(ci.halfWidth) vs M/M/1 \(theory)")
        #expect(ci.halfWidth < 0.1 * theory)
        // The mean wait the server reports itself agrees with the one derived from its answers.
        let mean = run.waits.reduce(0, +) / Double(run.waits.count)
        #expect(abs(run.reportedMeanWait - mean) < 1e-9 * mean)
        // Utilization: busy time over the window is the sum of the services of the window's
        // arrivals, a compound Poisson sum with variance lambda T E[S^2] = 2 lambda T / mu^2.
        let sd = (2 * lambda * run.span).squareRoot() / (mu * run.span)
        #expect(abs(run.utilization - rho) < 4 * sd, "utilization \(run.utilization) vs \(rho) (sd \(sd))")
    }

    /// PgBouncer as one thread with a fixed CPU cost per statement: M/D/1, whose mean wait
    /// Pollaczek-Khinchine gives as rho D / (2 (1 - rho)), half the M/M/1 figure.
    @Test func pgbouncerServerIsMD1() {
        let d = 22e-6, rho = 0.85, lambda = rho / d
        let run = Self.singleServer(lambda: lambda, customers: 400_000, seed: 12) { _ in d }
        let theory = rho * d / (2 * (1 - rho))
        let ci = ConfidenceInterval.batchMeans(run.waits, batches: 20, confidence: 0.99)
        #expect(ci.contains(theory), "mean wait \(ci.mean) +- \(ci.halfWidth) vs M/D/1 \(theory)")
        #expect(ci.halfWidth < 0.1 * theory)
        // Deterministic service: the busy time is exactly D per arrival, so only the count varies.
        let sd = (lambda * run.span).squareRoot() * d / run.span
        #expect(abs(run.utilization - rho) < 4 * sd)
    }

    // MARK: - Connection pool

    /// A tiny model around one `ConnectionPool`: Poisson arrivals ask for a connection, hold it
    /// for an exponential time and give it back; waiters past the timeout leave.
    struct PoolModel: SimulationModel {
        static let arrival: Int32 = 0, release: Int32 = 1, deadline: Int32 = 2
        var pool: ConnectionPool
        var rng: Xoshiro256StarStar
        let lambda: Double, meanHold: Double
        let scripted: [(arrival: Double, hold: Double)]?
        var arrivals: [Double] = []
        var holds: [Double] = []
        /// Per request: its wait for a connection (nil while waiting), or when it timed out.
        var waits: [Double?] = []
        var timedOutAt: [Double?] = []
        var expired: [Int32] = []

        init(limit: Int, timeout: Double, lambda: Double, meanHold: Double, seed: UInt64,
             scripted: [(arrival: Double, hold: Double)]? = nil) {
            pool = ConnectionPool(limit: limit, timeout: timeout, index: 0, deadlineKind: Self.deadline, startTime: 0)
            rng = Xoshiro256StarStar(seed: seed)
            self.lambda = lambda
            self.meanHold = meanHold
            self.scripted = scripted
        }

        mutating func start(in sim: inout Simulator) {
            if let scripted {
                for (i, s) in scripted.enumerated() { sim.schedule(at: s.arrival, kind: Self.arrival, entity: Int32(i)) }
            } else {
                sim.schedule(at: rng.exponential(rate: lambda), kind: Self.arrival)
            }
        }

        mutating func connect(_ r: Int32, in sim: inout Simulator) {
            waits[Int(r)] = sim.now - arrivals[Int(r)]
            sim.schedule(at: sim.now + holds[Int(r)], kind: Self.release, entity: r)
        }

        mutating func handle(_ event: Event, in sim: inout Simulator) {
            switch event.kind {
            case Self.arrival:
                let r = Int32(arrivals.count)
                arrivals.append(sim.now)
                holds.append(scripted?[Int(r)].hold ?? rng.exponential(rate: 1 / meanHold))
                waits.append(nil)
                timedOutAt.append(nil)
                switch pool.acquire(r, in: &sim) {
                case .acquired: connect(r, in: &sim)
                case .mustOpen: pool.opened(at: sim.now); connect(r, in: &sim)
                case .queued: break
                }
                if scripted == nil { sim.schedule(after: rng.exponential(rate: lambda), kind: Self.arrival) }
            case Self.release:
                if let next = pool.release(in: &sim) { connect(next, in: &sim) }
            case Self.deadline:
                pool.expire(event, in: &sim, into: &expired)
                for r in expired { timedOutAt[Int(r)] = sim.now }
                expired.removeAll()
            default:
                Issue.record("unknown event kind \(event.kind)")
            }
        }
    }

    static func runPool(limit: Int, timeout: Double, lambda: Double, meanHold: Double, until end: Double, seed: UInt64) -> PoolModel {
        var model = PoolModel(limit: limit, timeout: timeout, lambda: lambda, meanHold: meanHold, seed: seed)
        var sim = Simulator()
        model.start(in: &sim)
        sim.run(&model, until: end)
        return model
    }

    /// Without a timeout the pool is M/M/c: the probability of waiting is Erlang C and the mean
    /// wait C / (c mu - lambda).
    @Test func poolWithoutTimeoutIsErlangC() {
        let c = 8, mu = 1 / 0.004, lambda = 6.4 * mu   // 8 connections, 4 ms transactions, 80% busy
        let model = Self.runPool(limit: c, timeout: .infinity, lambda: lambda, meanHold: 1 / mu, until: 300, seed: 21)
        // Customers whose wait is known (a few at the very end are still waiting): drop the first 2%.
        let known = model.waits.compactMap { $0 }
        let series = Array(known.dropFirst(known.count / 50))
        let pWait = Theory.erlangC(servers: c, offeredLoad: lambda / mu)
        let meanWait = pWait / (Double(c) * mu - lambda)
        // Cross-check the two independent Erlang C computations.
        #expect(abs(pWait - QueueingFormulas.erlangC(servers: c, offeredLoad: lambda / mu)) < 1e-12)
        let waited = ConfidenceInterval.batchMeans(series.map { $0 > 0 ? 1 : 0 }, batches: 20, confidence: 0.99)
        let wait = ConfidenceInterval.batchMeans(series, batches: 20, confidence: 0.99)
        #expect(series.count > 300_000)
        #expect(waited.contains(pWait), "P(wait) \(waited.mean) +- \(waited.halfWidth) vs Erlang C \(pWait)")
        #expect(wait.contains(meanWait), "mean wait \(wait.mean) +- \(wait.halfWidth) vs \(meanWait)")
        #expect(waited.halfWidth < 0.05 * pWait && wait.halfWidth < 0.1 * meanWait)
        #expect(model.pool.timeouts == 0 && model.pool.open == c)
        // The pool's own wait tally counts the same waits.
        #expect(model.pool.waits.count == known.count)
        #expect(abs(model.pool.waits.mean - known.reduce(0, +) / Double(known.count)) <= 1e-9 * meanWait)
    }

    /// Every waiter not served in time leaves exactly at arrival + timeout, in order, and a
    /// waiter served before its deadline never times out (the one timer re-arms for the next).
    @Test func waitersTimeOutExactlyAtTheirDeadline() {
        let timeout = 2.0
        // One connection. A holds it 0..10; B, C, D queue behind it and must all time out.
        // Then E (t = 11) gets it at once; F and G queue; E releases at 11.7 so F gets it before
        // its deadline (13.5); G's deadline (14.1) passes while F holds it (until 20).
        let script: [(arrival: Double, hold: Double)] = [
            (0, 10), (0.5, 1), (1.0, 1), (2.4, 1),
            (11, 0.7), (11.5, 8.3), (12.1, 1),
        ]
        var model = PoolModel(limit: 1, timeout: timeout, lambda: 1, meanHold: 1, seed: 0, scripted: script)
        var sim = Simulator()
        model.start(in: &sim)
        sim.run(&model, until: 100)
        for i in [1, 2, 3, 6] {
            #expect(model.timedOutAt[i] == script[i].arrival + timeout, "request \(i) timed out at \(String(describing: model.timedOutAt[i]))")
            #expect(model.waits[i] == nil)
        }
        #expect(model.waits[0] == 0 && model.waits[4] == 0)
        #expect(abs((model.waits[5] ?? -1) - 0.2) < 1e-12)
        #expect(model.timedOutAt[5] == nil && model.timedOutAt[4] == nil)
        #expect(model.pool.timeouts == 4)
        #expect(model.pool.busy == 0 && model.pool.waiting == 0 && model.pool.open == 1)
    }

    /// With a finite timeout the pool is M/M/c+D. The share that times out must match the
    /// M/M/c+D formula (computed in TestSupport from the offered-wait density) and fall as the
    /// timeout grows; with a long timeout P(wait) tends to Erlang C.
    @Test func poolTimeoutsMatchMMcPlusD() {
        let c = 5, mu = 1.0, lambda = 5.0   // offered load 1 per connection: only the timeout keeps it stable
        var fractions: [Double] = []
        for (i, d) in [0.1, 0.3, 1.0].enumerated() {
            let model = Self.runPool(limit: c, timeout: d, lambda: lambda, meanHold: 1 / mu, until: 60_000, seed: 30 + UInt64(i))
            // Outcome per customer in arrival order (those still undecided at the end dropped).
            let decided = zip(model.waits, model.timedOutAt).filter { $0.0 != nil || $0.1 != nil }
            let series = decided.dropFirst(decided.count / 50).map { $0.1 != nil ? 1.0 : 0.0 }
            let ci = ConfidenceInterval.batchMeans(Array(series), batches: 20, confidence: 0.99)
            let theory = Theory.mmcPlusD(arrivalRate: lambda, serviceRate: mu, servers: c, patience: d)
            #expect(ci.contains(theory.abandonProbability),
                    "timeout \(d): timed out \(ci.mean) +- \(ci.halfWidth) vs M/M/c+D \(theory.abandonProbability)")
            #expect(ci.halfWidth < 0.1 * theory.abandonProbability)
            // Every timed-out waiter left exactly `d` after arriving.
            let late = zip(model.arrivals, model.timedOutAt).filter { $0.1 != nil && $0.1! != $0.0 + d }
            #expect(late.isEmpty)
            fractions.append(ci.mean)
        }
        #expect(fractions[0] > fractions[1] && fractions[1] > fractions[2])
        // The formula itself: a long patience gives Erlang C's P(wait) (at a stable load).
        let longPatience = Theory.mmcPlusD(arrivalRate: 4, serviceRate: 1, servers: 5, patience: 1e6)
        #expect(abs(longPatience.waitProbability - Theory.erlangC(servers: 5, offeredLoad: 4)) < 1e-9)
        #expect(longPatience.abandonProbability < 1e-12)
    }
}

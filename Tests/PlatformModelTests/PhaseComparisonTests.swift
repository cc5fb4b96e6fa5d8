import Foundation
import Testing
import Analysis
import PlatformModel
import SimulationEngine

/// Whole-platform runs of the real model files (Models/platform.yaml and its phase overlays),
/// compared on the same traffic and seeds. 50,000 users (7,500 daily-active), two minutes of
/// warm-up and five minutes of the peak hour: each run takes about 0.4-2 s in a debug build.
///
/// Runs that several tests use are made once (a `static let` is initialised once, thread-safely):
/// each configuration with the default traffic at seeds 1 to 5 (three left the 99% interval of
/// an overdispersed count such as false 429s too wide to say anything). A relation between two
/// configurations is judged on the paired differences over the seeds (common random numbers:
/// the same seed gives the same users, sessions and calls in both) with a 99% t interval.
enum SharedRuns {
    static let seeds: [UInt64] = [1, 2, 3, 4, 5]
    static func runs(_ configuration: String) -> Result<[RunResult], any Error> {
        Result { try seeds.map { try PlatformFixture.run(configuration, seed: $0) } }
    }
    static let current = runs("current")
    static let phase1 = runs("phase1")
    static let phase2 = runs("phase2")
    static let phase3 = runs("phase3")
}

@Suite struct PhaseComparisonTests {
    typealias F = PlatformFixture

    // MARK: - A run is a function of its inputs

    @Test func aRunIsDeterministic() throws {
        var a = try SharedRuns.current.get()[0]
        var b = try F.run("current", seed: 1)
        #expect(a.requests > 10_000)
        a.wallSeconds = 0
        b.wallSeconds = 0
        #expect(a == b)
        // A different seed gives a different run (so the equality above is not vacuous).
        var c = try SharedRuns.current.get()[1]
        c.wallSeconds = 0
        #expect(c != a && c.requests != a.requests)
    }

    // MARK: - Little's law inside a run

    /// L = lambda W for the API processes (time-average requests in flight against completions
    /// per second times their mean time in the process) and for the Postgres servers.
    ///
    /// Tolerance. Both sides count the same requests except at the window's edges: a request in
    /// flight at the start contributes its pre-window age to W but not to L, one in flight at the
    /// end the reverse. The two terms cancel in expectation; what is left is of the order of
    /// a sum over the requests in flight at an edge of their ages, which for requests arriving
    /// at rate lambda with time in system W has variance lambda E[W^3] / 3 (request-seconds
    /// squared), two such edges. For `current` the long requests are the synchronous LLM calls:
    /// about 0.8/s (aiScore's 2% of ~40 authenticated calls/s) of lognormal 8.7 s with cv 0.5,
    /// E[W^3] = 8.7^3 x 1.25^3 = 1286 s^3, so a standard deviation of sqrt(2 x 0.8 x 1286 / 3)
    /// = 26 request-seconds against L T = 9.7 x 300 s: 0.9%. 4% is over four of them. Postgres
    /// queries take milliseconds, so the edge terms are below 1e-4 there and 1% is ample.
    @Test func littlesLawHoldsForAPIProcessesAndPostgres() throws {
        let runs = [try SharedRuns.current.get()[0], try SharedRuns.phase3.get()[0]]
        for r in runs {
            for (name, tolerance) in [("api", 0.04), ("postgres-primary", 0.01), ("postgres-replicas", 0.01)] {
                guard let c = F.component(name, in: r) else {
                    #expect(name == "postgres-replicas" && r.config == "current", "\(r.config): no \(name)")
                    continue
                }
                let l = try #require(c.meanInSystem)
                let w = try #require(c.meanResponseMs) / 1000
                #expect(c.throughput > 1)
                #expect(abs(l - c.throughput * w) <= tolerance * l,
                        "\(r.config) \(name): L = \(l), lambda W = \(c.throughput * w)")
            }
        }
    }

    // MARK: - The phases against each other

    /// Phase 1 keys the limits by user (with a per-IP limit of 300 kept for everyone and 50 for
    /// unauthenticated traffic), so office users behind one NAT no longer share a budget of 100.
    ///
    /// Margin: false 429s come in bursts (an office at its limit rejects everyone for the rest of
    /// its window), so their count is overdispersed and a Poisson error would be too narrow; the
    /// seeds give the spread instead: the 99% interval of the paired difference must exclude 0,
    /// and every seed must show it.
    @Test func phase1HasFewerFalse429sThanCurrent() throws {
        let current = try SharedRuns.current.get(), phase1 = try SharedRuns.phase1.get()
        for (c, p) in zip(current, phase1) {
            #expect(c.errors[.rateLimitedFalse] > p.errors[.rateLimitedFalse],
                    "seed \(c.seed): current \(c.errors[.rateLimitedFalse]) vs phase1 \(p.errors[.rateLimitedFalse]) false 429s")
            // The same traffic reached both (the model's clients do not retry): the responses in
            // the window differ only by the requests in flight at its edges.
            #expect(abs(Double(p.requests - c.requests)) < 0.01 * Double(c.requests))
        }
        let d = Stats.pairedDifference(current.map { Double($0.errors[.rateLimitedFalse]) }, phase1.map { Double($0.errors[.rateLimitedFalse]) })
        #expect(d.lower > 0, "current - phase1 false 429s: \(d.mean) +- \(d.halfWidth) (99%)")
        // With 429s for a few percent of requests and no other error of note, the per-IP limiter
        // is what binds `current` at this size, and the analysis must say so.
        for c in current {
            #expect(Double(c.errors[.rateLimited] + c.errors[.rateLimitedFalse]) > 10 * Double(c.errors.total - c.errors[.rateLimited] - c.errors[.rateLimitedFalse]))
            let model = try PlatformFixture.model("current", users: c.users)
            let d = Diagnosis(of: c, model: model)
            #expect(d.bottleneck.component == "ratelimit-global" && d.bottleneck.kind.errorKind?.isRateLimit == true, "\(d.bottleneck)")
        }
    }

    /// Postgres queries per dashboard request.
    ///
    /// Measure: the real traffic with every authenticated call that is not a dashboard replaced by
    /// `logout` (CPU only, no query), no unauthenticated traffic and no webhooks (the only other
    /// sources of queries), and no rate limiter (phase 1's per-user limits would reject some
    /// dashboards in one configuration and not the other). The dashboard keeps its share of calls
    /// (12%), so users, sessions, page views, the per-user dashboard rate and the way calls are
    /// spread over processes are those of the real model; every query the primary completes then
    /// comes from a dashboard. The ratio is completed queries over completed dashboard requests in
    /// the window (both counted in the same window: the edges shift it by a handful at most).
    ///
    /// current: no cache, two queries per dashboard. phase1: the dashboard cached 60 s in each
    /// API process (a user's next dashboard is a hit only on a process that served them lately).
    /// phase2: the same cache in Redis, shared by all processes, so more hits and fewer queries.
    /// Phase 2 also reads every authenticated request's hot data (`api.authenticatedSteps`): a
    /// miss there costs one `userLookup`, taken off the count from the hot-data cache's misses.
    @Test func phase2SendsFewerQueriesPerDashboard() throws {
        let overrides = try F.mixOverrides(["dashboard": 0.12, "logout": 0.88])
            + F.noRateLimits()
            + ["traffic.unauthenticatedRequestsPerUserPerDay=0", "traffic.webhooksPerUserPerDay=0"]
        var ratio: [String: [Double]] = [:]
        for config in ["current", "phase1", "phase2"] {
            for seed in SharedRuns.seeds {
                let r = try F.run(config, seed: seed, overrides: overrides)
                let dashboards = try #require(F.endpoint("dashboard", in: r))
                let primary = try #require(F.component("postgres-primary", in: r))
                let hotData = r.cache.first { $0.name == "hotData" }
                let hotDataMisses = Double((hotData?.lookups ?? 0) - (hotData?.hits ?? 0))
                let queries = primary.throughput * r.simulatedSeconds - hotDataMisses
                #expect(dashboards.requests > 1000 && dashboards.errors == 0)
                // Nothing else reaches Postgres: no replica, no other endpoint with a query.
                #expect(r.endpoints.allSatisfy { ["dashboard", "logout", "health", "staticAsset"].contains($0.name) || $0.requests == 0 })
                let q = queries / Double(dashboards.requests)
                ratio[config, default: []].append(q)
                // A dashboard in flight at either edge of the window moves the count by at most its
                // two queries, and a page view fires at most four calls at once: 2 x 2 x 4 = 16.
                let slack = 16 / Double(dashboards.requests)
                if config == "current" {
                    #expect(abs(q - 2) <= slack, "current: \(q) queries per dashboard")
                } else {
                    // The attribution is right: every miss, and only a miss, costs two queries.
                    let cache = try #require(r.cache.first { $0.name == "dashboard" })
                    #expect(abs(q - 2 * (1 - cache.hitRate)) <= slack, "\(config): \(q) vs hit rate \(cache.hitRate)")
                }
            }
        }
        // Same seeds in each configuration (common random numbers): compare the paired differences.
        let phase1Minus2 = Stats.pairedDifference(ratio["phase1"]!, ratio["phase2"]!)
        let currentMinus2 = Stats.pairedDifference(ratio["current"]!, ratio["phase2"]!)
        #expect(phase1Minus2.lower > 0, "phase1 - phase2: \(phase1Minus2.mean) +- \(phase1Minus2.halfWidth) (99%)")
        #expect(currentMinus2.lower > 0, "current - phase2: \(currentMinus2.mean) +- \(currentMinus2.halfWidth) (99%)")
    }

    /// Read replicas take the replica-eligible reads (dashboards, lists, lookups) off the primary.
    /// Compared in busy cores (utilization x vCPU), and on the same Postgres size, so that the
    /// plan choosing a smaller size could not disguise the change; paired over the five shared seeds.
    @Test func phase3LowersThePrimaryUtilization() throws {
        let p2 = try SharedRuns.phase2.get(), p3 = try SharedRuns.phase3.get()
        func busyCores(_ r: RunResult) throws -> Double {
            let c = try #require(F.component("postgres-primary", in: r))
            return c.utilization * r.capacity.postgresVCPU
        }
        for (a, b) in zip(p2, p3) {
            #expect(a.capacity.postgresSize == b.capacity.postgresSize)
            #expect(b.capacity.replicasPerShard >= 1)
        }
        let d = Stats.pairedDifference(try p2.map(busyCores), try p3.map(busyCores))
        #expect(d.lower > 0, "phase2 - phase3 primary busy cores: \(d.mean) +- \(d.halfWidth) (99%)")
        let p2Mean = try p2.map(busyCores).reduce(0, +) / Double(p2.count)
        // Not a sliver: most of the primary's reads are replica-eligible.
        #expect(d.mean > 0.3 * p2Mean)
    }

    /// Sending email inside the request (current) holds the API process for the Mailgun call; a
    /// queued send (phase 2) returns after the enqueue.
    ///
    /// Measure: the API processes' mean in-system count with an email-heavy mix (half of all
    /// authenticated calls send email, the rest read and write records; no unauthenticated
    /// traffic, whose signups also send mail; no rate limiter, so that both configurations
    /// serve the same requests). By Little's law the synchronous sends add lambda_email x E[Mailgun
    /// latency] requests in flight. Tolerance: the Mailgun latencies of the window's N sends vary
    /// (their mean has standard error sd/sqrt(N)), 4 of those; and the rest of both
    /// configurations' work (CPU, Redis, Postgres, milliseconds per request) may differ by up to
    /// phase 2's whole in-flight count.
    @Test func synchronousEmailHoldsAPIProcessesLonger() throws {
        let overrides = try F.mixOverrides(["emailSend": 0.5, "getRecord": 0.3, "writeRecord": 0.2])
            + F.noRateLimits() + ["traffic.unauthenticatedRequestsPerUserPerDay=0"]
        let current = try F.run("current", seed: 4, overrides: overrides)
        let phase2 = try F.run("phase2", seed: 4, overrides: overrides)
        let lCurrent = try #require(F.component("api", in: current)?.meanInSystem)
        let lPhase2 = try #require(F.component("api", in: phase2)?.meanInSystem)
        let mailgun = try F.model("current", users: 1000).externalServices.first { $0.name == "mailgun" }!.latency
        let sends = Double(try #require(F.endpoint("emailSend", in: current)).requests)
        let window = current.simulatedSeconds
        let expected = sends / window * mailgun.mean
        let sigma = sends.squareRoot() * mailgun.variance.squareRoot() / window
        #expect(sends > 3000)
        #expect(lCurrent > 10 * lPhase2, "current \(lCurrent) vs phase2 \(lPhase2)")
        #expect(abs((lCurrent - lPhase2) - expected) <= 4 * sigma + lPhase2,
                "in flight: current \(lCurrent), phase2 \(lPhase2); lambda_email E[latency] = \(expected) (sigma \(sigma))")
    }
}

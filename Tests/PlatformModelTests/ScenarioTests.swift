import Foundation
import Testing
import ModelSchema
import PlatformModel
import SimulationEngine

/// Failures and load scenarios (the `faults:` section, traffic spikes, autoscaling, the cache
/// stampede overlay) on the real model files, each against the same run without it on the same
/// seed (common random numbers: the same users, sessions and calls).
///
/// phase2 with the rate limiters off unless stated: with no 429s, a request fails only through
/// what the scenario does, so errors can be attributed. 20,000 users (3,000 daily-active), one
/// minute of warm-up and three measured: about half a second a run in a debug build.
@Suite struct ScenarioTests {
    typealias F = PlatformFixture

    static let users = 20_000
    static let settings = RunSettings(seed: 1, replication: 0, startHour: nil, warmUp: 60, duration: 180, timeSeriesInterval: 10)

    static func run(_ overrides: [String], configuration: String = "phase2", users: Int = users, rateLimits: Bool = false,
                    extraOverlays: [String] = [], settings: RunSettings = settings) throws -> RunResult {
        let all = (rateLimits ? [] : try F.noRateLimits()) + overrides
        let model = try PlatformModelFile.load(F.modelPath, configuration: configuration, overrides: all, users: users,
                                               extraOverlays: extraOverlays).0
        return PlatformRun.run(model: model, settings: settings)
    }

    // MARK: - Redis outage

    /// Redis down from 60 s to 120 s into the window. Failing closed, every request that needs
    /// Redis on its way in (phase 2's session check on each authenticated request) fails with
    /// `redisUnavailable` after the failure delay; nothing else fails. So errors appear only in
    /// the 10 s buckets that overlap the outage, and in the one starting at its end (a request
    /// that arrives just before 120 s fails 5 ms later); each bucket inside it has errors,
    /// since it expects (offered authenticated requests per second) x 10 s of them, far from 0.
    @Test func redisOutageFailingClosedFailsOnlyDuringTheOutage() throws {
        let outage = (start: 60.0, end: 120.0)
        let r = try Self.run(["faults.redisOutage.enabled=true", "faults.redisOutage.startS=60", "faults.redisOutage.durationS=60",
                              "faults.redisOutage.failMode=closed"])
        #expect(r.errors[.redisUnavailable] > 0)
        #expect(r.errors.total == r.errors[.redisUnavailable], "\(r.errors.byKind.filter { $0.count > 0 })")
        #expect(r.timeSeries.reduce(0) { $0 + $1.errors } == r.errors.total)
        #expect(r.timeSeries.count == 18 && abs(r.timeSeries.first?.t ?? -1) < 1e-6)

        let model = try F.model("phase2", users: Self.users)
        let load = OfferedLoad(model: model, window: PlatformRun.window(model: model, settings: Self.settings))
        let authenticated = model.endpoints.filter(\.authenticated).reduce(0.0) { $0 + load.endpointRate[$1.index] }
        #expect(authenticated * 10 > 20)   // P(no error in an outage bucket) < e^-20

        for p in r.timeSeries {
            let t = p.t.rounded()   // bucket starts are sums of 10 s steps
            let overlaps = t < outage.end && t + 10 > outage.start
            let straddlesTheEnd = t == outage.end
            if overlaps { #expect(p.errors > 0, "bucket at \(t) s inside the outage has no errors") }
            if !overlaps && !straddlesTheEnd { #expect(p.errors == 0, "bucket at \(t) s: \(p.errors) errors outside the outage") }
        }
        // The same seed without the outage fails nothing.
        #expect(try Self.run([]).errors.total == 0)
    }

    /// Failing open, the limiters and the session check let requests through, so only what
    /// cannot work without Redis fails: adding a BullMQ job (phase 2 queues email and AI
    /// scoring; campaigns go through Email Sentinel's BullMQ in every phase). Phase 1 failing
    /// open fails only its campaign sends; failing closed it fails far more (its limiters), so
    /// the mode is what makes the difference.
    @Test func redisOutageFailingOpenFailsOnlyWhatNeedsRedis() throws {
        let outage = ["faults.redisOutage.enabled=true", "faults.redisOutage.startS=60", "faults.redisOutage.durationS=60"]
        let open = try Self.run(outage + ["faults.redisOutage.failMode=open"])
        let closed = try Self.run(outage + ["faults.redisOutage.failMode=closed"])
        let model = try F.model("phase2", users: Self.users)
        let enqueueing = Set(model.endpoints.filter { e in e.steps.contains { if case .enqueue = $0 { return true }; return false } }.map(\.name))
        #expect(enqueueing == ["aiScore", "emailSend", "signup", "sendCampaign"])
        #expect(open.errors.total == open.errors[.redisUnavailable])
        for e in open.endpoints where e.errors > 0 {
            #expect(enqueueing.contains(e.name), "\(e.name) failed \(e.errors) times with Redis failing open")
        }
        #expect(open.errors[.redisUnavailable] < closed.errors[.redisUnavailable])
        // And they do fail: each request of an enqueueing endpoint in the same seed's run
        // without the outage falls in the outage (60 of the 180 s, traffic about steady in the
        // peak hour) with probability 1/3, so their failures are about Binomial(N, 1/3):
        // at least the mean less 4 standard deviations (with N ~ 60 here: at least 5 of ~20,
        // so an enqueue that stopped failing, or failed in under a quarter of the outage, fails).
        let without = try Self.run([])
        let n = Double(without.endpoints.filter { enqueueing.contains($0.name) }.reduce(0) { $0 + $1.requests })
        #expect(n >= 30, "too few enqueueing requests (\(n)) for a lower bound")
        let share = 60.0 / Self.settings.duration
        let lowest = n * share - 4 * (n * share * (1 - share)).squareRoot()
        #expect(Double(open.errors[.redisUnavailable]) >= lowest,
                "\(open.errors[.redisUnavailable]) enqueues failed in the outage; expected about \(n * share), at least \(lowest)")

        let phase1Open = try Self.run(outage + ["faults.redisOutage.failMode=open"], configuration: "phase1", rateLimits: true)
        for e in phase1Open.endpoints where e.errors > 0 {
            #expect(e.name == "sendCampaign", "\(e.name) failed \(e.errors) times in phase 1 with Redis failing open")
        }
        let phase1Closed = try Self.run(outage + ["faults.redisOutage.failMode=closed"], configuration: "phase1", rateLimits: true)
        #expect(phase1Closed.errors[.redisUnavailable] > 10 * Swift.max(1, phase1Open.errors[.redisUnavailable]))
    }

    // MARK: - Primary failover

    /// The primary takes no transactions for 30 s from 60 s: a transaction arriving then waits
    /// for it. Requests arriving in the first half of the pause that need the primary wait at
    /// least 15 s; they are 15/180 of the window's requests times the share that queries the
    /// primary (most of them in phase 2: every authenticated call but logout, public pages,
    /// video views, webhooks), several percent, so more than 1%: the p99 is at least 15 s.
    @Test func primaryFailoverRaisesTheP99() throws {
        let failover = ["faults.primaryFailover.enabled=true", "faults.primaryFailover.startS=60", "faults.primaryFailover.durationS=30"]
        let with = try Self.run(failover)
        let without = try Self.run([])
        #expect(with.requests > 1000 && without.requests > 1000)
        #expect(with.latencyMs.p99 > without.latencyMs.p99)
        #expect(with.latencyMs.p99 >= 15_000, "p99 \(with.latencyMs.p99) ms")
        #expect(without.latencyMs.p99 < 15_000)
    }

    // MARK: - Traffic spike and autoscaling

    /// A x6 spike from 30 s to 510 s of a 540 s window, against capacity planned for the normal
    /// peak. 5,000 users with the event loop's framework CPU raised to 40 ms a request and one
    /// API instance allowed, so that a small population loads the API as a large one would
    /// (overload and autoscaling do not depend on how the load comes about) and the run stays
    /// short: the planned instance is then busy a quarter to a half of the time, so six times
    /// the traffic is more than it can serve.
    static let spikeModel = ["api.frameworkCpuMs=lognormal:40,0.5", "api.scaling.min=1"]
    static let spike = ["traffic.spike.multiplier=6", "traffic.spike.startHour=\(14 + 30.0 / 3600)", "traffic.spike.durationS=480"]
    static let spikeSettings = RunSettings(seed: 1, replication: 0, startHour: 14, warmUp: 60, duration: 540, timeSeriesInterval: 10)

    @Test func aSpikeOverloadsTheAPIUnlessAutoscalingAddsInstances() throws {
        let users = 5000
        let calm = try Self.run(Self.spikeModel, users: users, settings: Self.spikeSettings)
        let fixed = try Self.run(Self.spikeModel + Self.spike + ["api.autoscaling.enabled=false"], users: users, settings: Self.spikeSettings)
        let scaled = try Self.run(Self.spikeModel + Self.spike + ["api.autoscaling.enabled=true"], users: users, settings: Self.spikeSettings)
        #expect(calm.errors.total == 0)
        #expect(calm.capacity.apiInstances == 1 && fixed.capacity.apiInstances == 1 && scaled.capacity.apiInstances == 1)

        // Without autoscaling: 503s (max in-flight) or client timeouts.
        #expect(fixed.errors[.overloaded] + fixed.errors[.timeout] > 0, "\(fixed.errors.byKind.filter { $0.count > 0 })")
        #expect(F.component("api", in: fixed)?.details[.instancesAddedByAutoscaling] == 0)
        // With it: instances added during the spike.
        let added = try #require(F.component("api", in: scaled)?.details[.instancesAddedByAutoscaling])
        #expect(added > 0)

        // The later half of the spike (270 s to 510 s): lower p99 with the added instances.
        func laterHalf(_ r: RunResult) -> [Double] { r.timeSeries.filter { $0.t.rounded() >= 270 && $0.t.rounded() + 10 <= 510 }.map(\.p99Ms) }
        let a = laterHalf(scaled), b = laterHalf(fixed)
        #expect(a.count == 24 && b.count == 24)
        let withScaling: Double = a.reduce(0, +) / Double(a.count), without: Double = b.reduce(0, +) / Double(b.count)
        #expect(withScaling < without, "mean bucket p99 \(withScaling) ms with autoscaling, \(without) ms without")
    }

    // MARK: - Cache stampede

    /// Models/scenarios/cache-stampede.yaml: every dashboard reads one global feature-flags key
    /// whose fill is an expensive query. Without coalescing, every dashboard that misses while
    /// the key is being refilled runs the query; with it, they wait for the one fill. Fills
    /// that reach Postgres are the misses that did not wait: lookups - hits - coalescedWaits.
    /// Each is about half a second of primary CPU (50,000 heap rows at 10 us), so each saved
    /// fill lowers the primary's busy share by about 0.5 s / (2 vCPU x 180 s) = 0.14 points,
    /// far more than the rest of its load (under 1%) can move between the two runs.
    @Test func coalescingMissesSendsFewerQueriesToPostgres() throws {
        let overlay = F.root.appendingPathComponent("Models/scenarios/cache-stampede.yaml").path
        let plain = try Self.run(["caches.featureFlags.coalesceMisses=false"], rateLimits: true, extraOverlays: [overlay])
        let coalesced = try Self.run(["caches.featureFlags.coalesceMisses=true"], rateLimits: true, extraOverlays: [overlay])
        let p = try #require(plain.cache.first { $0.name == "featureFlags" })
        let c = try #require(coalesced.cache.first { $0.name == "featureFlags" })
        #expect(p.coalescedWaits == 0 && c.coalescedWaits > 0)
        let plainFills = p.lookups - p.hits - p.coalescedWaits, coalescedFills = c.lookups - c.hits - c.coalescedWaits
        #expect(coalescedFills < plainFills, "fills: \(coalescedFills) coalesced, \(plainFills) without")
        let primary = (try #require(F.component("postgres-primary", in: plain)), try #require(F.component("postgres-primary", in: coalesced)))
        #expect(primary.1.utilization < primary.0.utilization)
    }
}

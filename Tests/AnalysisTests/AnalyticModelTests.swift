import Foundation
import Testing
import Analysis
import PlatformModel
import SimulationEngine

/// The queueing-formula stations against the simulation, and the comparison table.
@Suite struct AnalyticModelTests {
    // MARK: - Utilization: formulas against simulation

    /// Both sides start from the same offered load (rates times mean demands), so utilization,
    /// which is offered load over capacity whatever the queueing, must agree up to:
    ///
    /// 1. Cache hits. The formulas estimate hit rates per user key with the TTL formula, the
    ///    simulation measures them (sessions make a user's requests bursty, so it hits far more).
    ///    Utilization is linear in each hit rate (no cache is nested in another), U(h) = U(0) -
    ///    sum_c D_c h_c, and D_c is read off the formulas by switching cache c off:
    ///    D_c = (U(c off) - U) / h_c. The analytic figure is then moved to the measured hit rates.
    ///    This is exact only if every hit saves the same demand, which holds for the API (the
    ///    cached steps are queries, whose client CPU does not depend on the user) and, with equal
    ///    users (activity weight 1), for Postgres; with the model's unequal users a dashboard
    ///    query costs more for a heavier user, who may hit more or less often than the average,
    ///    so Postgres is compared there with the caches off.
    /// 2. Randomness: of the traffic, the population (activity weights) and the service times.
    ///    Most of it is the traffic level (the number of sessions under way drifts over minutes,
    ///    moving every station together), so the analytic figure is scaled by the realized
    ///    requests per second over the offered ones (a ratio estimator: what is compared is the
    ///    demand per request), and the rate itself is checked on its own. Over twelve seeds the
    ///    differences must have a 99% t interval that reaches zero (after the allowances of 3),
    ///    and the interval must be narrow enough to mean something: +-3.5% for the utilizations
    ///    (over eight seeds they came out at about +-2 to 2.7%, and Postgres's with unequal users
    ///    at +-3.8% once a list counted all of the user's leads (`countLeads`, rows in proportion
    ///    to a heavy-tailed weight): hence twelve), so that a formula or a simulation off by 7% plus
    ///    the allowance fails whatever the draw; +-10% for the request rate, whose drift with
    ///    the sessions under way the ratio estimator removes from the utilizations but not from
    ///    itself (about +-8% over eight seeds: it catches only a rate 20% off, which
    ///    WarmUpCheckTests.theFirstMinuteCarriesTheOfferedTraffic bounds to 5% at 50,000 users).
    /// 3. Two small approximations in the offered load, allowed for in full: the health checks
    ///    (not in the offered load; added to the analytic figure exactly) and the rows a list
    ///    returns, a 4,000-draw Monte Carlo mean accurate to about 2% (OfferedLoad), allowed
    ///    as 2% of the per-row work at the page cap.
    ///
    /// Nothing else differs: the rate limiters are off (a request rejected at the limiter skips
    /// its steps, which the formulas do not model), and the load is moderate (no timeouts, no
    /// pool waits, Postgres far below the concurrency where contention wastes CPU). Job retries
    /// after a provider failure (1% of AI scoring jobs) re-run one query, under 0.01% of the
    /// primary's transactions.
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let overrides: [String]
        let cachesOff: Bool
        var description: String { name }
    }

    static let cases = [
        Case(name: "equal users, caches on", overrides: ["traffic.activityWeight=det:1"], cachesOff: false),
        Case(name: "unequal users, caches off", overrides: [], cachesOff: true),
    ]

    static let users = 20_000
    static let seeds: [UInt64] = Array(1...12)
    static let settings = Fixture.settings(seed: 1, warmUp: 120, duration: 300)

    static func utilization(_ stations: [AnalyticStation], _ name: String) -> Double {
        stations.first { $0.name == name }?.utilization ?? .nan
    }

    @Test(arguments: cases)
    func apiAndPrimaryUtilizationAgreeWithTheSimulation(_ c: Case) throws {
        var overrides = try Fixture.noRateLimits() + c.overrides
        let phase2 = try Fixture.model("phase2", users: Self.users, overrides: overrides)
        if c.cachesOff { overrides += phase2.caches.filter(\.enabled).map { "caches.\($0.name).enabled=false" } }
        let model = try Fixture.model("phase2", users: Self.users, overrides: overrides)
        let (load, plan) = PlatformRun.plan(model: model, settings: Self.settings)
        let stations = AnalyticModel.stations(model: model, plan: plan, load: load)
        let processes = Double(plan.apiProcesses), vcpu = plan.postgresVCPU

        // 1. Demand behind each cache, from the formulas with that cache off.
        var behind: [String: (api: Double, primary: Double, hit: Double)] = [:]
        for cache in model.caches where cache.enabled {
            let off = try Fixture.model("phase2", users: Self.users, overrides: overrides + ["caches.\(cache.name).enabled=false"])
            let (offLoad, offPlan) = PlatformRun.plan(model: off, settings: Self.settings)
            try #require(offPlan == plan, "switching \(cache.name) off changes the capacity plan")
            let offStations = AnalyticModel.stations(model: off, plan: offPlan, load: offLoad)
            let h = load.cacheHitRate[cache.index]
            try #require(h > 0)
            behind[cache.name] = ((Self.utilization(offStations, "api") - Self.utilization(stations, "api")) / h,
                                  (Self.utilization(offStations, "postgres-primary") - Self.utilization(stations, "postgres-primary")) / h, h)
        }

        // 3. Health checks on the event loops; the Monte Carlo rows allowance.
        let health = model.endpoints[model.traffic.healthEndpoint]
        let healthCPU = health.steps.reduce(0.0) { if case .cpu(let d, _) = $1 { return $0 + d.mean }; return $0 }
        let apiHealth = Double(plan.apiInstances) * model.traffic.healthChecksPerInstancePerSecond * healthCPU / processes
        let cap = Double(model.api.maxPageSize ?? 1000)
        var rowWorkAPI = 0.0, rowWorkPrimary = 0.0
        for e in model.endpoints where e.requestedLimit != nil {
            for step in e.steps {
                if case .cpu(_, let perRow) = step { rowWorkAPI += load.endpointRate[e.index] * perRow * cap }
                if case .query = step { rowWorkPrimary += load.endpointRate[e.index] * cap * model.database.postgres.heapRowCPU }
            }
        }
        let allowance = (api: 0.02 * rowWorkAPI / processes, primary: 0.02 * rowWorkPrimary / vcpu)

        // 2. Per seed: simulated over analytic at the measured hit rates and realized traffic,
        // as relative differences (the allowances likewise).
        let offeredRate = load.endpointRate.reduce(0, +) + Double(plan.apiInstances) * model.traffic.healthChecksPerInstancePerSecond
        var dRate: [Double] = [], dAPI: [Double] = [], dPrimary: [Double] = []
        for seed in Self.seeds {
            var s = Self.settings
            s.seed = seed
            let r = PlatformRun.run(model: model, settings: s)
            #expect(r.errors.total == 0, "seed \(seed): \(r.errors.byKind.filter { $0.count > 0 })")
            var api = Self.utilization(stations, "api") + apiHealth
            var primary = Self.utilization(stations, "postgres-primary")
            for cache in r.cache {
                guard let b = behind[cache.name] else { continue }
                api -= b.api * (cache.hitRate - b.hit)
                primary -= b.primary * (cache.hitRate - b.hit)
            }
            let traffic = r.throughput / offeredRate
            dRate.append(traffic - 1)
            dAPI.append(try #require(Fixture.component("api", in: r)).utilization / (api * traffic) - 1)
            dPrimary.append(try #require(Fixture.component("postgres-primary", in: r)).utilization / (primary * traffic) - 1)
        }
        let apiNow = Self.utilization(stations, "api"), primaryNow = Self.utilization(stations, "postgres-primary")
        for (name, d, allow, widest) in [("requests per second", dRate, 0.0, 0.10), ("api", dAPI, allowance.api / apiNow, 0.035),
                                         ("postgres-primary", dPrimary, allowance.primary / primaryNow, 0.035)] {
            let ci = ConfidenceInterval(samples: d, confidence: 0.99)
            #expect(abs(ci.mean) <= ci.halfWidth + allow,
                    "\(c.name), \(name): simulated / analytic - 1 = \(ci.mean) +- \(ci.halfWidth) (allowance \(allow))")
            #expect(ci.halfWidth < widest, "\(c.name), \(name): the interval (+-\(ci.halfWidth)) is too wide to see a bias of \(2 * widest)")
        }
    }

    // MARK: - The comparison table

    static func station(_ name: String, _ kind: String, utilization: Double, waitMs: Double) -> AnalyticStation {
        decoded(AnalyticStation.self, """
            {"name": "\(name)", "kind": "\(kind)", "servers": 1, "count": 1, "arrivalRate": 10, "meanServiceMs": 1,
             "utilization": \(utilization), "meanWaitMs": \(waitMs.isFinite ? String(waitMs) : "\"inf\""), "meanQueue": 0, "meanInSystem": 0}
            """)
    }

    /// Flags a station when utilization or wait differ by more than 10% relatively (and by at
    /// least 2 points of utilization or 0.05 ms of wait), or the formula has no finite wait.
    @Test func compareFlagsOnlyStationsThatDiffer() throws {
        let model = try Fixture.model("current", users: 1000)
        let analytic = [
            Self.station("api", "apiProcess", utilization: 0.40, waitMs: 1.0),                  // simulated 0.50: 20% apart
            Self.station("postgres-primary", "postgresPrimary", utilization: 0.30, waitMs: 0.50), // within 4%
            Self.station("prisma-pool", "connectionPool", utilization: 0.20, waitMs: 1.0),       // wait 2.0 ms: 50% apart
            Self.station("redis", "redis", utilization: 0.001, waitMs: 0.01),                    // 50% apart, but negligible
            Self.station("workers", "workers", utilization: 0.50, waitMs: 2.0),                  // 9% apart
            Self.station("pgbouncer", "pgbouncer", utilization: 0.99, waitMs: .infinity),        // agrees, but no finite wait
            Self.station("mailgun", "externalService", utilization: 0.1, waitMs: 0),             // not in the run: left out
        ]
        let run = Constructed.run(components: [
            Constructed.component("api", kind: .apiProcess, utilization: 0.50, meanWaitMs: 1.0),
            Constructed.component("postgres-primary", kind: .postgresPrimary, utilization: 0.31, meanWaitMs: 0.52),
            Constructed.component("prisma-pool", kind: .connectionPool, utilization: 0.20, meanWaitMs: 2.0),
            Constructed.component("redis", kind: .redis, utilization: 0.002, meanWaitMs: 0.02),
            Constructed.component("workers", kind: .workers, utilization: 0.55, meanWaitMs: 2.1),
            Constructed.component("pgbouncer", kind: .pgbouncer, utilization: 0.99, meanWaitMs: 5),
        ])
        let rows = AnalyticModel.compare(analytic, with: run, model: model)
        #expect(rows.map(\.name) == ["api", "postgres-primary", "prisma-pool", "redis", "workers", "pgbouncer"])
        let flagged = Set(rows.filter(\.flagged).map(\.name))
        #expect(flagged == ["api", "prisma-pool", "pgbouncer"])
        for row in rows {
            #expect(row.flagged == !row.likelyReason.isEmpty, "\(row.name): reason '\(row.likelyReason)'")
        }
        let api = try #require(rows.first { $0.name == "api" })
        #expect(abs(api.difference - 0.2) < 1e-12 && api.simulatedUtilization == 0.5 && api.analyticUtilization == 0.4)
        let primary = try #require(rows.first { $0.name == "postgres-primary" })
        #expect(abs(primary.difference - 0.02 / 0.52) < 1e-12)
        // A stricter threshold flags the workers (9% apart) but still not the primary, whose
        // differences are under 2 points of utilization and 0.05 ms of wait.
        let strict = AnalyticModel.compare(analytic, with: run, model: model, threshold: 0.03)
        #expect(Set(strict.filter(\.flagged).map(\.name)) == ["api", "prisma-pool", "pgbouncer", "workers"])
    }
}

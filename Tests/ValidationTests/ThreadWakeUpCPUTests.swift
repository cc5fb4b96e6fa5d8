import Foundation
import ModelSchema
import PlatformModel
import Testing

/// The CPU a server spends waking when work finds it idle: Redis's thread (`redis.wakeUpCpuUs`),
/// PgBouncer's (`database.pgbouncer.wakeUpCpuUs`), Postgres's cores (`database.postgres.wakeUpCpuMs`)
/// and a load generator's event loop on the database's host (`database.postgres.colocated.loadGeneratorWakeUpCpuMs`),
/// as an API process's loop pays `api.loopWakeUpCpuMs` (LoopWakeUpTests; the co-located work
/// itself is checked in ColocationTests). Checked by work conservation: a fixed wake-up draws
/// no random numbers, so the same seed sends the same requests with and without it, and the
/// thread's extra busy time is the wake-up times the round trips that found it idle, between
/// the bounds the thread's own utilization sets (a round trip finds it busy at most that share
/// of the time, arrivals seeing time averages, with a margin of the same size).
@Suite("Wake-up CPU of Redis, PgBouncer, Postgres and the load generator")
struct ThreadWakeUpCPUTests {
    static let testbed = [TraceTests.root + "/Models/testbed/topology.yaml"]
    static let fixedRedis = ["redis.commandTimeUs=det:1", "redis.scriptTimeUs=det:1", "redis.callCpuUs=det:6"]
    /// One call per page view, no polling, no assets, no API clients: requests arrive one by one
    /// (Poisson page views), so a round trip finds a thread busy with the thread's busy share
    /// (arrivals see time averages). A page view's calls sent together would find it busy more
    /// often: they share wake-ups, as on the testbed.
    static let alone = ["traffic.apiCallsPerPageView=1", "traffic.pollingCallsPerOpenTabMinute=0", "traffic.staticAssetsPerPageView=0",
                        "traffic.apiClientRequestsPerActiveUserPerDay=0"]

    /// One run; `rateScale` multiplies the sessions each user opens.
    static func run(_ configuration: String, seed: UInt64, overrides: [String], overlays: [String] = [], users: Int = 1000,
                    rateScale: Double = 1, duration: Double = 300) throws -> RunResult {
        var model = try PlatformModelFile.load(TraceTests.root + "/Models/platform.yaml", configuration: configuration, overrides: overrides,
                                               users: users, extraOverlays: overlays).0
        model.traffic.sessionsPerActiveUserPerDay *= rateScale
        return PlatformRun.run(model: model, settings: RunSettings(seed: seed, replication: 0, startHour: nil, warmUp: 120, duration: duration,
                                                                 timeSeriesInterval: 10))
    }

    static func component(_ name: String, in r: RunResult) -> ComponentMetrics? { r.components.first { $0.name == name } }

    /// Phase 1's Redis traffic is the limiters' scripts and the caches' commands, one round trip
    /// each (no jobs before phase 2), so round trips are the commands counted. With a wake-up of
    /// 50 us, the thread is busier by commands per second x 50 us x the share of round trips that
    /// found it idle: at most all of them, at least 1 - its utilization less a margin of the same
    /// size (a chain's later trips are taken to find it as the first did).
    @Test func redisPaysItsWakeUpForEachRoundTripThatFindsItIdle() throws {
        let base = try Self.run("phase1", seed: 4, overrides: Self.alone + Self.fixedRedis, users: 50_000, duration: 120)
        let with = try Self.run("phase1", seed: 4, overrides: Self.alone + Self.fixedRedis + ["redis.wakeUpCpuUs=50"], users: 50_000, duration: 120)
        let r0 = try #require(Self.component("redis", in: base))
        let r1 = try #require(Self.component("redis", in: with))
        #expect(r0.throughput == r1.throughput, "the same commands: \(r0.throughput) against \(r1.throughput)")
        #expect(r1.throughput > 20)
        let extra = r1.utilization - r0.utilization
        let most = r1.throughput * 50e-6
        #expect(extra <= most * 1.0001, "extra busy \(extra), every round trip waking \(most)")
        #expect(extra >= most * (1 - 2 * r1.utilization) - 1e-9, "extra busy \(extra), idle share of \(most) at utilization \(r1.utilization)")
        #expect(abs(r0.utilization - r0.throughput * 7e-6) <= 0.005 * r0.utilization + 1e-6, "no wake-up: busy is calls x 7 us")
    }

    /// PgBouncer's thread pays its wake-up once per round trip of a transaction that finds it
    /// idle: one to four round trips a query (a statement, or BEGIN, two statements and COMMIT),
    /// so at low load its extra busy share lies between the queries' rate x the wake-up x its
    /// idle share and four times the queries' rate x the wake-up.
    @Test func pgbouncerPaysItsWakeUpPerRoundTripWhenIdle() throws {
        let off = Self.alone + ["database.postgres.colocated.redis=false", "database.postgres.colocated.pgbouncer=false"]
        let base = try Self.run("phase3", seed: 6, overrides: off, overlays: Self.testbed, rateScale: 20)
        let with = try Self.run("phase3", seed: 6, overrides: off + ["database.pgbouncer.wakeUpCpuUs=100"], overlays: Self.testbed, rateScale: 20)
        let b0 = try #require(base.components.first { $0.kind == .pgbouncer })
        let b1 = try #require(with.components.first { $0.kind == .pgbouncer })
        let pg = try #require(with.components.first { $0.kind == .postgresPrimary })
        let queries = pg.throughput
        #expect(queries > 5, "queries per second \(queries)")
        let extra = b1.utilization - b0.utilization
        #expect(extra <= 4 * queries * 100e-6 * 1.0001, "extra busy \(extra) against 4 round trips a query \(4 * queries * 100e-6)")
        #expect(extra >= queries * 100e-6 * (1 - 2 * b1.utilization), "extra busy \(extra) against one round trip a query \(queries * 100e-6)")
    }

    /// Postgres pays its wake-up for each round trip of a query that finds its cores idle, as
    /// PgBouncer pays its own for each round trip that finds its thread idle: the same round
    /// trips reach both, so with the same wake-up on each (and nothing else on the database's
    /// core) Postgres's extra busy share over PgBouncer's lies between 1 - 2 x Postgres's
    /// utilization (the share of round trips finding its core idle, at least) and 1 / (1 - 2 x
    /// PgBouncer's) (PgBouncer's share, at least). Charging once a query, or when the cores are
    /// busy, falls outside: the mix's queries average more than one round trip.
    @Test func postgresPaysItsWakeUpPerRoundTripThatFindsItsCoresIdle() throws {
        let off = Self.alone + ["database.postgres.colocated.redis=false", "database.postgres.colocated.pgbouncer=false"]
        let base = try Self.run("phase3", seed: 8, overrides: off, overlays: Self.testbed, rateScale: 20)
        let bouncer = try Self.run("phase3", seed: 8, overrides: off + ["database.pgbouncer.wakeUpCpuUs=100"], overlays: Self.testbed, rateScale: 20)
        let both = try Self.run("phase3", seed: 8, overrides: off + ["database.pgbouncer.wakeUpCpuUs=100", "database.postgres.wakeUpCpuMs=0.1"],
                                overlays: Self.testbed, rateScale: 20)
        let b0 = try #require(base.components.first { $0.kind == .pgbouncer })
        let b1 = try #require(bouncer.components.first { $0.kind == .pgbouncer })
        let pg1 = try #require(bouncer.components.first { $0.kind == .postgresPrimary })
        let pg2 = try #require(both.components.first { $0.kind == .postgresPrimary })
        #expect(base.requests == both.requests && pg1.throughput == pg2.throughput, "the same requests and queries")
        #expect(pg2.throughput > 5, "queries per second \(pg2.throughput)")
        let bouncerExtra = b1.utilization - b0.utilization
        let postgresExtra = pg2.utilization - pg1.utilization
        #expect(bouncerExtra > 1.2 * pg2.throughput * 100e-6, "more than one round trip a query: \(bouncerExtra) against \(pg2.throughput * 100e-6)")
        let ratio = postgresExtra / bouncerExtra
        #expect(ratio >= 1 - 2 * pg2.utilization, "Postgres's extra \(postgresExtra) over PgBouncer's \(bouncerExtra): \(ratio) at utilization \(pg2.utilization)")
        #expect(ratio <= 1 / (1 - 2 * b1.utilization), "Postgres's extra \(postgresExtra) over PgBouncer's \(bouncerExtra): \(ratio), PgBouncer at \(b1.utilization)")
    }

    /// A load generator's loop pays its wake-up for a send or a receipt that finds it idle: at
    /// most two a request. A request's receipt finds the loop busy only while another segment
    /// runs, so at low load at least one a request, less the loop's busy share. Its CPU is the
    /// database's core's co-located work, which grows by exactly that.
    @Test func loadGeneratorPaysItsWakeUpForSegmentsThatFindItsLoopIdle() throws {
        let off = Self.alone + ["database.postgres.colocated.redis=false", "database.postgres.colocated.pgbouncer=false",
                   "database.postgres.colocated.loadGeneratorCpuPerRequestMs=det:0.2", "database.postgres.colocated.loadGeneratorSendShare=0.5"]
        let base = try Self.run("phase3", seed: 7, overrides: off, overlays: Self.testbed, rateScale: 20)
        let with = try Self.run("phase3", seed: 7, overrides: off + ["database.postgres.colocated.loadGeneratorWakeUpCpuMs=0.15"],
                                overlays: Self.testbed, rateScale: 20)
        let pg0 = try #require(base.components.first { $0.kind == .postgresPrimary })
        let pg1 = try #require(with.components.first { $0.kind == .postgresPrimary })
        let c0 = try #require(pg0.details[.colocatedCPU])
        let c1 = try #require(pg1.details[.colocatedCPU])
        let rate = Double(with.requests) / with.simulatedSeconds
        #expect(with.requests == base.requests)
        #expect(abs(c0 - rate * 0.2e-3) <= 0.02 * rate * 0.2e-3, "without wake-ups the load generator's CPU is requests x 0.2 ms")
        let extra = c1 - c0
        #expect(extra <= 2 * rate * 0.15e-3 * 1.02, "extra \(extra) cores, at most two wake-ups a request \(2 * rate * 0.15e-3)")
        #expect(extra >= rate * 0.15e-3 * (1 - 2 * c1), "extra \(extra) cores, at least a receipt's a request \(rate * 0.15e-3) less the loop's busy share \(c1)")
    }
}

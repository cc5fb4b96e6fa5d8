import Foundation
import ModelSchema
import PlatformModel
import SimulationEngine
import Testing

/// Work beside Postgres on its cores (`database.postgres.colocated`) and Redis's CPU per call
/// (`redis.callCpuUs`), checked by work conservation. The sharing itself is the engine's
/// processor sharing with customers outside the contention curve (StationMechanicsTests);
/// what it does to latency is judged against the testbed (Notebooks/validation.md). A
/// processor-sharing formula for the queries' stretch does not apply: a request's co-located
/// work arrives with it, just before its queries, so the two classes' arrivals are correlated
/// (tried: the queries' mean time grew 3.7 times the M/G/1-PS figure).
@Suite("Co-located work on the database's cores; Redis's CPU per call")
struct ColocationTests {
    static let testbed = ["Models/testbed/topology.yaml"].map { PlatformFixture.root.appendingPathComponent($0).path }
    /// The testbed's topology puts Redis and PgBouncer on the database's core; these checks
    /// take them off it, leaving the load generator's work alone.
    static let alone = ["database.postgres.colocated.redis=false", "database.postgres.colocated.pgbouncer=false"]

    /// One run; `rateScale` multiplies the sessions each user opens (the testbed's thousand
    /// users send a few requests a second of their own).
    static func run(_ configuration: String, users: Int, seed: UInt64, overrides: [String], overlays: [String] = [],
                    rateScale: Double = 1, duration: Double = 300) throws -> RunResult {
        var model = try PlatformModelFile.load(PlatformFixture.modelPath, configuration: configuration, overrides: overrides, users: users,
                                               extraOverlays: overlays).0
        model.traffic.sessionsPerActiveUserPerDay *= rateScale
        return PlatformRun.run(model: model, settings: PlatformFixture.settings(seed: seed, duration: duration))
    }

    /// Redis's thread is busy for each call's command time plus its call CPU: with both fixed,
    /// its busy share is exactly calls per second times their sum (up to a call cut by the
    /// window's edges, microseconds in minutes).
    @Test func redisIsBusyForEveryCallsCommandAndCallCPU() throws {
        let r = try Self.run("phase1", users: 50_000, seed: 3,
                             overrides: ["redis.commandTimeUs=det:1", "redis.scriptTimeUs=det:1", "redis.callCpuUs=det:6"], duration: 120)
        let redis = try #require(PlatformFixture.component("redis", in: r))
        #expect(redis.throughput > 50)
        let expected = redis.throughput * 7e-6
        #expect(abs(redis.utilization - expected) <= 0.005 * expected + 1e-6, "busy \(redis.utilization), calls x 7 us \(expected)")
    }

    /// A load generator's CPU on the database's host is counted apart from the queries: the same
    /// seed sends the same requests with and without it (a fixed figure draws no random numbers),
    /// so the queries per second stay, the co-located CPU is requests per second times the
    /// figure, and the cores' busy share grows by exactly that much (work is conserved).
    @Test func loadGeneratorWorkIsCountedApartAndConserved() throws {
        let generator = 0.4e-3
        let base = try Self.run("phase3", users: 1000, seed: 5, overrides: Self.alone, overlays: Self.testbed)
        let with = try Self.run("phase3", users: 1000, seed: 5, overrides: Self.alone + ["database.postgres.colocated.loadGeneratorCpuPerRequestMs=det:0.4"],
                                overlays: Self.testbed)
        let pg0 = try #require(base.components.first { $0.kind == .postgresPrimary })
        let pg1 = try #require(with.components.first { $0.kind == .postgresPrimary })
        #expect(pg0.details[.colocatedCPU] == nil)
        let colocated = try #require(pg1.details[.colocatedCPU])
        let offered = Double(with.requests) / with.simulatedSeconds
        #expect(abs(colocated - offered * generator) <= 0.02 * offered * generator, "co-located \(colocated) cores, requests/s x 0.4 ms \(offered * generator)")
        #expect(abs(pg1.throughput - pg0.throughput) <= 0.01 * pg0.throughput)
        // One core: utilization is the busy share.
        #expect(abs(pg1.utilization - (pg0.utilization + colocated)) <= 0.03 * pg1.utilization)
    }

    /// Redis on the database's core: each call's work is stretched by the sharing it finds
    /// there, never shrunk. With a fixed command and call time, Redis's thread without the
    /// sharing is busy exactly calls x 7 us; on a loaded shared core it is busy longer, by the
    /// mean stretch, which is at least 1 and at most the mean number sharing the core plus one.
    /// And its work joins the core's: the co-located CPU is the calls' unstretched work.
    @Test func redisOnTheDatabaseCoreIsStretchedBySharing() throws {
        let fixed = ["redis.commandTimeUs=det:1", "redis.scriptTimeUs=det:1", "redis.callCpuUs=det:6",
                     "database.postgres.colocated.pgbouncer=false"]
        let r = try Self.run("phase3", users: 1000, seed: 2, overrides: fixed, overlays: Self.testbed, rateScale: 80, duration: 120)
        let redis = try #require(PlatformFixture.component("redis", in: r))
        let pg = try #require(r.components.first { $0.kind == .postgresPrimary })
        let unstretched = redis.throughput * 7e-6
        let colocated = try #require(pg.details[.colocatedCPU])
        #expect(abs(colocated - unstretched) <= 0.005 * unstretched, "co-located \(colocated), calls x 7 us \(unstretched)")
        let sharing = (pg.meanInSystem ?? 0) + 1
        #expect(pg.utilization > 0.1, "the core must be loaded for the stretch to show: \(pg.utilization)")
        #expect(redis.utilization > unstretched * 1.01, "busy \(redis.utilization) against unstretched \(unstretched)")
        #expect(redis.utilization <= unstretched * (sharing + 1), "busy \(redis.utilization), at most \(unstretched * (sharing + 1))")
    }
}

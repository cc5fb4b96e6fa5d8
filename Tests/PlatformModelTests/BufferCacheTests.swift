import Foundation
import Testing
import PlatformModel
import SimulationEngine

/// The buffer cache at the start of a run: the replay's queries bring the rows of the users
/// in the middle of a session into memory, so a run starts with the cache as steady traffic
/// leaves it.
///
/// Drawn at their stationary ages alone, the items of users who are in a session would be as
/// likely to be out of memory as anybody's, although these users asked for them a think time
/// ago; the first seconds would then miss more than the rest of the run (13 points more here
/// without the replay's queries: a characteristic time of about 35 s, as long as a think
/// time). The check: with no warm-up, the hit ratio of the first 30 seconds against that of
/// 600 seconds after a 120-second warm-up, the same seed on both sides (paired), over sixteen
/// seeds; the 99% t interval of the difference must hold 0 and be narrow enough to see a
/// difference of a third of that.
@Suite(.serialized) struct BufferCacheTests {
    /// phase1 with nothing in front of the database but the buffer cache (no limits, no
    /// dashboard cache), Postgres pinned to 2 GB of RAM: at 30,000 users about 0.9 GB of page
    /// cache for a working set of 8 GB, about 57% of the pages touched found in memory.
    static func model(users: Int, memoryGB: Double) throws -> PlatformModel {
        var m = try PlatformFixture.model("phase1", users: users,
                                          overrides: try PlatformFixture.noRateLimits() + ["caches.dashboard.enabled=false"])
        m.database.postgres.ladder = [InstanceSize(name: "small", vcpu: 8, memoryGB: memoryGB)]
        return m
    }

    static func hitRatio(_ r: RunResult) throws -> Double {
        let v = try #require(r.components.first { $0.kind == .storageVolume })
        return try #require(v.details[.bufferCacheHitRatio])
    }

    @Test func theRunStartsWithTheCacheWarm() throws {
        let m = try Self.model(users: 30_000, memoryGB: 2)
        var differences: [Double] = []
        for seed: UInt64 in 1...16 {
            let first = PlatformRun.run(model: m, settings: RunSettings(seed: seed, replication: 0, startHour: nil, warmUp: 0,
                                                                         duration: 30, timeSeriesInterval: 10))
            let steady = PlatformRun.run(model: m, settings: RunSettings(seed: seed, replication: 0, startHour: nil, warmUp: 120,
                                                                          duration: 600, timeSeriesInterval: 10))
            differences.append(try Self.hitRatio(first) - Self.hitRatio(steady))
        }
        let ci = ConfidenceInterval(samples: differences, confidence: 0.99)
        #expect(ci.contains(0), "first 30 s minus steady hit ratio: \(ci.mean) ± \(ci.halfWidth)")
        #expect(ci.halfWidth <= 0.04, "interval ± \(ci.halfWidth) too wide to see a cold start")
    }
}

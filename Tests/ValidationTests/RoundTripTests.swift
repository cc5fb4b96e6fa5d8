import ModelSchema
import PlatformModel
import Testing

/// The mechanism the testbed showed missing: a query pays one network round trip per
/// statement, and two more (BEGIN, COMMIT) when it is a write of several statements.
@Suite struct RoundTripTests {
    static func p50(endpoint: String, roundTripMs: Double, config: String = "phase1", key: String = "database.postgres.networkRoundTripMs",
                    distribution: Bool = false) throws -> Double {
        let value = distribution ? "det:\(roundTripMs)" : "\(roundTripMs)"
        let (model, _) = try PlatformModelFile.load(TraceTests.root + "/Models/platform.yaml", configuration: config,
                                                    overrides: ["\(key)=\(value)"], users: 300)
        let result = PlatformRun.run(model: model, settings: RunSettings(seed: 5, warmUp: 30, duration: 600))
        return result.endpoints.first { $0.name == endpoint }!.latencyMs.p50
    }

    @Test func oneRoundTripPerStatement() throws {
        // At this load nothing queues, so a longer round trip moves each request's latency by
        // exactly the round trips it makes (the same draws: only the network changed).
        for (endpoint, trips) in [("getRecord", 1.0), ("listLeads", 2.0), ("writeRecord", 4.0)] {
            let shift = try Self.p50(endpoint: endpoint, roundTripMs: 20.2) - Self.p50(endpoint: endpoint, roundTripMs: 0.2)
            #expect(abs(shift - 20 * trips) < 1.5, "\(endpoint): p50 moved \(shift) ms, expected \(20 * trips)")
        }
        #expect(QueryModel.roundTrips(statements: 2, write: true) == 4)
        #expect(QueryModel.roundTrips(statements: 1, write: false) == 1)
        #expect(QueryModel.roundTrips(statements: 2, write: false) == 2)
        #expect(QueryModel.roundTrips(statements: 1, write: true) == 1)
    }

    /// Each rate limiter is its own middleware awaiting its own script: today's logout passes
    /// the global limiter; phase 1's only the per-user one (its global limit is for
    /// unauthenticated traffic); phase 2 adds the session check and the hot-data lookup every
    /// authenticated request makes (`api.authenticatedSteps`, a hit at the median): one, one
    /// and three round trips.
    @Test func oneRedisRoundTripPerLimiterAndSessionCheck() throws {
        for (config, trips) in [("current", 1.0), ("phase1", 1.0), ("phase2", 3.0)] {
            let slow = try Self.p50(endpoint: "logout", roundTripMs: 20_200, config: config, key: "redis.roundTripUs", distribution: true)
            let fast = try Self.p50(endpoint: "logout", roundTripMs: 200, config: config, key: "redis.roundTripUs", distribution: true)
            #expect(abs(slow - fast - 20 * trips) < 1.5, "\(config): logout p50 moved \(slow - fast) ms, expected \(20 * trips)")
        }
    }
}

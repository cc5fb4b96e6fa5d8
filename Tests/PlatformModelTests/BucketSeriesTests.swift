import Foundation
import PlatformModel
import Testing

/// The per-component series bucket by bucket: each is the run's own total taken apart over
/// time, so summed (or averaged) over the buckets it gives back the window's figure; and the
/// time series' queries inside Postgres is an average over the bucket, not a count at one
/// instant that reads 0 on a busy server.
@Suite struct BucketSeriesTests {
    static func run() throws -> RunResult {
        // A Postgres primary about 40% busy with queries of about a millisecond each.
        try PlatformFixture.run("current", users: 300_000, seed: 2, duration: 120)
    }

    static func values(_ r: RunResult, _ subject: SeriesSubject, _ name: String, _ metric: SeriesMetric) throws -> [Double?] {
        try #require(r.bucketSeries.first { $0.subject == subject && $0.name == name && $0.metric == metric }, "no \(name) \(metric)").values
    }

    @Test func databaseActiveIsTheBucketsAverageOfQueriesInPostgres() throws {
        let r = try Self.run()
        let primary = try #require(r.components.first { $0.kind == .postgresPrimary })
        #expect(primary.utilization > 0.1)
        let active = r.timeSeries.map(\.databaseActive)
        // The buckets partition the window: their mean is the window's time-average.
        let mean = active.reduce(0, +) / Double(active.count)
        let inSystem = try #require(primary.meanInSystem)
        #expect(abs(mean - inSystem) <= 1e-6 * Swift.max(1, inSystem), "buckets \(mean), window \(inSystem)")
        // Busy in every bucket, so no bucket reads 0.
        #expect(active.allSatisfy { $0 > 0 })
        let series = try Self.values(r, .database, primary.name, .activeBackends).map { $0 ?? -1 }
        #expect(zip(series, active).allSatisfy { abs($0 - $1) <= 1e-9 * Swift.max(1, $1) })
    }

    @Test func seriesAddUpToTheWindowsFigures() throws {
        let r = try Self.run()
        let width = r.timeSeries.count > 1 ? r.timeSeries[1].t - r.timeSeries[0].t : 10
        #expect(r.bucketSeries.allSatisfy { $0.values.count == r.timeSeries.count })
        let primary = try #require(r.components.first { $0.kind == .postgresPrimary })
        let queries = try Self.values(r, .database, primary.name, .queriesPerSecond).reduce(0) { $0 + ($1 ?? 0) } * width
        #expect(abs(queries - primary.throughput * r.simulatedSeconds) < 0.5)
        for e in r.endpoints where e.requests > 0 {
            let perSecond = try Self.values(r, .endpoint, e.name, .requestsPerSecond)
            let count = perSecond.reduce(0) { $0 + ($1 ?? 0) } * width
            #expect(abs(count - Double(e.requests)) < 0.5, "\(e.name): \(count) in the buckets, \(e.requests) in the window")
            // A bucket's p99 is within the window's range of that endpoint's latencies.
            let p99 = try Self.values(r, .endpoint, e.name, .p99Ms).compactMap { $0 }
            #expect(p99.allSatisfy { $0 <= e.latencyMs.max * 1.01 + 0.01 })
        }
        let redis = try #require(r.components.first { $0.kind == .redis })
        let commands = try Self.values(r, .redis, "redis", .commandsPerSecond).reduce(0) { $0 + ($1 ?? 0) } / Double(r.timeSeries.count)
        #expect(abs(commands - redis.throughput) <= 1e-6 * Swift.max(1, redis.throughput))
        for s in r.bucketSeries where s.metric == .hitRate || s.metric == .cpuUtilization || s.metric == .threadUtilization {
            #expect(s.values.allSatisfy { $0.map { $0 >= 0 && $0 <= 1 } ?? true }, "\(s.name) \(s.metric) outside 0-1")
        }
    }

    @Test func aCacheHasItsHitRateBucketByBucket() throws {
        let r = try PlatformFixture.run("phase2", users: 50_000, seed: 1, duration: 120)
        let caches = r.bucketSeries.filter { $0.subject == .cache && $0.metric == .hitRate }
        #expect(!caches.isEmpty)
        for c in caches {
            let lookups = try Self.values(r, .cache, c.name, .lookupsPerSecond)
            // A hit rate exactly where there were lookups.
            #expect(zip(c.values, lookups).allSatisfy { ($0 == nil) == (($1 ?? 0) == 0) })
        }
    }

    @Test func seriesDoNotChangeWhatTheRunSimulates() throws {
        // The result JSON round-trips with the series, and an older result without them reads.
        let r = try PlatformFixture.run("current", users: 20_000, seed: 1, duration: 60)
        let data = try JSONEncoder().encode(r)
        #expect(try JSONDecoder().decode(RunResult.self, from: data) == r)
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["bucketSeries"] = nil
        let older = try JSONDecoder().decode(RunResult.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(older.bucketSeries.isEmpty && older.requests == r.requests)
    }
}

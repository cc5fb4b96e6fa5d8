import Foundation
import ModelSchema
import PlatformModel
import Testing

/// The mechanisms the testbed's low and moderate loads showed missing: a core that has been
/// idle delays the work that wakes it (`idleWakeUp`), and a load generator on the database's
/// host records latency on its own event loop (`loadGeneratorSendShare`).
@Suite struct IdleWakeUpTests {
    @Test func theTableInterpolatesFromNoDelay() {
        let w = WakeUpCurve(idle: [0.001, 0.005], delay: [0.0001, 0.0003])
        #expect(w.latency(afterIdle: 0) == 0)
        #expect(abs(w.latency(afterIdle: 0.0005) - 0.00005) < 1e-15, "half way from no idle time to the first point")
        #expect(abs(w.latency(afterIdle: 0.003) - 0.0002) < 1e-15, "half way between the points")
        #expect(w.latency(afterIdle: 10) == 0.0003, "the last delay beyond the last point")
        #expect(WakeUpCurve.none.latency(afterIdle: 10) == 0)
    }

    /// A model file holding `text`, for `extraOverlays`.
    static func overlay(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("idle-wake-up-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// phase1 with one API process and no client network (so that the histograms resolve
    /// microseconds), at `rate` requests per active user per day; `alone`: one call per page
    /// view, no polling and no assets, so requests do not arrive together.
    static func run(overlays: [String] = [], overrides extra: [String] = [], users: Int, rate: Double, alone: Bool,
                    duration: Double = 300) throws -> RunResult {
        var overrides = ["api.scaling.min=1", "api.scaling.max=1", "traffic.apiClientRequestsPerActiveUserPerDay=0", "network.newConnectionShare=0"]
        for region in ["northAmerica", "europe", "restOfWorld"] {
            overrides += ["network.regions.\(region).lastMileRttMs=det:0", "network.regions.\(region).toOriginRttMs=det:0"]
        }
        if alone { overrides += ["traffic.apiCallsPerPageView=1", "traffic.pollingCallsPerOpenTabMinute=0", "traffic.staticAssetsPerPageView=0"] }
        overrides += extra
        let path = TraceTests.root + "/Models/platform.yaml"
        let (shape, _) = try PlatformModelFile.load(path, configuration: "phase1", overrides: overrides, users: users, extraOverlays: overlays)
        let perSession = shape.traffic.requestsPerActiveUserPerDay / shape.traffic.sessionsPerActiveUserPerDay
        overrides.append("traffic.sessionsPerActiveUserPerDay=\(rate / perSession)")
        let (model, _) = try PlatformModelFile.load(path, configuration: "phase1", overrides: overrides, users: users, extraOverlays: overlays)
        return PlatformRun.run(model: model, settings: RunSettings(seed: 9, warmUp: 30, duration: duration))
    }

    static func p50(_ r: RunResult, _ endpoint: String) -> Double { r.endpoints.first { $0.name == endpoint }!.latencyMs.p50 }

    /// The medians' increase per endpoint between a run with `table` and one without, requests
    /// one by one at low load (3,000 users, 240 requests a day each: a few a second), an hour.
    static func increase(table: String) throws -> [String: Double] {
        let with = try Self.run(overlays: [try Self.overlay(table)], users: 3000, rate: 240, alone: true, duration: 3600)
        let without = try Self.run(users: 3000, rate: 240, alone: true, duration: 3600)
        var d: [String: Double] = [:]
        for e in ["logout", "getRecord", "publicPage"] {
            #expect(with.endpoints.first { $0.name == e }!.requests >= 100, "too few \(e) requests for a median")
            d[e] = Self.p50(with, e) - Self.p50(without, e)
        }
        return d
    }

    @Test func everyHopToAnIdleCoreWaits() throws {
        // 5 ms after any idle time over a microsecond, in phase1 (Redis and Postgres on cores of
        // their own). logout: the middleware's CPU (the API's core), the limiter's call (Redis's)
        // and its reply (the API's); its own CPU step follows the reply at once: 3 wake-ups.
        // getRecord adds its one query (phase 1 has no hot-data read): the statement
        // (Postgres's core) and the result (the API's): 5. publicPage has two limiters, the
        // second chained after the first (both ends idle again for one trip: 2 more), and a
        // query: 7. Within 1%: at a few requests a second about one request in ten arrives
        // while a core is still waking for another (5 ms a hop) and shares that wake-up, which
        // moves the median by a fraction of a percent (the histograms resolve 0.1%). A planted
        // fault that counted a core's idle time from its last CPU segment, not its last
        // wake-up, made logout's own step pay a fourth wake-up after its reply's: caught.
        let d = try Self.increase(table: "idleWakeUp:\n  - {delayMs: 5, idleMs: 0.001}\n")
        for (endpoint, hops) in [("logout", 3.0), ("getRecord", 5.0), ("publicPage", 7.0)] {
            #expect(abs(d[endpoint]! - 5 * hops) < 0.01 * 5 * hops, "\(endpoint)'s median moved \(d[endpoint]!) ms, expected \(Int(hops)) x 5 ms")
        }
    }

    @Test func theDelayFollowsTheIdleTime() throws {
        // The testbed's shape: 0.02 ms after 0.1 ms idle, 0.05 ms after 1 ms, 0.26 ms after 20 ms
        // or more. At low load (a few requests a second) the middleware, Redis and Postgres find
        // their cores idle far longer than 20 ms: 0.26 ms each. A reply finds the API's loop
        // idle for one round trip or query, between 0.1 and 1 ms in the platform model: 0.02 to
        // 0.05 ms, and so does the chained limiter's trip at each end. logout: 2 x 0.26 and one
        // reply; getRecord: 3 x 0.26 and two replies; publicPage: 3 x 0.26 and four short ones.
        let d = try Self.increase(table: "idleWakeUp:\n  - {delayMs: 0.02, idleMs: 0.1}\n  - {delayMs: 0.05, idleMs: 1}\n  - {delayMs: 0.26, idleMs: 20}\n")
        let resolution = 0.01
        for (endpoint, long, short) in [("logout", 2.0, 1.0), ("getRecord", 3.0, 2.0), ("publicPage", 3.0, 4.0)] {
            let low = long * 0.26 + short * 0.02 - resolution, high = long * 0.26 + short * 0.05 + resolution
            #expect(d[endpoint]! > low && d[endpoint]! < high, "\(endpoint)'s median moved \(d[endpoint]!) ms, expected \(low)-\(high)")
        }
    }

    @Test func eachKindOfProcessWakesByItsOwnCurve() throws {
        // An event loop 1 ms, Redis 3 ms, a database server 9 ms after any idle time. logout
        // wakes two event-loop segments (the middleware's, the limiter's reply) and Redis once:
        // 5 ms; getRecord three segments, Redis and Postgres: 15 ms; publicPage four segments,
        // Redis twice (the chained limiter) and Postgres: 19 ms. The three sums pin the three
        // curves (a kind swapped for another moves at least one of them by 2 ms or more).
        // Within 1%, as the single-curve test above.
        let d = try Self.increase(table: """
            idleWakeUp:
              eventLoop: [{delayMs: 1, idleMs: 0.001}]
              redis: [{delayMs: 3, idleMs: 0.001}]
              database: [{delayMs: 9, idleMs: 0.001}]

            """)
        for (endpoint, expected) in [("logout", 5.0), ("getRecord", 15.0), ("publicPage", 19.0)] {
            #expect(abs(d[endpoint]! - expected) < 0.01 * expected, "\(endpoint)'s median moved \(d[endpoint]!) ms, expected \(expected) ms")
        }
    }

    @Test func aKindLeftOutWakesAtOnceAndAMisspelledOneIsAnError() throws {
        let path = TraceTests.root + "/Models/platform.yaml"
        let (model, _) = try PlatformModelFile.load(path, configuration: "phase1", users: 1000, extraOverlays: [
            try Self.overlay("idleWakeUp:\n  redis: [{delayMs: 0.5, idleMs: 10}]\n")])
        #expect(model.idleWakeUp.redis.latency(afterIdle: 1) == 0.0005)
        #expect(!model.idleWakeUp.eventLoop.isOn && !model.idleWakeUp.database.isOn)
        let list = try PlatformModelFile.load(path, configuration: "phase1", users: 1000, extraOverlays: [
            try Self.overlay("idleWakeUp:\n  - {delayMs: 0.5, idleMs: 10}\n")]).0
        #expect(list.idleWakeUp == IdleWakeUpModel(all: WakeUpCurve(idle: [0.01], delay: [0.0005])), "a list is every kind's curve")
        let bad = try Self.overlay("idleWakeUp:\n  redsi: [{delayMs: 0.5, idleMs: 10}]\n")
        #expect {
            _ = try PlatformModelFile.load(path, configuration: "phase1", users: 1000, extraOverlays: [bad])
        } throws: { error in
            "\(error)".contains("unknown key 'redsi'") && "\(error)".contains("redis")
        }
    }

    @Test func theLoadGeneratorRecordsItsReceipt() throws {
        // A load generator on the database's host spending 2 ms a request, all of it receiving:
        // each response ends on its loop 2 ms later (nothing else there at low load, and the
        // receipt comes after the request's last work on the host, so it slows nothing).
        let generator = ["database.postgres.colocated.loadGeneratorCpuPerRequestMs=det:2",
                         "database.postgres.colocated.loadGeneratorSendShare=0"]
        let with = Self.p50(try Self.run(overrides: generator, users: 300, rate: 60, alone: true), "getRecord")
        let without = Self.p50(try Self.run(users: 300, rate: 60, alone: true), "getRecord")
        #expect(abs(with - without - 2) < 0.01, "getRecord's median moved \(with - without) ms, expected the receipt's 2 ms")
    }
}

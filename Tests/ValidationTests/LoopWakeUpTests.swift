import ModelSchema
import PlatformModel
import Testing

/// The mechanism the testbed showed missing: a CPU segment that finds the event loop idle pays
/// for waking it, so a request's CPU is highest at low load and falls as the loop gets busy.
@Suite struct LoopWakeUpTests {
    static func run(wakeMs: Double, users: Int, rate: Double, alone: Bool = false) throws -> RunResult {
        var overrides = ["api.loopWakeUpCpuMs=\(wakeMs)", "api.scaling.min=1", "api.scaling.max=1", "traffic.apiClientRequestsPerActiveUserPerDay=0"]
        // One call per page view, no polling and no assets: requests do not arrive together.
        if alone { overrides += ["traffic.apiCallsPerPageView=1", "traffic.pollingCallsPerOpenTabMinute=0", "traffic.staticAssetsPerPageView=0"] }
        // `rate` requests per active user per day: sessions per day from the requests a session makes.
        let path = TraceTests.root + "/Models/platform.yaml"
        let (shape, _) = try PlatformModelFile.load(path, configuration: "phase1", overrides: overrides, users: users)
        let perSession = shape.traffic.requestsPerActiveUserPerDay / shape.traffic.sessionsPerActiveUserPerDay
        overrides.append("traffic.sessionsPerActiveUserPerDay=\(rate / perSession)")
        let (model, _) = try PlatformModelFile.load(path, configuration: "phase1", overrides: overrides, users: users)
        return PlatformRun.run(model: model, settings: RunSettings(seed: 9, warmUp: 30, duration: 300))
    }

    @Test func everySegmentWakesAnIdleLoop() throws {
        // At low load, with requests arriving one by one, every segment finds the loop idle:
        // getRecord has three (the middleware, the query's result, its own step). Requests that
        // arrive together (a page view's calls) share wake-ups, which the second test relies on.
        let with = try Self.run(wakeMs: 5, users: 300, rate: 60, alone: true).endpoints.first { $0.name == "getRecord" }!.latencyMs.p50
        let without = try Self.run(wakeMs: 0, users: 300, rate: 60, alone: true).endpoints.first { $0.name == "getRecord" }!.latencyMs.p50
        #expect(abs(with - without - 15) < 1, "getRecord p50 moved \(with - without) ms, expected 15")
    }

    @Test func aBusyLoopWakesLessOften() throws {
        // CPU per request with the wake-up, less without it, is the wake-ups' CPU: near 5 ms per
        // segment at low load, clearly less per request once the loop is busy.
        func extraPerRequest(users: Int, rate: Double) throws -> Double {
            let a = try Self.run(wakeMs: 0.5, users: users, rate: rate), b = try Self.run(wakeMs: 0, users: users, rate: rate)
            let busy = { (r: RunResult) in r.components.first { $0.kind == .apiProcess }!.utilization * r.simulatedSeconds }
            return (busy(a) - busy(b)) / Double(a.requests)
        }
        let low = try extraPerRequest(users: 300, rate: 240), high = try extraPerRequest(users: 1000, rate: 60_000)
        #expect(low > 1.5 * high, "wake-up CPU per request \(low * 1000) ms at low load, \(high * 1000) ms at high load")
    }
}

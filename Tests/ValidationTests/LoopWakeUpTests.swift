import Foundation
import ModelSchema
import PlatformModel
import Testing

/// The mechanism the testbed showed missing: a CPU segment that finds the event loop idle pays
/// for waking it, so a request's CPU is highest at low load and falls as the loop gets busy.
@Suite struct LoopWakeUpTests {
    static func run(wakeMs: Double, users: Int, rate: Double, alone: Bool = false) throws -> RunResult {
        try run(wake: "\(wakeMs)", users: users, rate: rate, alone: alone)
    }

    /// A run with `api.loopWakeUpCpuMs` set to `wake` (a figure, or a YAML list of points).
    static func run(wake: String, users: Int, rate: Double, alone: Bool = false) throws -> RunResult {
        var overrides = ["api.loopWakeUpCpuMs=\(wake)", "api.scaling.min=1", "api.scaling.max=1", "traffic.apiClientRequestsPerActiveUserPerDay=0"]
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

    /// The API's busy CPU seconds in a run.
    static func apiBusy(_ r: RunResult) -> Double {
        r.components.first { $0.kind == .apiProcess }!.utilization * r.simulatedSeconds
    }

    @Test func aCurveThatStartsAtOnceIsTheOneFigure() throws {
        // A curve at its full value after a nanosecond of idle charges what the one figure does,
        // but for the segments that start the instant the loop frees (a step right after
        // another): the figure charges them, the curve (no idle, no wake-up) does not. So the
        // two differ by whole wake-ups, a few of them.
        let curve = try Self.run(wake: "[{cpuMs: 5, idleMs: 0.000001}]", users: 300, rate: 60, alone: true)
        let flat = try Self.run(wakeMs: 5, users: 300, rate: 60, alone: true)
        #expect(curve.requests == flat.requests)
        let wakeUps = (Self.apiBusy(flat) - Self.apiBusy(curve)) / 0.005
        #expect(abs(wakeUps - wakeUps.rounded()) < 1e-3 && wakeUps > 0 && wakeUps <= 2 * Double(flat.requests),
                "API CPU \(Self.apiBusy(curve)) s with the curve, \(Self.apiBusy(flat)) s with the figure: \(wakeUps) wake-ups apart over \(flat.requests) requests")
    }

    @Test func theWakeUpCPUFollowsTheIdleTimeAsTheCurveSays() throws {
        // A curve rising from nothing at no idle to 5 ms at 1 s, flat beyond. At low load a
        // request's first segment finds its process's loop idle since the last request, an
        // idle X about exponential with the process's request rate λ (requests one by one, no
        // page-view bursts), and pays 5 ms · E[min(X, 1 s)] / 1 s = 5 ms · (1 - e^-λ)/λ; its
        // later segments idle a round trip (a few ms: under 0.03 ms of wake-up each).
        let with = try Self.run(wake: "[{cpuMs: 5, idleMs: 1000}]", users: 300, rate: 60, alone: true)
        let without = try Self.run(wakeMs: 0, users: 300, rate: 60, alone: true)
        let path = TraceTests.root + "/Models/platform.yaml"
        let (model, _) = try PlatformModelFile.load(path, configuration: "phase1", overrides: ["api.scaling.min=1", "api.scaling.max=1"], users: 300)
        let processes = Double(model.api.processesPerInstance)
        let lambda = Double(with.requests) / with.simulatedSeconds / processes
        let expected = 0.005 * (1 - exp(-lambda)) / lambda
        let extra = (Self.apiBusy(with) - Self.apiBusy(without)) / Double(with.requests)
        // min(X, 1 s) has a standard deviation under 0.3 s at these rates: the mean over n
        // requests is within 4 standard errors of 5 ms · 0.3 s / √n, plus the later segments'.
        let tolerance = 4 * 0.005 * 0.3 / Double(with.requests).squareRoot() + 0.00006
        #expect(abs(extra - expected) < tolerance,
                "wake-up CPU \(extra * 1000) ms a request, expected \(expected * 1000) ms at \(lambda) requests a second a process (\(with.requests) requests)")
    }

    @Test(arguments: [
        ("[{cpuMs: 1, idleMs: 2}, {cpuMs: 1, idleMs: 1}]", "must increase"),
        ("[{cpuMs: 2000, idleMs: 1}]", "a second of CPU"),
        ("[{delayMs: 1, idleMs: 1}]", "cpuMs"),
        ("[{cpuMs: 1, idleMs: 0}]", "idleMs"),
    ])
    func aBadCurveIsOneClearError(curve: String, words: String) throws {
        let path = TraceTests.root + "/Models/platform.yaml"
        do {
            _ = try PlatformModelFile.load(path, configuration: "phase1", overrides: ["api.loopWakeUpCpuMs=\(curve)"])
            Issue.record("\(curve) was accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains("api.loopWakeUpCpuMs") && text.contains(words), "\(curve): \(text)")
        }
    }
}

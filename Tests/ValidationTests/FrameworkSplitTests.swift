import Foundation
import PlatformModel
import Testing

/// `api.frameworkCpuShareAfterMiddleware`: the framework's CPU split between the segment before
/// the middleware's first Redis round trip and the one after its replies, so that work arriving
/// meanwhile on the same event loop (a page view's static asset behind its API call) runs
/// between them.
@Suite struct FrameworkSplitTests {
    /// phase1 at low load, one API call and one static asset per page view, arriving together
    /// (the call first), nothing else: with every bit of the framework's CPU moved after the
    /// middleware's round trip, the asset no longer waits for it. The framework's CPU is
    /// lognormal with mean 0.35 ms in the platform model, and the same draws are made either
    /// way (the split draws nothing), so the asset's mean latency falls by 0.35 ms times the
    /// share of calls whose middleware calls Redis (a limiter sees nearly every API endpoint in
    /// phase1): between half of that and all of it, with 1% for the histograms' resolution.
    /// The API's CPU is the same either way (only its order moves): within 0.5%.
    @Test func theAssetNoLongerWaitsForTheFrameworksLaterCPU() throws {
        let shape = ["traffic.apiCallsPerPageView=1", "traffic.staticAssetsPerPageView=1", "traffic.pollingCallsPerOpenTabMinute=0"]
        let before = try IdleWakeUpTests.run(overrides: shape, users: 3000, rate: 240, alone: false, duration: 1800)
        let after = try IdleWakeUpTests.run(overrides: shape + ["api.frameworkCpuShareAfterMiddleware=1"], users: 3000, rate: 240, alone: false, duration: 1800)
        let asset = { (r: RunResult) in r.endpoints.first { $0.name == "staticAsset" }!.latencyMs.mean }
        #expect(before.endpoints.first { $0.name == "staticAsset" }!.requests > 1000)
        let fall = asset(before) - asset(after)
        #expect(fall > 0.5 * 0.35 && fall < 0.35 * 1.01, "the asset's mean fell by \(fall) ms")
        let cpu = { (r: RunResult) in r.components.first { $0.kind == .apiProcess }!.utilization }
        #expect(abs(cpu(after) / cpu(before) - 1) < 0.005, "API CPU \(cpu(before)) before, \(cpu(after)) after")
    }
}

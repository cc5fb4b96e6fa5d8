import Foundation
import ModelSchema
import Testing
@testable import Validation

/// The figures and the target rules, on constructed numbers.
@Suite struct ValidationReportTests {
    @Test func percentilesAreNearestRank() {
        let values = (1...100).map(Double.init)
        let (mean, p50, p95, p99) = LevelFigures.summary(values)
        #expect(mean == 50.5 && p50 == 50 && p95 == 95 && p99 == 99)
        #expect(LevelFigures.summary([]) == (0, 0, 0, 0))
    }

    @Test func errorToleranceIsTheLargerOfShareAndPoints() {
        // 20% of 1,000 measured errors beats 0.2 points of 10,000 requests (20).
        #expect(ValidationReport.errorTolerance(measured: 1000, requests: 10_000) == 200)
        // With 10 measured, the 0.2 points (20 of 10,000) win.
        #expect(ValidationReport.errorTolerance(measured: 10, requests: 10_000) == 20)
    }

    @Test func capacityErrorsLeave429sOut() {
        var f = LevelFigures()
        f.requests = 1000
        f.errors = ["rateLimited": 300, "rateLimitedFalse": 100, "poolTimeout": 5]
        #expect(f.capacityErrorShare == 0.005)
        #expect(!ValidationReport.saturated(f, baselineP99: nil))
        f.errors["timeout"] = 10
        #expect(ValidationReport.saturated(f, baselineP99: nil))
        var g = LevelFigures()
        g.platformP99Ms = 101
        #expect(ValidationReport.saturated(g, baselineP99: 10) && !ValidationReport.saturated(g, baselineP99: 11))
        // The whole mix's p99 (the LLM's seconds) does not decide saturation.
        var h = LevelFigures()
        h.p99Ms = 9000; h.platformP99Ms = 50
        #expect(!ValidationReport.saturated(h, baselineP99: 10))
    }

    /// The saturation criterion's p99 leaves out exactly the endpoints that wait on a provider
    /// in the model: with those answered in 9 s and the rest in 5 ms, the mix counts them and
    /// the platform's p99 is 5 ms.
    @Test func platformP99LeavesOutProviderWaits() throws {
        let (model, _) = try PlatformModelFile.load(TraceTests.root + "/Models/platform.yaml", configuration: "current", users: 400)
        let waits = Prediction.endpointsWaitingOnProvider(model)
        #expect(waits.contains("aiScore") && waits.contains("emailSend"))
        #expect(!waits.contains("dashboard") && !waits.contains("staticAsset") && !waits.contains("sendCampaign"))
        var (trace, _) = try TraceTests.smallTrace(config: "current", rateScale: 200)
        trace.header.warmUpSeconds = 20; trace.header.durationSeconds = 40
        trace.header.endpoints = model.endpoints.map(\.name)
        let slow = trace.records.map { waits.contains(trace.header.endpoints[$0.endpoint]) }
        let inWindow = trace.records.indices.filter { trace.inMeasuredWindow(trace.records[$0]) }
        let slowShare = Double(inWindow.filter { slow[$0] }.count) / Double(inWindow.count)
        try #require(slowShare > 0.005)  // about 1% of the mix waits on a provider
        let servers = try JSONDecoder().decode(Measurement.Servers.self, from: Data("""
            {"windowSeconds": 40, "cpuSeconds": {}, "caches": {}, "samples": [], "statements": [],
             "replayer": {"requests": 0, "cpuMsPerRequest": 0, "latenessP50Ms": 0, "latenessP99Ms": 0, "latenessMaxMs": 0, "unfinished": 0}}
            """.utf8))
        let responses = slow.map { Measurement.Response(sent: 0, status: 200, latencyMs: $0 ? 9000 : 5, error: "") }
        let f = LevelFigures(trace: trace, measurement: Measurement(responses: responses, servers: servers), requestTimeoutMs: 30_000,
                             waitsOnProvider: waits)
        #expect(abs(f.meanMs - (5 + 8995 * slowShare)) < 1e-6)  // the mix counts them
        #expect(f.platformP99Ms == 5)
        // Each endpoint's own figures: the provider's 9 s stay on the endpoints that wait on it.
        #expect(f.endpoints.values.map(\.requests).reduce(0, +) == inWindow.count)
        for (name, e) in f.endpoints { #expect(e.p50Ms == (waits.contains(name) ? 9000 : 5) && e.p95Ms == e.p50Ms, "\(name)") }
    }

    /// 429s and throughput come from the trace's own run; the other kinds are the mean.
    @Test func theTracesOwnRunDecidesItsRateLimits() {
        var own = LevelFigures(), other = LevelFigures()
        own.errors = ["rateLimited": 140, "rateLimitedFalse": 20, "poolTimeout": 4]
        other.errors = ["rateLimited": 10, "poolTimeout": 8]
        own.meanMs = 10; other.meanMs = 20
        let p = ValidationReport.predicted(replications: [own, other, other], ownThroughput: 99, platformP99Ms: 7)
        #expect(p.errors["rateLimited"] == 140 && p.errors["rateLimitedFalse"] == 20)
        #expect(p.errors["poolTimeout"] == 7 && abs(p.meanMs - 50.0 / 3) < 1e-12)
        #expect(p.throughput == 99 && p.platformP99Ms == 7)
    }

    /// The known gaps open with this run's spread below saturation, not a number written in code.
    @Test func gapsOpenWithTheRunsOwnSpread() {
        let line = ValidationReport.spreadLine(meanErrors: [-0.352, 0.021, -0.096, -0.1001], p95Errors: [-0.444, -0.79])
        #expect(line == "- Where neither side saturates, in this run: the predicted means -35.2% to +2.1% from the measured (2 of 4 levels within 10%), the p95s -79.0% to -44.4%.\n")
        #expect(ValidationReport.spreadLine(meanErrors: [], p95Errors: []) == "")
    }

    /// A second measurement is set beside the level whose requests it replays: the same
    /// configuration, load share and requests, never the baseline.
    @Test func aRepeatIsMatchedByItsRequests() throws {
        var (trace, _) = try TraceTests.smallTrace(config: "current", rateScale: 200)
        // A request the run left unanswered (NaN latency) is still the same request.
        trace.records[trace.records.count - 1].predictedLatencyMs = .nan
        let servers = try JSONDecoder().decode(Measurement.Servers.self, from: Data("""
            {"windowSeconds": 40, "cpuSeconds": {}, "caches": {}, "statements": [],
             "samples": [{"t": 1, "pgActive": 0, "pgBackends": 1, "redisOpsPerS": 0, "stealS": 0.25},
                         {"t": 2, "pgActive": 0, "pgBackends": 1, "redisOpsPerS": 0, "stealS": 0.5}],
             "replayer": {"requests": 0, "cpuMsPerRequest": 0, "latenessP50Ms": 0, "latenessP99Ms": 0, "latenessMaxMs": 0, "unfinished": 0}}
            """.utf8))
        #expect(servers.stolenSeconds == 0.75)
        func run(_ share: Double, baseline: Bool = false, _ t: Trace) -> ValidationRun {
            let responses = t.records.map { _ in Measurement.Response(sent: 0, status: 200, latencyMs: 5, error: "") }
            return ValidationRun(directory: "d", trace: t, measurement: Measurement(responses: responses, servers: servers),
                                 level: .init(loadShare: share, capacityRateScale: 1, baseline: baseline))
        }
        let low = run(0.75, baseline: true, trace), first = run(0.75, trace)
        #expect(ValidationReport.repeatedRun(of: run(0.75, trace), among: [low, first]) == 1)
        #expect(ValidationReport.repeatedRun(of: run(0.5, trace), among: [low, first]) == nil)
        var fewer = trace
        fewer.records.removeLast()
        #expect(ValidationReport.repeatedRun(of: run(0.75, fewer), among: [low, first]) == nil)
        var moved = trace
        moved.records[0].time += 0.001
        #expect(ValidationReport.repeatedRun(of: run(0.75, moved), among: [low, first]) == nil)
    }

    @Test func meanOfReplications() {
        var a = LevelFigures(), b = LevelFigures()
        a.p99Ms = 10; b.p99Ms = 20
        a.errors = ["upstream": 1]; b.errors = ["upstream": 4, "timeout": 2]
        let m = LevelFigures.mean([a, b])
        #expect(m.p99Ms == 15 && m.errors["upstream"] == 3 && m.errors["timeout"] == 1)
        // An endpoint's percentiles are averaged over the runs that answered it.
        a.endpoints = ["getRecord": EndpointLatency(requests: 10, p50Ms: 2, p95Ms: 6), "aiScore": EndpointLatency(requests: 1, p50Ms: 9000, p95Ms: 9000)]
        b.endpoints = ["getRecord": EndpointLatency(requests: 20, p50Ms: 4, p95Ms: 8)]
        let e = LevelFigures.mean([a, b]).endpoints
        #expect(e["getRecord"] == EndpointLatency(requests: 15, p50Ms: 3, p95Ms: 7) && e["aiScore"] == a.endpoints["aiScore"])
    }

    @Test func relativeErrorOfAZeroMeasurement() {
        #expect(ValidationReport.relative(0, 0) == 0)
        #expect(ValidationReport.relative(1, 0) == nil)
        #expect(ValidationReport.relative(110, 100)! > 0.0999 && ValidationReport.relative(110, 100)! < 0.1001)
    }
}

import Foundation
import PlatformModel
import Testing

/// The run's outside hooks (progress, cancellation, the request log) must not change what the
/// run simulates, and the log must agree with the run's own counts.
@Suite struct RunMonitorTests {
    @Test func monitoredRunEqualsPlainRunAndLogMatchesCounts() throws {
        let model = try PlatformFixture.model("phase3", users: 20_000)
        let settings = PlatformFixture.settings(seed: 3, duration: 120)
        var plain = PlatformRun.run(model: model, settings: settings)
        var calls = 0
        var last = 0.0
        let monitor = RunMonitor(interval: 7) { p in
            calls += 1
            #expect(p.simulatedSeconds > last)
            last = p.simulatedSeconds
            return true
        }
        let monitored = try #require(PlatformRun.run(model: model, settings: settings, monitor: monitor, recordRequests: true))
        var result = monitored.result
        plain.wallSeconds = 0
        result.wallSeconds = 0
        #expect(result == plain)
        // warm-up 120 s + 120 s measured, in slices of 7 s: ceil(240 / 7) calls.
        #expect(calls == 35)
        #expect(abs(last - 240) < 1e-9)

        let log = try #require(monitored.requests)
        let measured = log.records.filter { $0.finished && $0.arrival + $0.latency >= log.measureStart - 1e-9 }
        // Responses completed in the window: the log's and the run's counts agree exactly, and so do the errors by kind.
        let completedInWindow = measured.filter { $0.arrival + $0.latency <= log.measureStart + 120 + 1e-9 }
        #expect(abs(completedInWindow.count - result.requests) <= result.requests / 1000 + 5,
                "log \(completedInWindow.count) vs run \(result.requests)")
        let logged429 = completedInWindow.filter { $0.error == .rateLimited }.count
        #expect(abs(logged429 - result.errors[.rateLimited]) <= result.errors[.rateLimited] / 100 + 5)
        #expect(log.records.allSatisfy { $0.endpoint >= 0 && Int($0.endpoint) < model.endpoints.count })
        #expect(zip(log.records, log.records.dropFirst()).allSatisfy { $0.arrival <= $1.arrival })
        #expect(log.records.contains { $0.servedByCDN })
    }

    @Test func cancellingStopsTheRun() throws {
        let model = try PlatformFixture.model("current", users: 10_000)
        var calls = 0
        let outcome = PlatformRun.run(model: model, settings: PlatformFixture.settings(seed: 1, duration: 600),
                                      monitor: RunMonitor(interval: 30) { _ in calls += 1; return calls < 3 }, recordRequests: false)
        #expect(outcome == nil)
        #expect(calls == 3)
    }
}

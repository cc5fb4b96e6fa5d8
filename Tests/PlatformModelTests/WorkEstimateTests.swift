import PlatformModel
import SimulationEngine
import Testing

/// The work estimate the command line compares with `--max-events` and `--max-memory` before
/// running: close enough to the real event count to refuse the runs that would never end
/// without refusing the ones that would.
@Suite struct WorkEstimateTests {
    /// Every configuration, at two sizes and with a spike: the estimate is within a factor of
    /// two of the events the simulation really processes.
    @Test(arguments: ["current", "phase1", "phase2", "phase3", "phase4"])
    func estimateIsWithinAFactorOfTwoOfTheEventsProcessed(configuration: String) throws {
        for (users, overrides) in [(5_000, [String]()), (20_000, ["traffic.spike.multiplier=5", "traffic.spike.startHour=14"])] {
            let model = try PlatformFixture.model(configuration, users: users, overrides: overrides)
            let settings = PlatformFixture.settings(seed: 3, duration: 120)
            let (load, plan) = PlatformRun.plan(model: model, settings: settings)
            let estimate = WorkEstimate(model: model, settings: settings, load: load, plan: plan)
            let run = PlatformRun.run(model: model, settings: settings, plan: plan)
            let ratio = estimate.events / Double(run.events)
            #expect(ratio > 0.5 && ratio < 2, "\(configuration) at \(users) users: estimated \(estimate.events), processed \(run.events)")
        }
    }

    /// What the hostile values ask for is billions of times the limit, and the estimate
    /// of it is finite (so the refusal can say how long it would take).
    @Test func hostileValuesGiveHugeFiniteEstimates() throws {
        let settings = RunSettings(duration: 3600)
        for overrides in [["traffic.sessionsPerActiveUserPerDay=1000"], ["traffic.healthChecksPerInstancePerS=100", "api.scaling.min=10000", "api.scaling.max=10000"]] {
            let model = try PlatformFixture.model("current", users: 100_000_000, overrides: overrides)
            let (load, plan) = PlatformRun.plan(model: model, settings: settings)
            let estimate = WorkEstimate(model: model, settings: settings, load: load, plan: plan)
            #expect(estimate.events.isFinite && estimate.events > 1e10, "\(overrides): \(estimate.events)")
            #expect(estimate.memoryBytes.isFinite && estimate.memoryBytes > 1e9)
        }
    }
}

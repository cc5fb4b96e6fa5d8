import Foundation
import Testing
@testable import Analysis
import ModelSchema
import PlatformModel
import Reports
import Formatting

/// The sizing notebook renders what the search found: every trial, the margins to the SLO
/// computed from the chosen run, and the reason when no capacity meets it.
@Suite struct SizingReportTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func model() throws -> PlatformModel {
        try PlatformModelFile.load(root.appendingPathComponent("Models/platform.yaml").path, configuration: "phase1", users: 5_000).0
    }

    static func trial(_ c: SizingCandidate, meets: Bool, note: String) -> Sizing.Trial {
        Sizing.Trial(candidate: c, p99Ms: meets ? 120 : 900, errorRate: 0, monthlyUSD: 1234, meets: meets, bottleneck: "api", note: note)
    }

    @Test func noCapacityNamesTheReasonAndEveryTrial() throws {
        let m = try Self.model()
        let c = SizingCandidate(apiInstances: 2, workerInstances: 1, postgresSizeIndex: 0, replicasPerShard: 0, shards: 1,
                                connectionLimit: 5, pgbouncerPoolSize: 20)
        var more = c
        more.apiInstances = 3
        let outcome = Sizing.Outcome(chosen: nil, run: nil, trials: [Self.trial(c, meets: false, note: "lower bound"),
                                                                      Self.trial(more, meets: false, note: "API event loops busy")],
                                     impossible: "rate limiting alone rejects 2% of requests")
        let text = SizingReport.markdown(configuration: "phase1", users: 5_000, slo: ServiceLevelObjective(p99Ms: 300, errorRate: 0.001),
                                         command: "platform-sim size ...", model: m, outcome: outcome, overlay: nil)
        #expect(text.contains("## No capacity meets the SLO\n\nrate limiting alone rejects 2% of requests"))
        #expect(text.contains("| 1 | \(c.describe(m)) |") && text.contains("| 2 | \(more.describe(m)) |"))
        #expect(text.contains("at most \(Format.percent(DiagnosisRules.saturation, 0)) busy"))
        #expect(!text.contains("## Chosen"))
    }

    /// The margins are the SLO less the chosen run's own figures.
    @Test func theChosenCapacityShowsItsMargins() throws {
        let m = try Self.model()
        let settings = RunSettings(seed: 1, replication: 0, startHour: nil, warmUp: 30, duration: 60, timeSeriesInterval: 10)
        let run = DiagnosedRun.run(model: m, settings: settings)
        let c = Sizing.lowerBound(model: m, settings: settings)
        let slo = ServiceLevelObjective(p99Ms: 2_000, errorRate: 0.05)
        let outcome = Sizing.Outcome(chosen: c, run: run, trials: [Self.trial(c, meets: true, note: "lower bound")], impossible: nil)
        let text = SizingReport.markdown(configuration: "phase1", users: 5_000, slo: slo, command: "platform-sim size ...", model: m,
                                         outcome: outcome, overlay: "api:\n  scaling: {min: 1, max: 1}\n")
        let p99 = run.result.latencyMs.p99
        #expect(text.contains("## Chosen\n\n**\(c.describe(m))**"))
        #expect(text.contains("- p99 \(Format.number(p99)) ms against the SLO's 2,000 ms: \(Format.number(2_000 - p99)) ms to spare."))
        #expect(text.contains("- What limits it next: **\(run.diagnosis.bottleneck.component)**"))
        #expect(text.contains("```yaml\napi:\n  scaling: {min: 1, max: 1}\n```"))
        #expect(text.contains("Not a capacity this search can add") == run.diagnosis.causes.contains { $0.kind == .volumeFull })
    }
}

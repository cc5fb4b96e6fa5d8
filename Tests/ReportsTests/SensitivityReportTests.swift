import Testing
import Analysis
import Reports

/// What the sensitivity notebook shows: the baseline as a row, the errors the SLO counts and
/// its verdict beside p99, capacity and cost, and settings that changed nothing kept out of
/// the ranking.
@Suite struct SensitivityReportTests {
    static func outcome(p99: Double, errors: Double = 0, meets: Bool = true, capacity: Double = 2_000_000, cost: Double = 10_000) -> Sensitivity.Outcome {
        Sensitivity.Outcome(p99Ms: p99, capacityUsers: capacity, monthlyUSD: cost, errorRate: errors, meetsSLO: meets)
    }

    static func report() -> SensitivityReport {
        let base = outcome(p99: 300, errors: 0.0005)
        let effects = [
            // Off in this configuration: both ends give the baseline run again.
            Sensitivity.Effect(perturbation: .init(path: "caches.off.ttlS", baseline: "60", low: "30", high: "90"), low: base, high: base),
            // A count that cannot go lower: its low end is the baseline.
            Sensitivity.Effect(perturbation: .init(path: "workers.concurrency", baseline: "1", low: "1", high: "2"),
                               low: base, high: outcome(p99: 290, errors: 0.0004)),
            // Moves the SLO's verdict at its high end.
            Sensitivity.Effect(perturbation: .init(path: "traffic.sessionsPerActiveUserPerDay", baseline: "5", low: "2.5", high: "7.5"),
                               low: outcome(p99: 200, errors: 0.0001), high: outcome(p99: 650, errors: 0.004, meets: false)),
        ]
        return SensitivityReport(configuration: "phase3", users: 1_000_000, spread: 0.5,
                                 slo: ServiceLevelObjective(p99Ms: 500, errorRate: 0.001), baseline: base,
                                 effects: effects, skipped: [], command: "platform-sim sensitivity")
    }

    @Test func settingsThatChangeNothingAreListedApartNotRanked() {
        let r = Self.report()
        #expect(r.unchanged == ["caches.off.ttlS"])
        #expect(!r.effects.contains { $0.perturbation.path == "caches.off.ttlS" })
        let md = r.markdown(chartFolder: "x", top: 10)
        #expect(md.contains("## Changed nothing here"))
        #expect(!r.table().markdown().contains("caches.off.ttlS"))
        // The widest effect is ranked first.
        #expect(r.effects.first?.perturbation.path == "traffic.sessionsPerActiveUserPerDay")
    }

    @Test func theTableStartsWithTheBaselineAndShowsErrorsAndTheVerdict() {
        let t = Self.report().table().markdown()
        let lines = t.split(separator: "\n")
        #expect(lines.count == 2 + 3)   // header, rule, baseline and two parameters
        #expect(lines[2].contains("(baseline)") && lines[2].contains("0.050%") && lines[2].contains("meets"))
        #expect(t.contains("errors low / high") && t.contains("SLO low / high"))
        #expect(t.contains("(= baseline)"))
        #expect(t.contains("meets / fails"))
    }

    @Test func theNotebookNamesWhatFlipsTheSLOAndWhatMovesTheErrors() {
        let md = Self.report().markdown(chartFolder: "x", top: 10)
        #expect(md.contains("is missed when these move: `traffic.sessionsPerActiveUserPerDay` (at 7.5)"))
        #expect(md.contains("**errors the SLO counts**: `traffic.sessionsPerActiveUserPerDay` moves them most"))
        #expect(md.contains("tornado-errors.svg"))
        #expect(md.contains("common random numbers"))
    }
}

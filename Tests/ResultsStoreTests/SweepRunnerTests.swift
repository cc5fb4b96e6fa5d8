import ExperimentRunner
import Foundation
import Reports
import ResultsStore
import Testing

@Suite struct SweepRunnerTests {
    @Test func theSameExperimentGivesTheSameRowsWithOneOrTwoJobs() throws {
        let plan = try Fixtures.tinyPlan()
        let one = try Fixtures.database(for: plan)
        let two = try Fixtures.database(for: plan)
        try SweepRunner.run(plan.cells, into: one, jobs: 1)
        try SweepRunner.run(plan.cells, into: two, jobs: 2)
        let rows = try Fixtures.deterministicRows(one, "tiny")
        #expect(rows.count == plan.cells.count)
        #expect(rows == (try Fixtures.deterministicRows(two, "tiny")))
    }

    @Test func resumeRunsOnlyTheMissingCells() throws {
        let plan = try Fixtures.tinyPlan()
        let db = try Fixtures.database(for: plan)
        try SweepRunner.run(Array(plan.cells.prefix(3)), into: db, jobs: 2)
        let stored = try db.runRecords(experiment: "tiny")
        let (run, stale) = SweepRunner.pending(plan, stored: stored, storedExperiment: plan.record, resume: true)
        #expect(stale.isEmpty)
        #expect(run.map(\.key) == plan.cells.dropFirst(3).map(\.key))
        // Without --resume everything runs again.
        #expect(SweepRunner.pending(plan, stored: stored, storedExperiment: plan.record, resume: false).run.count == plan.cells.count)

        // Runs the experiment no longer has, or made from another model, are stale.
        let smaller = try Fixtures.tinyPlan(users: [300])
        let (run2, stale2) = SweepRunner.pending(smaller, stored: stored, storedExperiment: smaller.record, resume: true)
        #expect(Set(stale2) == Set(stored.map(\.runKey).filter { $0.users == 600 }))
        #expect(Set(run2.map(\.key)) == Set(smaller.cells.map(\.key)).subtracting(stored.map(\.runKey)))
        var otherModel = plan
        otherModel.cells = plan.cells.map { var c = $0; c.provenance.modelSHA256 = "changed"; return c }
        #expect(SweepRunner.pending(otherModel, stored: stored, storedExperiment: plan.record, resume: true).stale.count == 3)
        // A changed window makes every stored run stale.
        var longer = plan.record
        longer.durationS = 99
        #expect(SweepRunner.pending(plan, stored: stored, storedExperiment: longer, resume: true).run.count == plan.cells.count)
    }

    @Test func progressCountsEveryRun() throws {
        let plan = try Fixtures.tinyPlan(users: [300])
        let db = try Fixtures.database(for: plan)
        let seen = Mutex<[Int]>([])
        try SweepRunner.run(plan.cells, into: db, jobs: 2) { p in seen.withLock { $0.append(p.done) } }
        #expect(seen.withLock { $0 } == Array(1...plan.cells.count))
    }

    @Test func tablesComeFromTheRecords() throws {
        let plan = try Fixtures.tinyPlan()
        let db = try Fixtures.database(for: plan)
        try SweepRunner.run(plan.cells, into: db, jobs: 2)
        let results = try #require(try db.results(experiment: "tiny"))
        let tables = ExperimentTables(results)
        let s = tables.summary
        #expect(s.cells.map { "\($0.configuration)/\($0.users)" } == ["current/300", "current/600", "phase2/300", "phase2/600"])
        #expect(s.cells.allSatisfy { $0.runs == 2 })
        // Means over the two seeds.
        let runs = results.runs.filter { $0.run.configuration == "phase2" && $0.run.users == 600 }
        #expect(abs(s.cell("phase2", "default", 600)!.p99Ms - (runs[0].run.p99Ms + runs[1].run.p99Ms) / 2) < 1e-9)
        #expect(s.slo.count == 2)
        #expect(tables.bottleneckTable().rows.count == 4)
        #expect(tables.costTable().headers.contains("Postgres primary"))
        #expect(tables.comparisonTable().headers == ["users", "figure", "current", "phase2"])
        let md = tables.render(.markdown)
        #expect(md.contains("# Experiment tiny") && md.contains("Does the sweep work?") && md.contains("| configuration |"))
    }
}

import Synchronization

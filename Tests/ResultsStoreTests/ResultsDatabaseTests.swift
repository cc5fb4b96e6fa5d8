import ExperimentRunner
import Foundation
import Testing
import PlatformModel
@testable import ResultsStore

@Suite struct ResultsDatabaseTests {
    @Test func migrationsCreateTheDocumentedTables() throws {
        let db = try ResultsDatabase()
        #expect(try db.appliedMigrations() == ["v1", "v2", "v3", "v4-component-series"])
        #expect(try db.tables() == ResultsDatabase.tableNames.sorted())
        let runs = try db.columns(of: "runs")
        for column in ["experiment", "configuration", "variant", "users", "seed", "replication", "model_sha256", "pricing_sha256",
                       "overrides", "program_version", "wall_s", "events", "simulated_s", "requests", "throughput_per_s",
                       "p50_ms", "p95_ms", "p99_ms", "error_rate", "bottleneck_component", "bottleneck_reason",
                       "bottleneck_utilization", "bottleneck_cause", "causes", "tail_endpoint", "headroom_users", "monthly_cost_usd",
                       "cost_per_1k_users_usd"] {
            #expect(runs.contains(column), "runs lacks \(column)")
        }
        #expect(!runs.contains { $0.contains("started") || $0 == "id" })
        #expect(try db.columns(of: "endpoint_latency").starts(with: RunKey.columnNames + ["endpoint"]))
        #expect(try db.columns(of: "time_series").contains("job_queue_depth"))
        #expect(try db.columns(of: "errors").contains("kind"))
        #expect(try db.columns(of: "experiments").contains("slo_counts_intended_429s"))
    }

    /// The diagnosis is stored typed: the bottleneck's cause by name and every cause as JSON,
    /// read back into the same values.
    @Test func theDiagnosisReadsBackTyped() throws {
        let run = try Fixtures.storedRun()
        let causes = run.run.causeList
        #expect(!causes.isEmpty)
        #expect(causes[0].component == run.run.bottleneckComponent && causes[0].reason == run.run.bottleneckReason)
        #expect(run.run.bottleneckCauseKind == causes[0].kind)
    }

    @Test func reopeningAFileKeepsItsRunsAndMigratesOnce() throws {
        let path = try Fixtures.folder() + "/results.sqlite"
        let run = try Fixtures.storedRun()
        do {
            let db = try ResultsDatabase(path: path)
            try db.begin(try Fixtures.tinyPlan().record, replacing: true)
            try db.save(run)
        }
        let again = try ResultsDatabase(path: path)
        #expect(try again.appliedMigrations() == ["v1", "v2", "v3", "v4-component-series"])
        #expect(try again.storedRuns(experiment: "tiny") == [run])
    }

    @Test func aRunReadsBackEqualToWhatWasWritten() throws {
        let plan = try Fixtures.tinyPlan()
        let db = try Fixtures.database(for: plan)
        let run = try Fixtures.storedRun()
        #expect(!run.components.isEmpty && !run.endpoints.isEmpty && !run.costItems.isEmpty && !run.timeSeries.isEmpty
                && !run.componentSeries.isEmpty)
        #expect(run.errors.count == ErrorCounts().byKind.count)
        try db.save(run)
        #expect(try db.storedRuns(experiment: "tiny") == [run])
        #expect(try db.experiment(named: "tiny") == plan.record)
        #expect(try db.experiment(named: "tiny")?.configurationList == ["current", "phase2"])
        #expect(try db.experiment(named: "tiny")?.userList == [300, 600])
        #expect(try db.experiment(named: "tiny")?.users == "[300,600]")

        // Optional columns left empty, and text that needs quoting, come back as they were.
        var odd = run
        odd.run.seed = 2
        odd.run.headroomUsers = nil
        odd.run.headroomComponent = nil
        odd.run.overrides = TextList.encode(["a.b=\"quoted, with comma\"", "c=[1, 2]"])
        odd.components = odd.components.map { c in var c = c; c.seed = 2; c.meanInSystem = nil; return c }
        odd.endpoints = odd.endpoints.map { var e = $0; e.seed = 2; return e }
        odd.errors = odd.errors.map { var e = $0; e.seed = 2; return e }
        odd.costItems = odd.costItems.map { var e = $0; e.seed = 2; return e }
        odd.caches = odd.caches.map { var e = $0; e.seed = 2; return e }
        odd.jobs = odd.jobs.map { var e = $0; e.seed = 2; return e }
        odd.timeSeries = odd.timeSeries.map { var e = $0; e.seed = 2; return e }
        odd.componentSeries = odd.componentSeries.map { var e = $0; e.seed = 2; return e }
        try db.save(odd)
        #expect(try db.storedRuns(experiment: "tiny") == [run, odd])
        #expect(odd.run.overrideList == ["a.b=\"quoted, with comma\"", "c=[1, 2]"])
    }

    /// The conversion of a finished run into rows keeps every figure in its own column: a real
    /// run of the tiny experiment, stored and read back, against the same run's own result
    /// (latency percentiles, which differ from one another here, rates, counts and per-endpoint
    /// percentiles). Equality is exact: the rows hold the same doubles.
    @Test func storedFiguresAreTheRunsOwn() throws {
        let plan = try Fixtures.tinyPlan(users: [600])
        let cell = plan.cells[0]
        // The same model and settings simulate the same run (the seed fixes every draw).
        let r = PlatformRun.run(model: cell.model, settings: cell.settings)
        let db = try Fixtures.database(for: plan)
        try db.save(SweepRunner.run(cell))
        let stored = try #require(try db.storedRuns(experiment: "tiny").first)
        let l = r.latencyMs
        #expect(l.p50 < l.p95 && l.p95 < l.p99, "the percentiles must differ for the check to mean something")
        #expect(stored.run.p50Ms == l.p50 && stored.run.p95Ms == l.p95 && stored.run.p99Ms == l.p99)
        #expect(stored.run.meanMs == l.mean && stored.run.maxMs == l.max)
        #expect(stored.run.throughputPerS == r.throughput && stored.run.errorRate == r.errorRate)
        #expect(stored.run.requests == r.requests && stored.run.errors == r.errors.total && stored.run.activeUsers == r.activeUsers)
        for e in r.endpoints {
            let row = try #require(stored.endpoints.first { $0.endpoint == e.name })
            #expect(row.requests == e.requests && row.errors == e.errors)
            if e.requests > 0 {
                #expect(row.p50Ms == e.latencyMs.p50 && row.p95Ms == e.latencyMs.p95 && row.p99Ms == e.latencyMs.p99, "\(e.name)")
            }
        }
    }

    @Test func savingTheSameKeyAgainReplacesTheRun() throws {
        let plan = try Fixtures.tinyPlan()
        let db = try Fixtures.database(for: plan)
        var run = try Fixtures.storedRun()
        try db.save(run)
        run.run.p99Ms = 12345
        run.timeSeries.removeLast()
        try db.save(run)
        #expect(try db.storedRuns(experiment: "tiny") == [run])
    }

    /// A write that fails part way (here the second row of a component breaks the primary key)
    /// leaves nothing of the run: not its `runs` row, not the rows written before the failure.
    @Test func aRunIsWrittenInOneTransaction() throws {
        let plan = try Fixtures.tinyPlan()
        let db = try Fixtures.database(for: plan)
        var broken = try Fixtures.storedRun()
        broken.components.append(broken.components[0])
        #expect(throws: (any Error).self) { try db.save(broken) }
        #expect(try db.storedRuns(experiment: "tiny").isEmpty)
        for table in ResultsDatabase.tableNames where table != "experiments" {
            #expect(try db.count(table) == 0, "\(table) kept rows of a failed run")
        }

        // Failing to replace a run keeps the earlier one whole.
        let good = try Fixtures.storedRun()
        try db.save(good)
        #expect(throws: (any Error).self) { try db.save(broken) }
        #expect(try db.storedRuns(experiment: "tiny") == [good])
    }

    @Test func replacingAnExperimentDeletesItsRuns() throws {
        let plan = try Fixtures.tinyPlan()
        let db = try Fixtures.database(for: plan)
        try db.save(try Fixtures.storedRun())
        #expect(try db.begin(plan.record, replacing: false) == 0)
        #expect(try db.storedRuns(experiment: "tiny").count == 1)
        #expect(try db.begin(plan.record, replacing: true) == 1)
        #expect(try db.storedRuns(experiment: "tiny").isEmpty)
        for table in ResultsDatabase.tableNames where table != "experiments" {
            #expect(try db.count(table) == 0, "\(table) kept rows of a deleted run")
        }
    }
}

extension ResultsDatabase {
    func count(_ table: String) throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }
}

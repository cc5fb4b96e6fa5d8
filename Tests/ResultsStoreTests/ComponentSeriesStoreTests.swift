import Foundation
import GRDB
import Testing
import ExperimentRunner
import PlatformModel
import Reports
@testable import ResultsStore

/// The per-component series kept with each run (schema v4-component-series), and databases
/// written before them still read.
@Suite struct ComponentSeriesStoreTests {
    @Test func componentSeriesAreStoredWithEachRunAndReadBack() throws {
        let run = try Fixtures.storedRun()
        let metrics = Set(run.componentSeries.map(\.metric))
        for m in [SeriesMetric.queriesPerSecond, .activeBackends, .commandsPerSecond, .p99Ms, .requestsPerSecond] {
            #expect(metrics.contains(m.rawValue), "no \(m) series")
        }
        for s in run.componentSeries {
            #expect(s.series?.values.count == run.timeSeries.count, "\(s.name) \(s.metric) is not aligned with the time series")
        }
        let db = try Fixtures.database(for: try Fixtures.tinyPlan())
        try db.save(run)
        #expect(try db.storedRuns(experiment: "tiny") == [run])
    }

    /// The notebooks' chart of a run component by component: a panel per kind of figure, the
    /// trigger shaded; none for a run stored without series.
    @Test func aRunsComponentsAreChartedThroughTime() throws {
        let run = try Fixtures.storedRun()
        let svg = try #require(ExperimentCharts.componentTimeline(run, title: "t", subtitle: nil, bands: [Band(from: 5, to: 10, label: "fault")]))
        for panel in ["Postgres queries/s", "active backends", "Redis commands/s", "endpoint p99"] {
            #expect(svg.contains(panel), "no \(panel) panel")
        }
        #expect(svg.contains("fault"))
        var bare = run
        bare.componentSeries = []
        #expect(ExperimentCharts.componentTimeline(bare, title: "t", subtitle: nil, bands: []) == nil)
    }

    /// A database written before v4-component-series is read (its runs have no series), never migrated.
    @Test func aDatabaseWithoutComponentSeriesIsRead() throws {
        let plan = try Fixtures.tinyPlan(users: [300])
        let path = try Fixtures.folder() + "/v3.sqlite"
        let queue = try DatabaseQueue(path: path, configuration: ResultsDatabase.configuration)
        try ResultsDatabase.migrator.migrate(queue, upTo: "v3")
        let runs = plan.cells.map { SweepRunner.run($0) }.map { r in var r = r; r.componentSeries = []; return r }
        try queue.write { db in
            _ = try ResultsDatabase.begin(plan.record, replacing: true, db)
            for r in runs { try ResultsDatabase.insert(r, db) }
        }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let db = try ResultsDatabase(path: path, access: .read)
        #expect(try db.storedRuns(experiment: "tiny") == runs)
        #expect(try db.appliedMigrations() == ["v1", "v2", "v3"])
        let results = try #require(try db.results(experiment: "tiny"))
        #expect(!ExperimentTables(results).render(.plain).isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }
}

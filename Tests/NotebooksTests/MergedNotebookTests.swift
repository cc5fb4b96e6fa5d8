import ExperimentRunner
import Foundation
import ModelSchema
import Notebooks
import PlatformModel
import Reports
import ResultsStore
import Testing

/// A notebook made from shards that `merge` combined is the notebook of the same sweep on one
/// machine, byte for byte (markdown and every chart).
@Suite struct MergedNotebookTests {
    static func render(_ experiment: Experiment, _ path: String, _ plan: SweepPlan, _ db: ResultsDatabase) throws -> NotebookDocument {
        let results = try #require(try db.results(experiment: experiment.name))
        var models: [ExperimentMetrics.CellKey: PlatformModel] = [:]
        for c in plan.cells { models[.init(c.key.configuration, c.key.variant, c.key.users)] = c.model }
        let input = try NotebookInput.make(experiment: experiment, experimentPath: path, results: results, models: models,
                                           markdownPath: "/tmp/unused/tiny.md", outOption: nil)
        return Notebook(input).render()
    }

    @Test func aNotebookFromMergedShardsIsTheOneMachineNotebook() throws {
        let folder = try NotebookTests.folder()
        let path = try NotebookTests.tinyExperiment(in: folder)
        let experiment = try ExperimentFile.load(path)
        let plan = try SweepPlan.prepare(experiment, programVersion: "test")

        let whole = try ResultsDatabase(path: folder + "/whole.sqlite")
        try whole.begin(plan.record, shard: plan.shardRecord(.whole, programVersion: "test"), replacing: true)
        try SweepRunner.run(plan.cells, into: whole, jobs: 2)

        let shards = try (1...3).map { k in
            let spec = try ShardSpec(index: k, count: 3)
            let file = folder + "/shard-\(k).sqlite"
            let db = try ResultsDatabase(path: file)
            try db.begin(plan.record, shard: plan.shardRecord(spec, programVersion: "test"), replacing: true)
            try SweepRunner.run(plan.shard(spec).cells, into: db, jobs: 1)
            return file
        }
        let report = try ResultsDatabase.merge(shards.reversed(), into: folder + "/merged.sqlite", requireComplete: true)
        #expect(report.added == plan.cells.count)

        let one = try Self.render(experiment, path, plan, whole)
        let merged = try Self.render(experiment, path, plan, try ResultsDatabase(path: folder + "/merged.sqlite"))
        #expect(one.markdown == merged.markdown)
        #expect(one.charts.map(\.name) == merged.charts.map(\.name))
        for (a, b) in zip(one.charts, merged.charts) { #expect(a.svg == b.svg, "\(a.name)") }
    }
}

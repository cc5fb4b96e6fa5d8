import ExperimentRunner
import Foundation
import GRDB
import Reports
@testable import ResultsStore
import Testing

/// `platform-sim merge`: shards of a sweep into one database, refused when they disagree.
@Suite struct MergeTests {
    /// Runs shard k of n of `plan` into `folder/shard-k.sqlite`, as `sweep --shard k/n` does.
    static func runShards(_ plan: SweepPlan, _ n: Int, in folder: String, version: String = "test") throws -> [String] {
        try (1...n).map { k in
            let spec = try ShardSpec(index: k, count: n)
            let path = folder + "/shard-\(k).sqlite"
            let db = try ResultsDatabase(path: path)
            try db.begin(plan.record, shard: plan.shardRecord(spec, programVersion: version), replacing: true)
            try SweepRunner.run(plan.shard(spec).cells, into: db, jobs: 2)
            return path
        }
    }

    /// The whole grid on one machine, as a plain `sweep`.
    static func runWhole(_ plan: SweepPlan, into path: String) throws -> ResultsDatabase {
        let db = try ResultsDatabase(path: path)
        try db.begin(plan.record, shard: plan.shardRecord(.whole, programVersion: "test"), replacing: true)
        try SweepRunner.run(plan.cells, into: db, jobs: 2)
        return db
    }

    /// Every document `report` writes, in every format.
    static func reports(_ db: ResultsDatabase, _ experiment: String) throws -> [String] {
        let results = try #require(try db.results(experiment: experiment))
        return try ExperimentReport.OutputFormat.allCases.flatMap { f in try ExperimentReport.documents(results, format: f).map { $0.file + "\n" + $0.text } }
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    static func leftovers(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".merging-") }
    }

    @Test func mergedShardsReportTheSameBytesAsOneMachine() throws {
        let plan = try Fixtures.tinyPlan()
        let folder = try Fixtures.folder()
        let whole = try Self.runWhole(plan, into: folder + "/whole.sqlite")
        for n in [2, 3] {
            let sub = folder + "/\(n)"
            try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
            let shards = try Self.runShards(plan, n, in: sub)
            let before = try shards.map(Self.bytes)
            let report = try ResultsDatabase.merge(shards, into: sub + "/merged.sqlite", requireComplete: true)
            #expect(report.added == plan.cells.count && report.alreadyThere == 0)
            #expect(report.experiments.map(\.name) == ["tiny"])
            let e = try #require(report.experiments.first)
            #expect(e.isComplete && e.runs == plan.cells.count && e.gridRuns == plan.cells.count && e.missingShards.isEmpty)
            #expect(e.shards == (1...n).map { "\($0)/\(n)" })
            let merged = try ResultsDatabase(path: sub + "/merged.sqlite")
            #expect(try Fixtures.deterministicRows(merged, "tiny") == (try Fixtures.deterministicRows(whole, "tiny")))
            #expect(try Self.reports(merged, "tiny") == (try Self.reports(whole, "tiny")))
            // The inputs are only read.
            #expect(try shards.map(Self.bytes) == before)
            #expect(try Self.leftovers(sub).isEmpty)
        }
    }

    @Test func mergingAShardTwiceChangesNothing() throws {
        let plan = try Fixtures.tinyPlan()
        let folder = try Fixtures.folder()
        let shards = try Self.runShards(plan, 2, in: folder)
        let out = folder + "/merged.sqlite"
        let first = try ResultsDatabase.merge([shards[0]], into: out)
        #expect(first.added == plan.shard(try ShardSpec(index: 1, count: 2)).cells.count)
        let partial = try #require(first.experiments.first)
        #expect(!partial.isComplete && partial.missingShards == ["2/2"])
        #expect(partial.statusText.contains("not merged yet: shard 2/2"))

        let all = try ResultsDatabase.merge(shards, into: out)
        #expect(all.added == plan.cells.count - first.added && all.alreadyThere == first.added)
        let rows = try Fixtures.deterministicRows(try ResultsDatabase(path: out), "tiny")
        let again = try ResultsDatabase.merge(shards + shards, into: out)
        #expect(again.added == 0 && again.alreadyThere == 2 * plan.cells.count)
        #expect(try Fixtures.deterministicRows(try ResultsDatabase(path: out), "tiny") == rows)
        #expect(try ResultsDatabase(path: out).shards(experiment: "tiny").map(\.shardName) == ["1/2", "2/2"])
    }

    /// Each refusal names the file, leaves the output byte for byte as it was (or absent) and
    /// leaves no temporary file.
    @Test func shardsThatDisagreeAreRefusedAndTheOutputIsLeftAsItWas() throws {
        let plan = try Fixtures.tinyPlan()
        let folder = try Fixtures.folder()
        let shards = try Self.runShards(plan, 2, in: folder)
        let out = folder + "/merged.sqlite"
        _ = try ResultsDatabase.merge([shards[0]], into: out)
        let before = try Self.bytes(out)

        func copy(_ path: String, _ name: String, _ sql: String, _ arguments: StatementArguments = []) throws -> String {
            let target = folder + "/" + name
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: path, toPath: target)
            try DatabaseQueue(path: target).write { db in try db.execute(sql: sql, arguments: arguments) }
            return target
        }
        func refused(_ inputs: [String], into target: String = out, saying words: [String]) throws {
            do {
                _ = try ResultsDatabase.merge(inputs, into: target)
                Issue.record("merged although \(words)")
            } catch {
                for w in words { #expect(error.description.contains(w), "\(error)") }
            }
            if target == out { #expect(try Self.bytes(out) == before) }
            #expect(try Self.leftovers(folder).isEmpty)
        }

        let version = try copy(shards[1], "version.sqlite", "UPDATE runs SET program_version = '9.9'; UPDATE shards SET program_version = '9.9'")
        try refused([version], saying: ["version.sqlite: error:", "platform-sim 9.9 here and by test in"])
        let mixed = try copy(shards[1], "mixed.sqlite", "UPDATE runs SET program_version = '9.9' WHERE rowid = 1")
        try refused([mixed], saying: ["mixed.sqlite: error:", "several platform-sim versions (9.9, test)"])
        let experiment = try copy(shards[1], "experiment.sqlite", "UPDATE experiments SET experiment_sha256 = 'feedbeef0000'")
        try refused([experiment], saying: ["experiment.sqlite: error:", "another experiment file", "feedbeef0000"])
        // A shard made from edited model files shares no run with the first, but its grid differs.
        var edited = plan
        edited.cells = plan.cells.map { var c = $0; c.provenance.modelSHA256 = String(repeating: "e", count: 64); return c }
        let editedGrid = edited.shardRecord(try ShardSpec(index: 2, count: 2), programVersion: "test").gridCells
        let model = try copy(shards[1], "model.sqlite", "UPDATE shards SET grid_cells = ?", [editedGrid])
        try refused([model], saying: ["model.sqlite: error:", "other model or pricing files", "eeeeeeeeeeee"])
        // A run whose model hash disagrees with the grid its own shard recorded.
        let run = try copy(shards[1], "run.sqlite", "UPDATE runs SET model_sha256 = 'aaaa' WHERE rowid = 1")
        try refused([run], saying: ["run.sqlite: error:", "other model or pricing files (model sha256 aaaa)"])
        // The same run with other results.
        let results = try copy(shards[0], "results.sqlite", "UPDATE runs SET p99_ms = p99_ms + 1 WHERE rowid = 1")
        try refused([results], saying: ["results.sqlite: error:", "has other results than the same run in"])
        // A good shard before a bad one: nothing of either is written.
        try refused([shards[1], version], saying: ["version.sqlite"])
        // Inputs that are not results databases, and a merge that would stay incomplete.
        try "not sqlite".write(toFile: folder + "/text.sqlite", atomically: true, encoding: .utf8)
        try refused([folder + "/text.sqlite"], saying: ["text.sqlite: error: is not an SQLite database"])
        try refused([folder + "/absent.sqlite"], saying: ["absent.sqlite: error: no such file"])
        let fresh = folder + "/fresh.sqlite"
        do {
            _ = try ResultsDatabase.merge([shards[0]], into: fresh, requireComplete: true)
            Issue.record("an incomplete merge was written")
        } catch {
            #expect(error.description.contains("fresh.sqlite: error: not written: experiment 'tiny' would be incomplete ("), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: fresh))
        #expect(try Self.leftovers(folder).isEmpty)
        // Only a difference in the machine's wall time is the same run.
        let wall = try copy(shards[0], "wall.sqlite", "UPDATE runs SET wall_s = wall_s + 1")
        #expect(try ResultsDatabase.merge([wall], into: out).alreadyThere == plan.shard(try ShardSpec(index: 1, count: 2)).cells.count)
    }

    /// A shard stopped part way says so; resumed, it completes the grid.
    @Test func aShardWithMissingRunsIsReported() throws {
        let plan = try Fixtures.tinyPlan()
        let folder = try Fixtures.folder()
        let spec = try ShardSpec(index: 1, count: 2)
        let path = folder + "/shard-1.sqlite"
        let db = try ResultsDatabase(path: path)
        try db.begin(plan.record, shard: plan.shardRecord(spec, programVersion: "test"), replacing: true)
        let cells = plan.shard(spec).cells
        try SweepRunner.run(Array(cells.prefix(1)), into: db, jobs: 1)
        let second = try Self.runShards(plan, 2, in: try Fixtures.folder())[1]
        let report = try ResultsDatabase.merge([path, second], into: folder + "/merged.sqlite")
        let e = try #require(report.experiments.first)
        #expect(!e.isComplete && e.missingShards.isEmpty)
        #expect(e.partialShards == [.init(file: path, shard: "1/2", runs: 1, assigned: cells.count)])
        #expect(e.statusText.contains("holds 1 of its \(cells.count) runs (rerun it with --resume)"))
        // Resumed: only the missing runs are made, and the merge completes.
        let (missing, stale) = SweepRunner.pending(plan.shard(spec), stored: try db.runRecords(experiment: "tiny"), storedExperiment: plan.record, resume: true)
        #expect(stale.isEmpty && missing.count == cells.count - 1)
        try SweepRunner.run(missing, into: db, jobs: 2)
        #expect(try ResultsDatabase.merge([path], into: folder + "/merged.sqlite", requireComplete: true).experiments.first?.isComplete == true)
    }

    /// A database written before shards were recorded (schema v2) is read without being written.
    @Test func anOlderDatabaseIsReadWithoutBeingMigrated() throws {
        let plan = try Fixtures.tinyPlan()
        let folder = try Fixtures.folder()
        let old = folder + "/old.sqlite"
        let queue = try DatabaseQueue(path: old, configuration: ResultsDatabase.configuration)
        try ResultsDatabase.migrator.migrate(queue, upTo: "v2")
        // As the program of v2 wrote them: without per-component series (v4-component-series).
        let runs = plan.cells.map { SweepRunner.run($0) }.map { r in var r = r; r.componentSeries = []; return r }
        try queue.write { db in
            _ = try ResultsDatabase.begin(plan.record, replacing: true, db)
            for r in runs { try ResultsDatabase.insert(r, db) }
        }
        try queue.close()
        let before = try Self.bytes(old)
        let report = try ResultsDatabase.merge([old], into: folder + "/merged.sqlite")
        #expect(try Self.bytes(old) == before)
        let e = try #require(report.experiments.first)
        #expect(e.runs == plan.cells.count && e.gridRuns == nil && !e.isComplete)
        #expect(e.statusText.contains("size of its grid is unknown"))
        // Checked against the grid of a shard merged later.
        let shards = try Self.runShards(plan, 2, in: folder)
        #expect(try ResultsDatabase.merge(shards, into: folder + "/merged.sqlite", requireComplete: true).alreadyThere == plan.cells.count)
    }
}

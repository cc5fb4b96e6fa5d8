import Foundation
import ResultsStore
import Testing

/// `sweep --shard`, `plan` and `merge` end to end, on the tiny experiment of ``SweepCommandTests``.
@Suite struct ScaleOutCommandTests {
    @Test func shardsMergedReportWhatOneMachineReports() throws {
        let dir = try SweepCommandTests.folder()
        let file = try SweepCommandTests.experiment(in: dir, seeds: "[1, 2]")
        let whole = try PlatformSimBinary.run(["sweep", file, "--db", dir + "/whole.sqlite", "--format", "md"])
        #expect(whole.status == 0, "\(whole.stderr)")
        var shards: [String] = []
        for k in 1...3 {
            let db = dir + "/shard-\(k).sqlite"
            let out = try PlatformSimBinary.run(["sweep", file, "--shard", "\(k)/3", "--db", db, "--jobs", "1"])
            #expect(out.status == 0, "\(out.stderr)")
            #expect(out.stdout.isEmpty, "a shard printed tables")
            #expect(out.stderr.contains("sweep tiny, shard \(k)/3: "), "\(out.stderr)")
            #expect(out.stderr.contains("shard \(k)/3 of tiny is in \(db); when all 3 are done: platform-sim merge"))
            shards.append(db)
        }
        let merged = dir + "/merged.sqlite"
        let merge = try PlatformSimBinary.run(["merge", merged] + shards + ["--require-complete"])
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(merge.stdout == "merged 3 databases into \(merged): 8 runs added, 0 already there\ntiny: complete: 8 of 8 runs (shards 1/3, 2/3, 3/3)\n")
        let again = try PlatformSimBinary.run(["merge", merged, shards[0]])
        #expect(again.stdout.hasPrefix("merged 1 database into \(merged): 0 runs added, "), "\(again.stdout)")

        for format in ["md", "csv", "json"] {
            let a = try PlatformSimBinary.run(["report", "--db", dir + "/whole.sqlite", "--format", format])
            let b = try PlatformSimBinary.run(["report", "--db", merged, "--format", format])
            #expect(a.status == 0 && b.status == 0)
            #expect(a.stdout == b.stdout, "report --format \(format) differs")
        }
        #expect(whole.stdout == (try PlatformSimBinary.run(["report", "--db", merged])).stdout)

        // The notebook from the merged database runs nothing and is the one-machine notebook.
        // (The same --out for both: the notebook quotes the command that makes it.)
        let notebook = dir + "/notebook/tiny.md"
        let fromMerged = try PlatformSimBinary.run(["notebook", file, "--db", merged, "--resume", "--out", notebook])
        #expect(fromMerged.status == 0, "\(fromMerged.stderr)")
        #expect(fromMerged.stderr.contains("notebook tiny: 0 runs on 1 job; 8 already in \(merged)"), "\(fromMerged.stderr)")
        try FileManager.default.moveItem(atPath: dir + "/notebook", toPath: dir + "/from-merged")
        let fresh = try PlatformSimBinary.run(["notebook", file, "--out", notebook])
        #expect(fresh.status == 0, "\(fresh.stderr)")
        #expect(try String(contentsOfFile: dir + "/from-merged/tiny.md", encoding: .utf8) == String(contentsOfFile: notebook, encoding: .utf8))
        let charts = try FileManager.default.contentsOfDirectory(atPath: dir + "/notebook/tiny").sorted()
        let chartsFromMerged = try FileManager.default.contentsOfDirectory(atPath: dir + "/from-merged/tiny").sorted()
        #expect(!charts.isEmpty && charts == chartsFromMerged)
        for chart in charts {
            #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/from-merged/tiny/" + chart)) == Data(contentsOf: URL(fileURLWithPath: dir + "/notebook/tiny/" + chart)), "\(chart)")
        }
    }

    @Test func planPrintsEachShardsRunsAndCost() throws {
        let dir = try SweepCommandTests.folder()
        let file = try SweepCommandTests.experiment(in: dir, seeds: "[1, 2]")
        let out = try PlatformSimBinary.run(["plan", file, "--shards", "3"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.hasPrefix("Experiment tiny (\(file)): 8 runs in 3 shards, expected cost "))
        for line in ["shard  runs  expected cost  share of the work  heaviest run", "Speed-up by number of shards", "Runs of each shard"] {
            #expect(out.stdout.contains(line), "\(out.stdout)")
        }
        // Every run once in the list of each shard's runs, and the counts of the first table agree.
        let sections = out.stdout.components(separatedBy: "Runs of each shard\n")
        let listed = try #require(sections.last).split(separator: "\n").dropFirst(2).flatMap { $0.split(separator: " ").filter { $0.hasSuffix("/0") } }
        #expect(listed.count == 8, "\(out.stdout)")
        let counts = out.stdout.split(separator: "\n").filter { line in ["1/3 ", "2/3 ", "3/3 "].contains { line.hasPrefix($0) } && line.contains("%") }
            .map { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0 }
        #expect(counts.count == 3 && counts.reduce(0, +) == 8, "\(counts)")
        let md = try PlatformSimBinary.run(["plan", file, "--shards", "3", "--format", "md"])
        #expect(md.stdout.hasPrefix("# Shards of experiment tiny\n"))
        #expect(md.stdout.contains("| shard | runs | expected cost | share of the work | heaviest run |"))
    }

    /// Bad input: one error line, a failure status, and nothing written.
    @Test func badInputWritesNothing() throws {
        let dir = try SweepCommandTests.folder()
        let file = try SweepCommandTests.experiment(in: dir)
        let db = dir + "/never.sqlite"
        let cases: [([String], String)] = [
            (["sweep", file, "--db", db, "--shard", "3/2"], "error: --shard: the shard must be between 1 and 2 in K/2, got 3"),
            (["sweep", file, "--db", db, "--shard", "two"], "error: --shard: a shard is written K/N, such as 2/4 (the second of four parts), got 'two'"),
            (["plan", file, "--shards", "0"], "error: --shards must be between 1 and 100000, got 0"),
            (["plan", dir + "/missing.yaml", "--shards", "2"], "\(dir)/missing.yaml: error: no such file"),
            (["merge", db], "error: give at least one database to merge into '\(db)'"),
            (["merge", db, dir + "/absent.sqlite"], "\(dir)/absent.sqlite: error: no such file"),
            (["merge", db, file], "\(file): error: is not an SQLite database"),
            (["merge", dir + "/no/such/folder/out.sqlite", file], "\(file): error: is not an SQLite database"),
            (["notebook", file, "--resume"], "error: --resume needs --db: the database whose runs to keep"),
        ]
        for (arguments, expected) in cases {
            let out = try PlatformSimBinary.run(arguments)
            #expect(out.status != 0)
            #expect(out.stderrLines.count == 1, "\(arguments): \(out.stderr)")
            #expect(out.stderr.hasPrefix(expected), "\(arguments): \(out.stderr)")
            #expect(out.stdout.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: db), "\(arguments) created the database")
        }
        // A shard that would leave the merge incomplete, with --require-complete: OUT is not written.
        let shard = dir + "/shard-1.sqlite"
        #expect(try PlatformSimBinary.run(["sweep", file, "--shard", "1/2", "--db", shard]).status == 0)
        let incomplete = try PlatformSimBinary.run(["merge", db, shard, "--require-complete"])
        #expect(incomplete.status == 1)
        #expect(incomplete.stderr.hasPrefix("\(db): error: not written: experiment 'tiny' would be incomplete (2 of 4 runs (shards 1/2); not merged yet: shard 2/2)"), "\(incomplete.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("merging") }.isEmpty)
    }
}

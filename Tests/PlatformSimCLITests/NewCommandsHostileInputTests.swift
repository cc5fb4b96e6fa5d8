import Foundation
import GRDB
import Testing

/// The commands that came with scale-out, calibration, validation and the workbench (plan,
/// merge, trace, calibrate, run --write-access-log, validation-report, serve) keep the same
/// promises as the others (issue 10): bad input ends in one clean error line and a non-zero
/// exit, with nothing written; work too large to finish is refused before it starts.
@Suite struct NewCommandsHostileInputTests {
    static var model: String { SweepCommandTests.root + "/Models/platform.yaml" }

    static func contents(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    @Test func planRefusesBadExperimentsWithLocatedErrors() throws {
        let dir = try SweepCommandTests.folder()
        try "name: x\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try PlatformSimBinary.run(["plan", dir + "/bad.yaml", "--shards", "2"])
        HostileInputTests.expectCleanFailure(bad, "plan bad.yaml")
        #expect(bad.stderr.hasPrefix(dir + "/bad.yaml:1:1: error: "), "\(bad.stderr)")
        #expect(bad.stdout.isEmpty)
        HostileInputTests.expectCleanFailure(try PlatformSimBinary.run(["plan", dir + "/bad.yaml", "--shards", "0"]), "--shards 0")
    }

    /// An empty path and `:memory:` as the merged database: one error line (not `error: : error:`).
    @Test func mergeRefusesPathsThatKeepNothing() throws {
        let dir = try SweepCommandTests.folder()
        let file = try SweepCommandTests.experiment(in: dir, users: "[300]", configurations: "[current]")
        let shard = dir + "/shard.sqlite"
        #expect(try PlatformSimBinary.run(["sweep", file, "--db", shard]).status == 0)
        for out in ["", ":memory:"] {
            let merge = try PlatformSimBinary.run(["merge", out, shard])
            HostileInputTests.expectCleanFailure(merge, "merge into '\(out)'")
            #expect(merge.stderr.hasPrefix("error: the results database ") && !merge.stderr.contains("error: : error"), "\(merge.stderr)")
        }
        #expect(Self.contents(dir) == ["shard.sqlite", "tiny.yaml"])
    }

    /// A shard edited by hand with a name report would refuse is refused by merge, before OUT exists.
    @Test func mergeRefusesNamesThisProgramWouldNotWrite() throws {
        let dir = try SweepCommandTests.folder()
        let file = try SweepCommandTests.experiment(in: dir, users: "[300]", configurations: "[current]")
        let shard = dir + "/shard.sqlite"
        #expect(try PlatformSimBinary.run(["sweep", file, "--db", shard]).status == 0)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: shard, configuration: configuration)
        try queue.write { db in try db.execute(sql: "UPDATE runs SET configuration = ?", arguments: ["<svg onload=alert(1)>"]) }
        try queue.close()
        let merge = try PlatformSimBinary.run(["merge", dir + "/out.sqlite", shard])
        HostileInputTests.expectCleanFailure(merge, "merge of a tampered shard")
        #expect(merge.stderr.contains("not written by a sweep"), "\(merge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.sqlite"))
    }

    @Test func traceChecksItsFilesAndItsWorkBeforeRunning() throws {
        let dir = try SweepCommandTests.folder()
        try FileManager.default.createDirectory(atPath: dir + "/folder", withIntermediateDirectories: false)
        let small = ["trace", Self.model, "--phase", "current", "--users", "1k", "--duration", "10", "--warm-up", "0"]
        let folder = try PlatformSimBinary.run(small + ["--out", dir + "/folder"])
        HostileInputTests.expectCleanFailure(folder, "trace --out FOLDER")
        #expect(folder.stderr.contains("is a folder"), "\(folder.stderr)")
        let second = try PlatformSimBinary.run(small + ["--out", dir + "/t.csv", "--users-out", dir + "/folder"])
        HostileInputTests.expectCleanFailure(second, "trace --users-out FOLDER")
        let same = try PlatformSimBinary.run(small + ["--out", dir + "/t.csv", "--users-out", dir + "/t.csv"])
        HostileInputTests.expectCleanFailure(same, "trace with one file twice")
        let work = try PlatformSimBinary.run(small + ["--out", dir + "/t.csv", "--max-events", "1000"])
        HostileInputTests.expectCleanFailure(work, "trace over --max-events")
        #expect(work.stderr.contains("this trace would simulate about"), "\(work.stderr)")
        let huge = try PlatformSimBinary.run(["trace", Self.model, "--phase", "current", "--users", "20M", "--out", dir + "/t.csv"])
        HostileInputTests.expectCleanFailure(huge, "trace --users 20M")
        #expect(Self.contents(dir) == ["folder"])
        let ok = try PlatformSimBinary.run(small + ["--out", dir + "/t.csv"])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func accessLogAndCalibrationRefuseFoldersAndTooMuchWork() throws {
        let dir = try SweepCommandTests.folder()
        try FileManager.default.createDirectory(atPath: dir + "/folder", withIntermediateDirectories: false)
        let run = ["run", Self.model, "--phase", "current", "--users", "500", "--duration", "600", "--start-hour", "9", "--warm-up", "0"]
        HostileInputTests.expectCleanFailure(try PlatformSimBinary.run(run + ["--write-access-log", dir + "/folder"]), "--write-access-log FOLDER")
        let log = dir + "/access.log"
        let wrote = try PlatformSimBinary.run(run + ["--write-access-log", log])
        #expect(wrote.status == 0, "\(wrote.stderr)")
        let calibrate = ["calibrate", Self.model, "--access-log", log, "--registered-users", "500"]
        let folder = try PlatformSimBinary.run(calibrate + ["--out", dir + "/folder"])
        HostileInputTests.expectCleanFailure(folder, "calibrate --out FOLDER")
        #expect(folder.stderr.contains("is a folder"), "\(folder.stderr)")
        // The notebook's experiment is estimated before anything is read or written.
        let notebook = try PlatformSimBinary.run(calibrate + ["--out", dir + "/o.yaml", "--notebook", dir + "/nb.md",
                                                              "--experiment", SweepCommandTests.root + "/Experiments/roadmap.yaml",
                                                              "--max-events", "1000"])
        HostileInputTests.expectCleanFailure(notebook, "calibrate --notebook over --max-events")
        #expect(notebook.stderr.contains("the notebook's 180 runs would simulate about"), "\(notebook.stderr)")
        #expect(Self.contents(dir) == ["access.log", "folder"])
    }

    @Test func validationReportChecksItsNotebookFirst() throws {
        let dir = try SweepCommandTests.folder()
        try FileManager.default.createDirectory(atPath: dir + "/v.md", withIntermediateDirectories: false)
        let folder = try PlatformSimBinary.run(["validation-report", dir + "/missing-run", "--out", dir + "/v.md"])
        HostileInputTests.expectCleanFailure(folder, "validation-report --out FOLDER")
        #expect(folder.stderr.contains("is a folder"), "\(folder.stderr)")
        let missing = try PlatformSimBinary.run(["validation-report", dir + "/missing-run", "--out", dir + "/report.md"])
        HostileInputTests.expectCleanFailure(missing, "validation-report of a missing run")
        #expect(missing.stderr.hasPrefix(dir + "/missing-run/trace.csv: error: "), "\(missing.stderr)")
        #expect(Self.contents(dir) == ["v.md"])
    }

    /// capacity and compare (from the new-user work) estimate their simulations like run, read
    /// user counts as tables print them, and compare refuses a database's hostile names.
    @Test func capacityAndCompareEstimateTheirWork() throws {
        let capacity = try PlatformSimBinary.run(["capacity", Self.model, "--phase", "current", "--slo", "p99<=500ms,errors<=0.1%",
                                                  "--low", "10k", "--high", "1M", "--max-events", "1000"])
        HostileInputTests.expectCleanFailure(capacity, "capacity over --max-events")
        #expect(capacity.stderr.contains("the search's up to 48 runs (at most 1M users each) would simulate about"), "\(capacity.stderr)")
        let compare = try PlatformSimBinary.run(["compare", Self.model, "--phase", "current", "--phase", "phase1", "--users", "300k",
                                                 "--max-events", "1000"])
        HostileInputTests.expectCleanFailure(compare, "compare over --max-events")
        #expect(compare.stderr.contains("these 6 runs would simulate about"), "\(compare.stderr)")

        let dir = try SweepCommandTests.folder()
        let file = try SweepCommandTests.experiment(in: dir, users: "[300]", configurations: "[current]")
        let db = dir + "/results.sqlite"
        #expect(try PlatformSimBinary.run(["sweep", file, "--db", db]).status == 0)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: db, configuration: configuration)
        try queue.write { db in try db.execute(sql: "UPDATE runs SET configuration = ?", arguments: ["=1+1"]) }
        try queue.close()
        let hostile = try PlatformSimBinary.run(["compare", "--db", db, "--db", db, "--format", "csv"])
        HostileInputTests.expectCleanFailure(hostile, "compare of a tampered database")
        #expect(hostile.stderr.contains("not written by a sweep") && hostile.stdout.isEmpty, "\(hostile.stderr)")
    }

    /// serve: a bad limits file is a located error; a folder as the database, a port out of
    /// range or an unknown model stop it with one line, creating nothing.
    @Test func serveRefusesBadInputBeforeListening() throws {
        let dir = try SweepCommandTests.folder()
        try "maxUsers: 0\nmaxEventz: 5\n".write(toFile: dir + "/limits.yaml", atomically: true, encoding: .utf8)
        let limits = try PlatformSimBinary.run(["serve", "--model", Self.model, "--db", dir + "/r.sqlite", "--limits", dir + "/limits.yaml", "--port", "0"])
        HostileInputTests.expectCleanFailure(limits, "serve --limits with bad values")
        #expect(limits.stderr.hasPrefix(dir + "/limits.yaml:1:"), "\(limits.stderr)")
        try FileManager.default.createDirectory(atPath: dir + "/db", withIntermediateDirectories: false)
        let db = try PlatformSimBinary.run(["serve", "--model", Self.model, "--db", dir + "/db", "--port", "0"])
        HostileInputTests.expectCleanFailure(db, "serve --db FOLDER")
        HostileInputTests.expectCleanFailure(try PlatformSimBinary.run(["serve", "--port", "70000"]), "serve --port 70000")
        let model = try PlatformSimBinary.run(["serve", "--model", dir + "/nope.yaml", "--db", dir + "/r.sqlite", "--port", "0"])
        HostileInputTests.expectCleanFailure(model, "serve --model missing")
        #expect(model.stderr.hasPrefix(dir + "/nope.yaml: error: "), "\(model.stderr)")
        #expect(Self.contents(dir) == ["db", "limits.yaml"])
    }
}

import Foundation
import GRDB
import ResultsStore
import Testing

/// Nothing lost: no command replaces or deletes what it was not asked to write, a failed write
/// is an error, and a results database is never created, migrated or overwritten by surprise.
@Suite struct OutputSafetyTests {
    static let root = SweepCommandTests.root

    /// A folder holding a file that must survive.
    static func precious() throws -> (folder: String, file: String) {
        let dir = try SweepCommandTests.folder()
        let keep = dir + "/precious"
        try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
        try "do not delete".write(toFile: keep + "/notes.txt", atomically: true, encoding: .utf8)
        return (keep, keep + "/notes.txt")
    }

    static func survived(_ file: String) -> Bool {
        (try? String(contentsOfFile: file, encoding: .utf8)) == "do not delete"
    }

    @Test(arguments: [
        ["size", "--users", "1000", "--slo", "p99<=500ms,errors<=1%", "--write-overlay"],
        ["size", "--users", "1000", "--slo", "p99<=500ms,errors<=1%", "--notebook"],
        ["sensitivity", "--users", "1000", "--notebook"],
    ])
    func anExistingFolderIsNeverReplacedByAnOutputFile(_ command: [String]) throws {
        let (folder, file) = try Self.precious()
        for target in [folder, folder + "/"] {
            let out = try PlatformSimBinary.run([command[0], Self.root + "/Models/platform.yaml"] + command.dropFirst() + [target])
            #expect(out.status != 0, "\(command) \(target) exited 0")
            #expect(out.stderrLines.count == 1 && out.stderr.hasPrefix("error: "), "\(out.stderr)")
            #expect(out.stderr.contains("folder"), "\(out.stderr)")
            #expect(Self.survived(file))
        }
    }

    @Test func sensitivityNotebookNeedsAnMdNameSoItsChartFolderIsAnotherPath() throws {
        let (folder, file) = try Self.precious()
        let out = try PlatformSimBinary.run(["sensitivity", Self.root + "/Models/platform.yaml", "--users", "1000",
                                             "--notebook", folder + "/sensitivity"])
        #expect(out.status != 0)
        #expect(out.stderr.contains(".md"), "\(out.stderr)")
        #expect(Self.survived(file))
    }

    /// Each command whose output goes to standard output fails when that output cannot be written.
    @Test func aFailedWriteToStandardOutputIsAnError() throws {
        guard FileManager.default.isWritableFile(atPath: "/dev/full") else { return }
        let dir = try SweepCommandTests.folder()
        let experiment = try SweepCommandTests.experiment(in: dir, users: "[300]", configurations: "[current]")
        let db = dir + "/results.sqlite"
        let commands: [[String]] = [
            ["sweep", experiment, "--db", db],
            ["report", "--db", db, "--format", "csv"],
            ["run", Self.root + "/Models/platform.yaml", "--users", "300", "--duration", "20", "--warm-up", "5", "--format", "json"],
            ["validate", Self.root + "/Models/platform.yaml"],
            ["queue", "--arrival-rate", "5", "--service", "exp:0.1", "--servers", "1", "--customers", "2000"],
        ]
        for c in commands {
            let out = try PlatformSimBinary.run(c, standardOutputTo: "/dev/full")
            #expect(out.status != 0, "\(c[0]) exited 0 with its output lost")
            #expect(out.stderr.contains("error: cannot write to standard output: No space left on device"), "\(c[0]): \(out.stderr)")
        }
    }

    @Test(arguments: ["", ":memory:", "file::memory:"])
    func aSweepThatWouldKeepNothingIsRefused(_ path: String) throws {
        let dir = try SweepCommandTests.folder()
        let experiment = try SweepCommandTests.experiment(in: dir, users: "[300]", configurations: "[current]")
        let out = try PlatformSimBinary.run(["sweep", experiment, "--db", path])
        #expect(out.status != 0)
        #expect(out.stderrLines.count == 1, "\(out.stderr)")
        #expect(out.stdout.isEmpty)
    }

    @Test func aSweepDoesNotReplaceAnExperimentOfTheSameNameFromAnotherFile() throws {
        let dir = try SweepCommandTests.folder()
        let db = dir + "/results.sqlite"
        let real = try SweepCommandTests.experiment(in: dir, users: "[300]", configurations: "[current]")
        #expect(try PlatformSimBinary.run(["sweep", real, "--db", db]).status == 0)
        let before = try ResultsDatabase(path: db, access: .read).runRecords(experiment: "tiny")
        // A copy under another name with another grid but the same experiment name.
        let copy = dir + "/copy.yaml"
        try (try String(contentsOfFile: real, encoding: .utf8)).replacingOccurrences(of: "users: [300]", with: "users: [400]")
            .write(toFile: copy, atomically: true, encoding: .utf8)
        let refused = try PlatformSimBinary.run(["sweep", copy, "--db", db])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(real) && refused.stderr.contains("--replace"), "\(refused.stderr)")
        let after = try ResultsDatabase(path: db, access: .read).runRecords(experiment: "tiny")
        #expect(after.map(\.runKey) == before.map(\.runKey))
        let replaced = try PlatformSimBinary.run(["sweep", copy, "--db", db, "--replace"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try ResultsDatabase(path: db, access: .read).runRecords(experiment: "tiny").map(\.users) == [400])
    }

    @Test func readingNeverCreatesOrMigratesADatabase() throws {
        let dir = try SweepCommandTests.folder()
        // An empty file stays empty.
        let empty = dir + "/empty.sqlite"
        FileManager.default.createFile(atPath: empty, contents: Data())
        let a = try PlatformSimBinary.run(["report", "--db", empty])
        #expect(a.status != 0 && a.stderr.contains("empty"), "\(a.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: empty)[.size] as? Int) == 0)
        // Another program's database is neither read nor changed.
        let other = dir + "/other.sqlite"
        let queue = try DatabaseQueue(path: other)
        try queue.write { try $0.execute(sql: "CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)") }
        try queue.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: other))
        for command in [["report", "--db", other], ["sweep", try SweepCommandTests.experiment(in: dir, users: "[300]", configurations: "[current]"), "--db", other]] {
            let out = try PlatformSimBinary.run(command)
            #expect(out.status != 0 && out.stderr.contains("not a PlatformSim results database"), "\(out.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == bytes)
        }
        // No file: no file made.
        let missing = dir + "/missing.sqlite"
        #expect(try PlatformSimBinary.run(["report", "--db", missing]).status != 0)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func aDatabaseFromANewerVersionIsRefusedWithItsVersionNamed() throws {
        let dir = try SweepCommandTests.folder()
        let db = dir + "/results.sqlite"
        let experiment = try SweepCommandTests.experiment(in: dir, users: "[300]", configurations: "[current]")
        #expect(try PlatformSimBinary.run(["sweep", experiment, "--db", db]).status == 0)
        let queue = try DatabaseQueue(path: db)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
        try queue.close()
        for command in [["report", "--db", db], ["sweep", experiment, "--db", db]] {
            let out = try PlatformSimBinary.run(command)
            #expect(out.status != 0)
            #expect(out.stderr.contains("newer") && out.stderr.contains("v99"), "\(out.stderr)")
        }
    }

    @Test func reportOutWritesTheWholeSetOrNothing() throws {
        let dir = try SweepCommandTests.folder()
        let db = dir + "/results.sqlite"
        let experiment = try SweepCommandTests.experiment(in: dir, users: "[300]", configurations: "[current]")
        #expect(try PlatformSimBinary.run(["sweep", experiment, "--db", db]).status == 0)
        // One of the files it would write is in the way (a folder of that name): nothing is written.
        let out = dir + "/report"
        try FileManager.default.createDirectory(atPath: out + "/tiny-latency.svg", withIntermediateDirectories: true)
        try "mine".write(toFile: out + "/mine.txt", atomically: true, encoding: .utf8)
        let refused = try PlatformSimBinary.run(["report", "--db", db, "--out", out])
        #expect(refused.status != 0 && refused.stderrLines.count == 1, "\(refused.stderr)")
        #expect(!refused.stderr.contains("NSCocoaErrorDomain"))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: out)) == ["tiny-latency.svg", "mine.txt"])
        // Out of the way: every file, and the other file still there.
        try FileManager.default.removeItem(atPath: out + "/tiny-latency.svg")
        let written = try PlatformSimBinary.run(["report", "--db", db, "--out", out])
        #expect(written.status == 0, "\(written.stderr)")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: out))
        #expect(names.contains("tiny.md") && names.contains("tiny-latency.svg") && names.contains("mine.txt"))
        #expect(!names.contains { $0.hasPrefix(".") }, "temporary files left: \(names)")
        // Into a file: refused.
        let file = try PlatformSimBinary.run(["report", "--db", db, "--out", out + "/mine.txt"])
        #expect(file.status != 0 && file.stderr.contains("is a file"), "\(file.stderr)")
    }
}

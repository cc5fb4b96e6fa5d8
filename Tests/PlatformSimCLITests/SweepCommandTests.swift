import Foundation
import ResultsStore
import Testing
import PlatformModel

/// `platform-sim sweep` and `report` end to end, on a tiny experiment (a few hundred users,
/// a 25-second window) so that the debug binary runs it in about a second.
@Suite struct SweepCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func experiment(in folder: String, users: String = "[300, 600]", configurations: String = "[current, phase2]",
                           seeds: String = "[1]") throws -> String {
        let path = folder + "/tiny.yaml"
        try """
        name: tiny
        question: Does the sweep command work?
        model: \(root)/Models/platform.yaml
        configurations: \(configurations)
        users: \(users)
        seeds: \(seeds)
        window: {warmUpS: 5, durationS: 20}
        slo: {p99Ms: 1000, errorRate: 0.01}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func rows(_ db: String) throws -> [StoredRun] {
        try ResultsDatabase(path: db).storedRuns(experiment: "tiny").map { r in
            var r = r
            r.run.wallS = 0
            return r
        }
    }

    @Test func oneOrTwoJobsWriteTheSameRowsAndPrintTheTables() throws {
        let dir = try Self.folder()
        let file = try Self.experiment(in: dir)
        let one = try PlatformSimBinary.run(["sweep", file, "--db", dir + "/one.sqlite", "--jobs", "1"])
        #expect(one.status == 0, "\(one.stderr)")
        let two = try PlatformSimBinary.run(["sweep", file, "--db", dir + "/two.sqlite", "--jobs", "2", "--format", "md"])
        #expect(two.status == 0, "\(two.stderr)")
        let rows = try Self.rows(dir + "/one.sqlite")
        #expect(rows.count == 4)
        #expect(rows == (try Self.rows(dir + "/two.sqlite")))
        for title in ["Bottlenecks", "Largest user count within the SLO", "Monthly cost (USD)", "Configurations side by side"] {
            #expect(one.stdout.contains("\n" + title))
            #expect(two.stdout.contains("## " + title))
        }
        // Not a terminal: one plain progress line per run, no carriage returns.
        #expect(one.stderr.contains("sweep tiny: 4 of 4 runs on 1 job into"))
        #expect(one.stderrLines.filter { $0.hasPrefix("sweep: ") }.count == 4)
        #expect(!one.stderr.contains("\r"))
    }

    @Test func resumeRunsOnlyTheMissingRuns() throws {
        let dir = try Self.folder()
        let db = dir + "/r.sqlite"
        let first = try PlatformSimBinary.run(["sweep", try Self.experiment(in: dir, users: "[300]"), "--db", db])
        #expect(first.status == 0, "\(first.stderr)")
        let before = try ResultsDatabase(path: db).runRecords(experiment: "tiny")
        #expect(before.count == 2)

        let more = try Self.experiment(in: dir, users: "[300, 600]")
        let resumed = try PlatformSimBinary.run(["sweep", more, "--db", db, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("2 of 4 runs"), "\(resumed.stderr)")
        #expect(resumed.stderrLines.filter { $0.hasPrefix("sweep: ") }.allSatisfy { $0.contains("600 users") })
        let after = try ResultsDatabase(path: db).runRecords(experiment: "tiny")
        #expect(after.count == 4)
        // The runs made before were kept, not made again (their wall time is unchanged).
        #expect(after.filter { $0.users == 300 } == before)

        let nothing = try PlatformSimBinary.run(["sweep", more, "--db", db, "--resume"])
        #expect(nothing.stderr.contains("0 of 4 runs"))
        // Without --resume the experiment is replaced.
        let again = try PlatformSimBinary.run(["sweep", more, "--db", db])
        #expect(again.stderr.contains("4 of 4 runs") && again.stderr.contains("replaced 4 earlier runs"), "\(again.stderr)")
    }

    /// Bad input: one error line, a failure status, and no database written.
    @Test func badInputWritesNothing() throws {
        let dir = try Self.folder()
        let db = dir + "/never.sqlite"
        let unknown = try Self.experiment(in: dir, configurations: "[current, phase9]")
        let cases: [([String], String)] = [
            (["sweep", dir + "/missing.yaml", "--db", db], "\(dir)/missing.yaml: error: no such file"),
            (["sweep", unknown, "--db", db], "\(unknown):4:27: error: configurations[1] is an unknown configuration 'phase9'"),
            (["sweep", unknown, "--db", db, "--jobs", "0"], "error: --jobs must be between 1 and 256, got 0"),
            (["sweep", unknown, "--db", db, "--bogus"], "error: unknown option '--bogus'"),
            (["sweep", unknown, "--db", db, "--format", "pdf"], "error: "),
        ]
        for (arguments, expected) in cases {
            let out = try PlatformSimBinary.run(arguments)
            #expect(out.status != 0)
            #expect(out.stderrLines.count == 1, "\(arguments): \(out.stderr)")
            #expect(out.stderr.hasPrefix(expected), "\(arguments): \(out.stderr)")
            #expect(out.stdout.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: db), "\(arguments) created the database")
        }
        let malformed = dir + "/malformed.yaml"
        try "name: tiny\nusers: [300\n".write(toFile: malformed, atomically: true, encoding: .utf8)
        let out = try PlatformSimBinary.run(["sweep", malformed, "--db", db])
        #expect(out.status != 0 && out.stderrLines.count == 1)
        #expect(out.stderr.hasPrefix(malformed + ":"), "\(out.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test func reportWritesTheTablesFromTheDatabase() throws {
        let dir = try Self.folder()
        let db = dir + "/r.sqlite"
        let sweep = try PlatformSimBinary.run(["sweep", try Self.experiment(in: dir), "--db", db, "--format", "md"])
        #expect(sweep.status == 0, "\(sweep.stderr)")

        let md = try PlatformSimBinary.run(["report", "--db", db])
        #expect(md.status == 0)
        #expect(md.stdout == sweep.stdout)  // the same tables, from the records alone
        #expect(md.stdout.contains("Does the sweep command work?"))

        let json = try PlatformSimBinary.run(["report", "--db", db, "--experiment", "tiny", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["cells"] as? [Any])?.count == 4)
        #expect(object["experiment"] as? String == "tiny")

        let out = dir + "/report"
        let csv = try PlatformSimBinary.run(["report", "--db", db, "--format", "csv", "--out", out])
        #expect(csv.status == 0, "\(csv.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files.filter { $0.hasSuffix(".csv") } == ["tiny-bottlenecks.csv", "tiny-cost.csv", "tiny-phases.csv", "tiny-slo.csv"])
        // The charts against users come with --out, the same bytes every time.
        for chart in ["tiny-latency.svg", "tiny-errors.svg", "tiny-cost.svg", "tiny-cost-per-1k-users.svg", "tiny-utilization-phase2.svg"] {
            #expect(files.contains(chart), "\(files)")
        }
        let again = try PlatformSimBinary.run(["report", "--db", db, "--format", "md", "--out", dir + "/again"])
        #expect(again.status == 0, "\(again.stderr)")
        for chart in files where chart.hasSuffix(".svg") {
            #expect(FileManager.default.contents(atPath: out + "/" + chart) == FileManager.default.contents(atPath: dir + "/again/" + chart), "\(chart)")
        }
        let latency = try String(contentsOfFile: out + "/tiny-latency.svg", encoding: .utf8)
        #expect(latency.contains("SLO p99 1,000 ms") && latency.contains("tiny: p99 latency against users"))
        let cost = try String(contentsOfFile: out + "/tiny-cost.csv", encoding: .utf8)
        // Raw numbers, the unit in each column's name; one seed, so the half-widths are empty.
        #expect(cost.hasPrefix("configuration,variant,users,api_compute_usd,postgres_primary_usd,replicas_usd,shards_usd,pgbouncer_usd,redis_usd,"
            + "workers_usd,mailgun_usd,dedicated_ips_usd,llm_tokens_usd,sentry_usd,cdn_usd,egress_usd,platform_plan_usd,monthly_usd,"
            + "monthly_usd_ci95,monthly_usd_per_1k_users\n"))
        #expect(cost.split(separator: "\n").count == 5)

        let missing = try PlatformSimBinary.run(["report", "--db", db, "--experiment", "nope"])
        #expect(missing.status != 0 && missing.stderr == "error: the database has no experiment 'nope' (it has: tiny)\n")
        let noDB = try PlatformSimBinary.run(["report", "--db", dir + "/none.sqlite"])
        #expect(noDB.status != 0 && noDB.stderr == "error: no such results database '\(dir)/none.sqlite'\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/none.sqlite"))
    }
}

/// A sweep killed part way (SIGKILL, no chance to clean up) leaves whole runs only, and
/// `--resume` makes the rest.
@Suite struct SweepInterruptionTests {
    @Test func aKilledSweepLeavesWholeRunsAndResumeFinishesIt() throws {
        let dir = try SweepCommandTests.folder()
        let db = dir + "/killed.sqlite"
        // 16 runs of 0.1 to 0.3 s (in a debug build), so that the sweep is still running when killed.
        let file = try SweepCommandTests.experiment(in: dir, users: "[60000, 120000]", seeds: "[1, 2, 3, 4]")
        let process = Process()
        process.executableURL = try PlatformSimBinary.locate()
        process.arguments = ["sweep", file, "--db", db, "--jobs", "2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for the first saved run, then kill.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            if let n = try? ResultsDatabase(path: db).runRecords(experiment: "tiny").count, n >= 1 { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let wasRunning = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let runs = try ResultsDatabase(path: db).storedRuns(experiment: "tiny")
        #expect(!runs.isEmpty)
        #expect(wasRunning, "the sweep finished before it could be killed: make the experiment bigger")
        #expect(runs.count < 16)
        for r in runs {
            #expect(r.errors.count == ErrorCounts().byKind.count, "\(r.key) has \(r.errors.count) error rows")
            #expect(!r.components.isEmpty && !r.endpoints.isEmpty && !r.costItems.isEmpty, "\(r.key) is partial")
            #expect(r.timeSeries.count == 2, "\(r.key) has \(r.timeSeries.count) time-series rows")
        }
        let resumed = try PlatformSimBinary.run(["sweep", file, "--db", db, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("\(16 - runs.count) of 16 runs"), "\(resumed.stderr)")
        #expect(try ResultsDatabase(path: db).runRecords(experiment: "tiny").count == 16)
    }
}

import Foundation
import Testing

/// `platform-sim compare`: two run files, two configurations on the same seeds, two databases.
@Suite struct CompareCommandTests {
    // MARK: compare

    @Test func compareTwoRunFiles() throws {
        let folder = try SweepCommandTests.folder()
        func runJSON(_ phase: String, _ file: String) throws -> String {
            let out = try PlatformSimBinary.run(["run", NewUser.model, "--phase", phase, "--users", "400", "--replications", "3", "--format", "json"] + NewUser.window)
            #expect(out.status == 0, "\(out.stderr)")
            let path = folder + "/" + file
            try out.stdout.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let a = try runJSON("current", "a.json"), b = try runJSON("phase2", "b.json")
        let out = try PlatformSimBinary.run(["compare", a, b])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("B - A") && out.stdout.contains("common random numbers"))
        #expect(out.stdout.contains("p99 latency (ms)") && out.stdout.contains("Bottleneck B:"))
        #expect(NewUser.lines(out.stdout).allSatisfy { $0.count <= 120 })
        // A run compared with itself differs by nothing.
        let same = try PlatformSimBinary.json(["compare", a, a])
        let figures = try #require(same.object["figures"] as? [[String: Any]])
        #expect(same.object["paired"] as? Bool == true)
        #expect(!figures.isEmpty && figures.allSatisfy { (($0["difference"] as? [String: Any])?["mean"] as? Double) == 0 })
        // A file that is not a run's JSON: one located error line, nothing on standard output.
        let bad = folder + "/bad.json"
        try "{\"runs\": 3}".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try PlatformSimBinary.run(["compare", a, bad])
        #expect(refused.status != 0 && refused.stdout.isEmpty)
        #expect(refused.stderrLines.count == 1 && refused.stderr.hasPrefix(bad + ": error: "), "\(refused.stderr)")
    }

    /// Two configurations simulated on the same seeds: each side is the same runs `run
    /// --replications` makes, and B - A is the mean of their paired differences.
    @Test func compareTwoConfigurationsPairsTheirRuns() throws {
        let compare = try PlatformSimBinary.json(["compare", NewUser.model, "--phase", "current", "--phase", "phase2", "--users", "400",
                                                  "--replications", "3"] + NewUser.window)
        #expect(compare.object["paired"] as? Bool == true)
        let figures = try #require(compare.object["figures"] as? [[String: Any]])
        let p99 = try #require(figures.first { $0["key"] as? String == "p99_ms" })
        func side(_ phase: String) throws -> [Double] {
            let run = try PlatformSimBinary.json(["run", NewUser.model, "--phase", phase, "--users", "400", "--replications", "3"] + NewUser.window)
            let reps = try #require(run.object["replications"] as? [[String: Any]])
            return reps.map { (($0["latencyMs"] as? [String: Any])?["p99"] as? Double) ?? .nan }
        }
        let a = try side("current"), b = try side("phase2")
        let mean = zip(b, a).map { $0 - $1 }.reduce(0, +) / 3
        let difference = try #require(p99["difference"] as? [String: Any])
        #expect(abs((difference["mean"] as? Double ?? .nan) - mean) <= 1e-9 * Swift.max(1, abs(mean)))
        let meanA = try #require((p99["a"] as? [String: Any])?["mean"] as? Double)
        #expect(abs(meanA - a.reduce(0, +) / 3) <= 1e-9 * meanA)
        let table = try PlatformSimBinary.run(["compare", NewUser.model, "--phase", "current", "--users", "400", "--replications", "2",
                                               "--what-if", "database.pool.connectionLimit=40"] + NewUser.window)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("B: current at 400 users with database.pool.connectionLimit=40"))
        let missing = try PlatformSimBinary.run(["compare", NewUser.model, "--phase", "current", "--users", "400"])
        #expect(missing.status != 0 && missing.stderrLines.count == 1 && missing.stderr.contains("--what-if"))
    }

    @Test func compareTwoDatabasesCellByCell() throws {
        let folder = try SweepCommandTests.folder()
        let (a, _) = try NewUser.sweep(folder, name: "tiny")
        let (b, _) = try NewUser.sweep(folder, name: "pool", set: "database.pool.connectionLimit=40")
        let out = try PlatformSimBinary.run(["compare", "--db", a, "--db", b])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("A: experiment tiny in \(a)") && out.stdout.contains("p99 B - A"))
        #expect(NewUser.lines(out.stdout).allSatisfy { $0.count <= 120 })
        let csv = try PlatformSimBinary.run(["compare", "--db", a, "--db", b, "--format", "csv"])
        let rows = NewUser.lines(csv.stdout).filter { !$0.isEmpty }
        // Every cell of the grid (2 configurations x 2 user counts), raw numbers.
        #expect(rows.count == 1 + 4)
        #expect(rows[0].hasPrefix("configuration,variant,users,runs_a,runs_b,p99_ms_a,p99_ms_a_ci95"))
        #expect(!csv.stdout.contains("$") && !csv.stdout.contains("%"))
        let none = try PlatformSimBinary.run(["compare", "--db", a, "--experiment", "tiny", "--experiment", "nothing"])
        #expect(none.status != 0 && none.stderrLines.count == 1 && none.stderr.contains("no experiment 'nothing'"))
    }
}

import ExperimentRunner
import Foundation
import ModelSchema
import Notebooks
import PlatformModel
import Reports
import ResultsStore
import Testing

/// The notebook's numbers against the results database: the tiny experiment of
/// ``NotebookTests`` run into a SQLite file, its notebook rendered, its markdown tables parsed,
/// and every figure checked against the value read with SQL (the `sqlite3` shell, not the
/// program's own reader) to the precision it is printed with.
@Suite struct NotebookNumbersTests {
    struct Made {
        var markdown: String
        var database: String
    }

    /// The tiny experiment into a database file, and its notebook.
    static func make() throws -> Made {
        let folder = try NotebookTests.folder()
        let experimentPath = try NotebookTests.tinyExperiment(in: folder)
        let experiment = try ExperimentFile.load(experimentPath)
        let plan = try SweepPlan.prepare(experiment, programVersion: "test")
        let path = folder + "/results.sqlite"
        let db = try ResultsDatabase(path: path)
        _ = try db.begin(plan.record, replacing: true)
        try SweepRunner.run(plan.cells, into: db, jobs: 2)
        let results = try #require(try db.results(experiment: experiment.name))
        var models: [ExperimentMetrics.CellKey: PlatformModel] = [:]
        for c in plan.cells { models[.init(c.key.configuration, c.key.variant, c.key.users)] = c.model }
        let input = try NotebookInput.make(experiment: experiment, experimentPath: experimentPath, results: results, models: models,
                                           markdownPath: "/tmp/unused/tiny.md", outOption: nil)
        return Made(markdown: Notebook(input).render().markdown, database: path)
    }

    /// Rows of `sqlite3 -separator '|'` for a query.
    static func sql(_ database: String, _ query: String) throws -> [[String]] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sqlite3", "-readonly", "-separator", "\t", database, query]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "sqlite3 failed on \(query)")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.components(separatedBy: "\t") }
    }

    static var haveSQLite: Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sqlite3", "-version"]
        p.standardOutput = Pipe()
        p.standardError = Pipe()
        do { try p.run(); p.waitUntilExit(); return p.terminationStatus == 0 } catch { return false }
    }

    /// The markdown table that follows the line with `header`'s cells: header cells and rows.
    static func table(in md: Substring, header: [String]) throws -> (header: [String], rows: [[String]]) {
        let lines = md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func cells(_ line: String) -> [String] {
            line.trimmingCharacters(in: .whitespaces).dropFirst().dropLast().components(separatedBy: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let start = try #require(lines.firstIndex { $0.hasPrefix("|") && header.allSatisfy(cells($0).contains) },
                                 "no table with columns \(header)")
        var rows: [[String]] = []
        for line in lines[(start + 2)...] {
            guard line.hasPrefix("|") else { break }
            rows.append(cells(line))
        }
        return (cells(lines[start]), rows)
    }

    /// A printed number and how far from the stored value it may be: half a unit of its last
    /// printed digit (`1,234` +-0.5, `12.3` +-0.05, `0.0041` +-0.00005).
    static func printed(_ text: String) -> (value: Double, tolerance: Double)? {
        let s = text.replacingOccurrences(of: ",", with: "")
        guard let v = Double(s) else { return nil }
        let decimals = s.firstIndex(of: ".").map { s.distance(from: $0, to: s.endIndex) - 1 } ?? 0
        return (v, 0.5 * pow(10, -Double(decimals)) + 1e-12 * abs(v))
    }

    static func users(_ text: String) -> Int? {
        if text.hasSuffix("k") { return Int(text.dropLast()).map { $0 * 1000 } }
        if text.hasSuffix("M") { return Double(text.dropLast()).map { Int(($0 * 1e6).rounded()) } }
        return Int(text.replacingOccurrences(of: ",", with: ""))
    }

    /// A table's configuration column: `configuration / variant` when the experiment has variants.
    static func line(_ text: String) -> (configuration: String, variant: String) {
        let parts = text.components(separatedBy: " / ")
        return (parts[0], parts.count > 1 ? parts[1] : "default")
    }

    static func expectPrinted(_ text: String, equals stored: Double, _ what: String) {
        guard let p = printed(text) else { Issue.record("\(what): '\(text)' is not a number"); return }
        #expect(abs(p.value - stored) <= p.tolerance, "\(what): printed \(text), database \(stored)")
    }

    /// Little's law section: every row's L, lambda and W are the stored mean in system,
    /// throughput and mean response of that run's station, and its lambda x W and difference
    /// are computed from them here.
    @Test(.enabled(if: NotebookNumbersTests.haveSQLite, "needs the sqlite3 shell")) func littlesLawTableMatchesTheDatabase() throws {
        let made = try Self.make()
        let md = made.markdown
        let section = try #require(md.range(of: Notebook.Heading.littlesLaw))
        let end = md.range(of: Notebook.Heading.model)?.lowerBound ?? md.endIndex
        let t = try Self.table(in: md[section.upperBound..<end], header: ["station", "L (mean inside)", "λ × W"])
        let col = { (name: String) in t.header.firstIndex(of: name)! }
        #expect(t.rows.count >= 4)
        for row in t.rows {
            let (configuration, variant) = Self.line(row[col("configuration")])
            let users = try #require(Self.users(row[col("users")]))
            let station = row[col("station")].replacingOccurrences(of: " (derived)", with: "")
            let found = try Self.sql(made.database, """
                SELECT mean_in_system, throughput_per_s, mean_response_ms FROM component_metrics
                WHERE experiment = 'tiny' AND configuration = '\(configuration)' AND variant = '\(variant)'
                  AND users = \(users) AND component = '\(station)'
                """)
            try #require(found.count == 1, "\(row): \(found.count) rows in the database")
            let l = try #require(Double(found[0][0])), lambda = try #require(Double(found[0][1])), w = try #require(Double(found[0][2]))
            let what = "\(configuration) / \(variant) / \(users) / \(station)"
            Self.expectPrinted(row[col("L (mean inside)")], equals: l, what + " L")
            Self.expectPrinted(row[col("λ (per s)")], equals: lambda, what + " λ")
            Self.expectPrinted(row[col("W (ms)")], equals: w, what + " W")
            let lambdaW = lambda * w / 1000
            Self.expectPrinted(row[col("λ × W")], equals: lambdaW, what + " λ × W")
            let difference = try #require(Double(row[col("difference")].replacingOccurrences(of: "%", with: "")))
            let expected = max(l, lambdaW) > 0 ? abs(l - lambdaW) / max(l, lambdaW) * 100 : 0
            #expect(abs(difference - expected) <= 0.005 + 1e-9, "\(what) difference: printed \(difference)%, computed \(expected)%")
        }
    }

    /// The bottleneck table: each row's latency percentiles and bottleneck are the run's, read
    /// from `runs`.
    @Test(.enabled(if: NotebookNumbersTests.haveSQLite, "needs the sqlite3 shell")) func bottleneckTableMatchesTheDatabase() throws {
        let made = try Self.make()
        let md = made.markdown
        let section = try #require(md.range(of: Notebook.Heading.tables))
        let end = md.range(of: Notebook.Heading.littlesLaw)?.lowerBound ?? md.endIndex
        let t = try Self.table(in: md[section.upperBound..<end], header: ["bottleneck", "p50 ms", "p95 ms", "p99 ms"])
        let col = { (name: String) in t.header.firstIndex(of: name)! }
        #expect(t.rows.count == 8, "2 configurations x 2 variants x 2 user counts")
        for row in t.rows {
            let configuration = row[col("configuration")]
            let variant = t.header.contains("variant") ? row[col("variant")] : "default"
            let users = try #require(Self.users(row[col("users")]))
            let found = try Self.sql(made.database, """
                SELECT p50_ms, p95_ms, p99_ms, bottleneck_component FROM runs
                WHERE experiment = 'tiny' AND configuration = '\(configuration)' AND variant = '\(variant)' AND users = \(users)
                """)
            try #require(found.count == 1, "\(row): \(found.count) runs in the database")
            let what = "\(configuration) / \(variant) / \(users)"
            for (i, name) in ["p50 ms", "p95 ms", "p99 ms"].enumerated() {
                Self.expectPrinted(row[col(name)], equals: try #require(Double(found[0][i])), what + " " + name)
            }
            #expect(row[col("bottleneck")].hasPrefix(found[0][3]), "\(what): bottleneck \(row[col("bottleneck")]) vs \(found[0][3])")
        }
    }

    /// Findings name causes the database shows: each cause finding ("Why false 429s", "Why
    /// P2024", ...) has errors of its kind stored for some run, and the p99 finding a run whose
    /// stored p99 misses the SLO's 500 ms; and a run that misses the p99 does get the p99
    /// finding. (That the text of a finding is the diagnosis's own explanation is not checked.)
    @Test(.enabled(if: NotebookNumbersTests.haveSQLite, "needs the sqlite3 shell")) func findingsNameCausesTheDatabaseShows() throws {
        let made = try Self.make()
        let md = made.markdown
        let start = try #require(md.range(of: Notebook.Heading.findings)).upperBound
        let end = try #require(md.range(of: Notebook.Heading.charts)).lowerBound
        let titles = md[start..<end].split(separator: "\n").filter { $0.hasPrefix("### ") }
            .map { String($0.drop { $0 != "." }.dropFirst()).trimmingCharacters(in: .whitespaces) }
        let kinds: [(prefix: String, kind: String)] = [
            ("Why false 429s", "rateLimitedFalse"), ("Why 429s", "rateLimited"), ("Why refused connections", "connectionRefused"),
            ("Why P2024", "poolTimeout"), ("Why PgBouncer wait timeouts", "pgbouncerWaitTimeout"), ("Why 503s", "overloaded"),
            ("Why provider errors", "upstream"), ("Why timeouts", "timeout"), ("Why Redis errors", "redisUnavailable"),
        ]
        var causeFindings = 0
        for title in titles {
            if title.hasPrefix("Why the p99 misses") {
                causeFindings += 1
                let n = try Self.sql(made.database, "SELECT COUNT(*) FROM runs WHERE experiment = 'tiny' AND p99_ms > 500")
                #expect(Int(n[0][0]) ?? 0 > 0, "'\(title)' but no run's p99 misses 500 ms")
                continue
            }
            // Other findings ("Why the cache variants differ", costs, sizes) name no failure cause.
            guard let kind = kinds.first(where: { title.hasPrefix($0.prefix) })?.kind else { continue }
            causeFindings += 1
            let n = try Self.sql(made.database, "SELECT COALESCE(SUM(count), 0) FROM errors WHERE experiment = 'tiny' AND kind = '\(kind)'")
            #expect(Int(n[0][0]) ?? 0 > 0, "'\(title)' but no \(kind) errors stored")
        }
        #expect(causeFindings > 0, "no finding names a cause: \(titles)")
        let slow = try Self.sql(made.database, "SELECT COUNT(*) FROM runs WHERE experiment = 'tiny' AND p99_ms > 500")
        if Int(slow[0][0]) ?? 0 > 0 {
            #expect(titles.contains { $0.hasPrefix("Why the p99 misses") }, "runs miss the p99 but no finding says why: \(titles)")
        }
    }
}


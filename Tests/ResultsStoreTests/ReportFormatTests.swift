import Foundation
import Testing
import ExperimentRunner
import ModelSchema
import PlatformModel
import Reports
@testable import ResultsStore

/// What `report` writes for a new user: CSV of raw numbers with units in the header, a plain
/// table format, tables within 120 columns.
@Suite struct ReportFormatTests {
    /// The roadmap's shape in miniature: its five configurations side by side, three seeds (so
    /// every figure has a half-width and the comparison its paired differences), tiny runs.
    static func roadmapShaped() throws -> ExperimentResults {
        let path = try Fixtures.file("shape.yaml", """
            name: shape
            question: The roadmap's tables at their widest.
            model: \(Fixtures.modelPath)
            configurations: [current, phase1, phase2, phase3, phase4]
            users: [300, 600]
            seeds: [1, 2, 3]
            window: {warmUpS: 5, durationS: 20}
            slo: {p99Ms: 500, errorRate: 0.001}
            """)
        let plan = try SweepPlan.prepare(try ExperimentFile.load(path), programVersion: "test")
        let db = try Fixtures.database(for: plan)
        try SweepRunner.run(plan.cells, into: db, jobs: 2)
        return try #require(try db.results(experiment: "shape"))
    }

    /// One CSV file's header and rows (quoted fields with doubled quotes).
    static func parse(_ csv: String) -> (header: [String], rows: [[String]]) {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var chars = Array(csv), i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" { if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false } } else { field.append(c) }
            } else if c == "\"" { quoted = true } else if c == "," { row.append(field); field = "" } else if c == "\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else { field.append(c) }
            i += 1
        }
        chars = []
        return (rows.first ?? [], Array(rows.dropFirst()))
    }

    @Test func csvCarriesRawNumbersWithUnitsInTheHeader() throws {
        let results = try Self.roadmapShaped()
        let documents = try ExperimentReport.documents(results, format: .csv)
        #expect(documents.map(\.file) == ["shape-bottlenecks.csv", "shape-slo.csv", "shape-cost.csv", "shape-phases.csv"])
        let textFields: Set<String> = ["configuration", "variant", "bottleneck", "why", "fails_on", "stopped_by", "slowest_endpoint", "compared_with"]
        for doc in documents {
            let (header, rows) = Self.parse(doc.text)
            #expect(!rows.isEmpty, "\(doc.file) has no rows")
            for name in header {
                #expect(name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(doc.file): header '\(name)'")
            }
            for row in rows {
                #expect(row.count == header.count, "\(doc.file): a row of \(row.count) fields under \(header.count)")
                for (name, cell) in zip(header, row) where !textFields.contains(name) {
                    // Empty for no value; else a plain number or a flag: no grouping, $, %, ± or `-`.
                    guard !cell.isEmpty else { continue }
                    let isNumber = Double(cell) != nil && cell.allSatisfy { $0.isNumber || $0 == "." || $0 == "-" }
                    #expect(isNumber || cell == "true" || cell == "false" || cell == "inf", "\(doc.file): \(name) = '\(cell)'")
                }
            }
        }
        // The numbers are the summary's own, digit for digit.
        let summary = ExperimentSummary(results)
        let (header, rows) = Self.parse(documents[0].text)
        let p99 = try #require(header.firstIndex(of: "p99_ms")), users = try #require(header.firstIndex(of: "users"))
        let configuration = try #require(header.firstIndex(of: "configuration"))
        for row in rows {
            let cell = try #require(summary.cell(row[configuration], "default", Int(row[users])!))
            #expect(Double(row[p99]) == cell.p99Ms)
        }
        for name in ["p99_ms", "p99_ms_ci95", "error_share", "error_share_ci95", "slo_error_share", "pool_timeout_share", "headroom_users"] {
            #expect(header.contains(name), "bottlenecks.csv lacks \(name)")
        }
        #expect(Self.parse(documents[2].text).header.contains("monthly_usd"))
        #expect(Self.parse(documents[2].text).header.contains("monthly_usd_per_1k_users"))
        let phases = Self.parse(documents[3].text).header
        for name in ["p99_ms_difference", "p99_ms_difference_ci95", "p99_ms_difference_significant", "meets_slo"] {
            #expect(phases.contains(name), "phases.csv lacks \(name)")
        }
    }

    @Test func tableFormatIsThePlainTablesWithinOneHundredTwentyColumns() throws {
        let results = try Self.roadmapShaped()
        let docs = try ExperimentReport.documents(results, format: .table)
        #expect(docs.map(\.file) == ["shape.txt"])
        let text = try #require(docs.first?.text)
        #expect(text == ExperimentTables(results).render(.plain))
        for title in ["Bottlenecks", "Largest user count within the SLO", "Monthly cost (USD)", "Configurations side by side"] {
            #expect(text.contains(title + "\n") || text.contains(title + " ("), "no \(title)")
        }
        let widest = text.split(separator: "\n").map(\.count).max() ?? 0
        #expect(widest <= TextTable.defaultWidth, "a line of \(widest) characters")
        // The widest tables as they were before wrapping: wider than a terminal.
        let tables = ExperimentTables(results)
        func unwrapped(_ t: TextTable) -> Int { t.plain(width: .max).split(separator: "\n").map(\.count).max() ?? 0 }
        #expect(unwrapped(tables.bottleneckTable()) > TextTable.defaultWidth)
        #expect(unwrapped(tables.costTable()) > TextTable.defaultWidth)
    }
}

import Foundation
import Testing

/// `report --format csv` (raw numbers, units in the header) and `--format table` (what sweep prints, within 120 columns).
@Suite struct ReportFormatCommandTests {
    // MARK: report

    @Test func reportFormatsForProgramsAndForPeople() throws {
        let folder = try SweepCommandTests.folder()
        let (db, printed) = try NewUser.sweep(folder)
        let csv = try PlatformSimBinary.run(["report", "--db", db, "--format", "csv"])
        #expect(csv.status == 0)
        // No display text in a number's column: grouping, dollars, percentages, ± or a `-` for
        // a missing value (text columns, such as the bottleneck's why, are sentences).
        let text: Set<String> = ["configuration", "variant", "bottleneck", "why", "fails_on", "stopped_by", "slowest_endpoint", "compared_with"]
        for file in csv.stdout.components(separatedBy: "# ").filter({ !$0.isEmpty }) {
            let lines = file.split(separator: "\n").dropFirst().map(String.init)  // the `# FILE` line
            let header = lines[0].split(separator: ",").map(String.init)
            for line in lines.dropFirst() {
                let fields = Self.fields(line)
                #expect(fields.count == header.count, "\(line)")
                for (name, cell) in zip(header, fields) where !text.contains(name) && !cell.isEmpty {
                    #expect(Double(cell) != nil || cell == "true" || cell == "false", "\(name) = '\(cell)'")
                }
            }
        }
        #expect(csv.stdout.contains("configuration,variant,users,runs,bottleneck,bottleneck_runs,bottleneck_utilization,p50_ms,p50_ms_ci95"))
        #expect(csv.stdout.contains(",monthly_usd,monthly_usd_ci95,monthly_usd_per_1k_users"))
        // `table`: the plain tables sweep printed, within 120 columns.
        let table = try PlatformSimBinary.run(["report", "--db", db, "--format", "table"])
        #expect(table.status == 0)
        #expect(table.stdout == printed)
        #expect(NewUser.lines(table.stdout).allSatisfy { $0.count <= 120 })
    }

    /// The fields of one CSV line (quoted fields with doubled quotes).
    static func fields(_ line: String) -> [String] {
        var out: [String] = [], field = "", quoted = false, previousQuote = false
        for c in line {
            if quoted {
                if c == "\"" { quoted = false; previousQuote = true; continue }
                field.append(c)
            } else if c == "\"" {
                if previousQuote { field.append("\"") }
                quoted = true
            } else if c == "," {
                out.append(field); field = ""
            } else {
                field.append(c)
            }
            previousQuote = false
        }
        out.append(field)
        return out
    }
}

/// One `pg_stat_statements` snapshot: a row per tracked statement, read from `psql --csv` (or
/// `\copy ... csv header`) output or from psql's default aligned table.
///
/// Columns used: `query`, `calls`, `total_exec_time` (`total_time` before PostgreSQL 13), and
/// when present `queryid`, `userid`, `dbid`, `toplevel` (the entry's key), `total_plan_time`,
/// `stddev_exec_time` and `mean_exec_time` (for the spread over the interval).
public struct PgStatStatementsSnapshot: Sendable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var query: String
        public var calls: Double
        /// Execution plus planning time, ms.
        public var totalTime: Double
        /// Sum of squared execution times (ms^2) from the mean and standard deviation, when given.
        public var sumOfSquares: Double?
        public var line: Int
    }
    public var entries: [Entry] = []

    public static func parse(_ text: String, file: String) throws -> PgStatStatementsSnapshot {
        let rows: [(line: Int, cells: [String])]
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        guard let firstIndex = lines.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw CalibrationError("the snapshot is empty", file: file)
        }
        if lines.indices.contains(firstIndex + 1), lines[firstIndex + 1].contains("-+-") || lines[firstIndex + 1].hasPrefix("---") {
            rows = try aligned(lines, header: firstIndex, file: file)
        } else {
            rows = try csv(text, file: file)
        }
        guard let header = rows.first else { throw CalibrationError("the snapshot is empty", file: file) }
        let names = header.cells.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ options: [String]) -> Int? { options.lazy.compactMap { names.firstIndex(of: $0) }.first }
        guard let query = column(["query"]), let calls = column(["calls"]) else {
            throw CalibrationError("no 'query' and 'calls' columns in the header (\(names.prefix(8).joined(separator: ", "))): expected SELECT * FROM pg_stat_statements", file: file, line: header.line)
        }
        guard let total = column(["total_exec_time", "total_time"]) else {
            throw CalibrationError("no 'total_exec_time' (or 'total_time') column", file: file, line: header.line)
        }
        let plan = column(["total_plan_time"]), mean = column(["mean_exec_time", "mean_time"]), sd = column(["stddev_exec_time", "stddev_time"])
        let keys = ["userid", "dbid", "toplevel", "queryid"].compactMap { column([$0]) }
        var snapshot = PgStatStatementsSnapshot()
        for row in rows.dropFirst() {
            guard row.cells.count == names.count else {
                throw CalibrationError("a row has \(row.cells.count) fields, the header \(names.count) (a truncated file?)", file: file, line: row.line)
            }
            func number(_ c: Int) throws -> Double {
                let t = row.cells[c].trimmingCharacters(in: .whitespaces)
                guard let x = Double(t), x.isFinite, x >= 0 else {
                    throw CalibrationError("'\(names[c])' is not a number: '\(t)'", file: file, line: row.line)
                }
                return x
            }
            let n = try number(calls)
            var time = try number(total)
            if let plan, !row.cells[plan].trimmingCharacters(in: .whitespaces).isEmpty { time += try number(plan) }
            var squares: Double?
            if let mean, let sd { let m = try number(mean), s = try number(sd); squares = n * (s * s + m * m) }
            let text = row.cells[query]
            let key = keys.isEmpty ? text : keys.map { row.cells[$0].trimmingCharacters(in: .whitespaces) }.joined(separator: "/")
            snapshot.entries.append(Entry(key: key, query: text, calls: n, totalTime: time, sumOfSquares: squares, line: row.line))
        }
        return snapshot
    }

    /// RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and newlines.
    static func csv(_ text: String, file: String) throws -> [(line: Int, cells: [String])] {
        var rows: [(Int, [String])] = []
        var cells: [String] = []
        var field = ""
        var quoted = false, inQuotes = false
        var line = 1, rowLine = 1
        var chars = Array(text.unicodeScalars)
        if chars.last != "\n" { chars.append("\n") }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty && !quoted {
                inQuotes = true; quoted = true
            } else if c == "," {
                cells.append(field); field = ""; quoted = false
            } else if c == "\n" {
                if field.hasSuffix("\r") { field.removeLast() }
                cells.append(field)
                if !(cells.count == 1 && cells[0].isEmpty) { rows.append((rowLine, cells)) }
                cells = []; field = ""; quoted = false
                line += 1
                rowLine = line
            } else {
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes { throw CalibrationError("a quoted field is not closed (a truncated file?)", file: file, line: rowLine) }
        return rows
    }

    /// psql's aligned output: a header, a `----+----` rule giving the column widths, rows with
    /// ` | ` between cells (a cell continued on the next line ends in `+`), and `(N rows)`.
    static func aligned(_ lines: [String], header: Int, file: String) throws -> [(line: Int, cells: [String])] {
        let rule = Array(lines[header + 1])
        var bounds: [Range<Int>] = []
        var start = 0
        for (i, c) in rule.enumerated() where c == "+" { bounds.append(start..<i); start = i + 1 }
        bounds.append(start..<rule.count)
        func cut(_ line: String) -> [String] {
            let chars = Array(line)
            return bounds.enumerated().map { k, r in
                let lo = Swift.min(chars.count, r.lowerBound + (k == 0 ? 0 : 0))
                let hi = k == bounds.count - 1 ? chars.count : Swift.min(chars.count, r.upperBound)
                return lo < hi ? String(chars[lo..<hi]) : ""
            }
        }
        var rows: [(Int, [String])] = [(header + 1, cut(lines[header]).map { $0.trimmingCharacters(in: .whitespaces) })]
        var i = header + 2
        while i < lines.count {
            let line = lines[i]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || (trimmed.hasPrefix("(") && trimmed.hasSuffix(")") && trimmed.contains("row")) { i += 1; continue }
            var cells = cut(line)
            let first = i + 1
            // Wrapped cells: a cell whose text ends in '+' continues on the next line.
            while cells.contains(where: { $0.hasSuffix("+") }) && i + 1 < lines.count {
                i += 1
                let next = cut(lines[i])
                for k in cells.indices where cells[k].hasSuffix("+") {
                    cells[k] = String(cells[k].dropLast()).trimmingCharacters(in: .whitespaces) + " " + next[k].trimmingCharacters(in: .whitespaces)
                }
            }
            rows.append((first, cells.map { String($0.dropFirst($0.hasPrefix(" ") ? 1 : 0)).trimmingCharacters(in: .whitespaces) }))
            i += 1
        }
        return rows
    }
}

/// A table of strings rendered aligned for a terminal or as GitHub markdown.
public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }
    public var headers: [String]
    public var alignments: [Alignment]
    public var rows: [[String]] = []

    public init(_ headers: [String], alignments: [Alignment]? = nil) {
        self.headers = headers
        self.alignments = alignments ?? headers.indices.map { $0 == 0 ? .left : .right }
    }

    /// Adds a row. Control characters in cells (an escape sequence in a name read back from a
    /// database) are dropped: they would move the cursor or recolour a terminal.
    public mutating func add(_ row: [String]) { rows.append(row.map { MarkdownText.withoutControlCharacters($0, keepingNewlines: false) }) }

    /// Columns padded to a common width, separated by two spaces, with a rule under the header.
    public func plain() -> String {
        let widths = headers.indices.map { c in ([headers[c]] + rows.map { c < $0.count ? $0[c] : "" }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            headers.indices.map { c in
                let cell = c < cells.count ? cells[c] : ""
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return alignments[c] == .left ? cell + pad : pad + cell
            }.joined(separator: "  ").trailingSpacesRemoved()
        }
        var out = line(headers) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for r in rows { out += line(r) + "\n" }
        return out
    }

    /// A GitHub-flavoured markdown table. Cells may hold markup (`<br>`, backticks): text from
    /// outside (a name read back from a database) is checked or escaped before it gets here
    /// (``MarkdownText/escaped(_:)``).
    public func markdown() -> String {
        func escape(_ s: String) -> String { s.replacingPipes() }
        var out = "| " + headers.map(escape).joined(separator: " | ") + " |\n"
        out += "|" + alignments.map { $0 == .left ? "---|" : "---:|" }.joined() + "\n"
        for r in rows { out += "| " + headers.indices.map { escape($0 < r.count ? r[$0] : "") }.joined(separator: " | ") + " |\n" }
        return out
    }

    /// Comma-separated values with quoting where needed. A text cell that a spreadsheet would
    /// read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is
    /// written with a leading `'`, as OWASP recommends; a number (`-0.5`, `+3`, `-1,200`,
    /// `-3.4%`) and a lone `-` (no value) stay as they are.
    public func csv() -> String {
        func field(_ raw: String) -> String {
            var s = MarkdownText.withoutControlCharacters(raw, keepingNewlines: true)
            if let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !Self.isPlainNumber(s) {
                s = "'" + s
            }
            return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") ? "\"" + s.replacingQuotes() + "\"" : s
        }
        var out = headers.map(field).joined(separator: ",") + "\n"
        for r in rows { out += r.map(field).joined(separator: ",") + "\n" }
        return out
    }
}

extension TextTable {
    /// `-`, or digits with an optional sign, thousands commas, one decimal point and a `%`:
    /// what a spreadsheet reads as a number or text, never as a formula (`-2+3` is not one).
    static func isPlainNumber(_ s: String) -> Bool {
        if s == "-" { return true }
        var body = Substring(s)
        if let f = body.first, f == "+" || f == "-" { body = body.dropFirst() }
        if body.last == "%" { body = body.dropLast() }
        guard let first = body.first, first.isASCII, first.isNumber || first == "." else { return false }
        return body.filter { $0 == "." }.count <= 1 && body.allSatisfy { ($0.isASCII && $0.isNumber) || $0 == "," || $0 == "." }
    }
}

/// Text from files and databases put into markdown and terminals as text.
public enum MarkdownText {
    /// `s` with `&`, `<` and `>` as HTML entities: markdown shows them as written and a
    /// previewer runs no HTML from a name or a question.
    public static func escaped(_ s: String) -> String {
        guard s.contains(where: { $0 == "<" || $0 == ">" || $0 == "&" }) else { return s }
        var out = ""
        for c in s {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            default: out.append(c)
            }
        }
        return out
    }

    /// `s` without C0 and C1 control characters (escape sequences, bells, backspaces); tabs
    /// become spaces, and newlines stay only with `keepingNewlines`.
    public static func withoutControlCharacters(_ s: String, keepingNewlines: Bool) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if u == "\n" && keepingNewlines { out.append(u); continue }
            if u == "\t" || u == "\n" || u == "\r" { out.append(" "); continue }
            if u.value < 0x20 || (0x7F...0x9F).contains(u.value) { continue }
            out.append(u)
        }
        return String(out)
    }
}

extension String {
    func trailingSpacesRemoved() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
    func replacingPipes() -> String { split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|") }
    func replacingQuotes() -> String { split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") }
}

/// Number formatting for reports: fixed decimals, thousands separators, percentages.
///
/// Total over every Double: a value a report reads back (from a database someone edited, or a
/// run past what the model's bounds foresaw) is printed, never trapped on. Magnitudes from
/// 10^15 up, where digits stop being exact, are written in exponent form (`1e+19`).
public enum Format {
    /// Past this, a number is written with an exponent: whole Doubles are exact below 2^53
    /// (about 9e15), and Int64 holds less than 1e19.
    static let largestPlain = 1e15

    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<Swift.max(0, Swift.min(decimals, 15)) { scale *= 10 }
        let r = (abs(x) * scale).rounded()
        guard r < largestPlain else { return "\(x)" }
        var digits = String(Int64(r))
        if decimals > 0 {
            while digits.count <= decimals { digits = "0" + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
        }
        return (x < 0 && r != 0 ? "-" : "") + digits
    }

    /// Significant figures without exponent for everyday magnitudes: 1234 -> "1,234", 0.01234 -> "0.0123".
    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return fixed(x, 0) }
        let a = abs(x)
        if a >= largestPlain { return "\(x)" }
        if a >= 100 { return grouped(Int64(x.rounded())) }
        if a >= 10 { return fixed(x, 1) }
        if a >= 1 { return fixed(x, 2) }
        if a == 0 { return "0" }
        if a >= 0.01 { return fixed(x, 3) }
        return fixed(x, 4)
    }

    public static func grouped(_ n: Int64) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
    public static func grouped(_ n: Int) -> String { grouped(Int64(n)) }

    public static func percent(_ x: Double, _ decimals: Int = 1) -> String { fixed(x * 100, decimals) + "%" }

    public static func usd(_ x: Double) -> String {
        guard x.isFinite, abs(x) < largestPlain else { return "$" + fixed(x, 0) }
        return "$" + grouped(Int64(x.rounded()))
    }

    public static func users(_ n: Int) -> String {
        if n >= 1_000_000_000_000 { return grouped(n) }
        if n >= 1_000_000 && n % 100_000 == 0 { return fixed(Double(n) / 1e6, n % 1_000_000 == 0 ? 0 : 1) + "M" }
        if n >= 1000 && n % 1000 == 0 { return String(n / 1000) + "k" }
        return grouped(n)
    }
}

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

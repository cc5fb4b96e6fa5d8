/// A table of strings rendered aligned for a terminal or as GitHub markdown.
public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }
    public var headers: [String]
    public var alignments: [Alignment]
    public var rows: [[String]] = []
    /// The leading columns that name a row (configuration, users): repeated at the left of
    /// every block when a table too wide for a terminal is split into blocks.
    public var keyColumns = 1

    /// The widest line ``plain(width:)`` writes by default: what a terminal shows without
    /// wrapping, and what fits a page of a report.
    public static let defaultWidth = 120
    /// A text column wider than this is wrapped at spaces when the table does not fit.
    public static let wrappedTextWidth = 60

    public init(_ headers: [String], alignments: [Alignment]? = nil) {
        self.headers = headers
        self.alignments = alignments ?? headers.indices.map { $0 == 0 ? .left : .right }
    }

    /// Adds a row. Control characters in cells (an escape sequence in a name read back from a
    /// database) are dropped: they would move the cursor or recolour a terminal.
    public mutating func add(_ row: [String]) { rows.append(row.map { MarkdownText.withoutControlCharacters($0, keepingNewlines: false) }) }

    /// Columns padded to a common width, separated by two spaces, with a rule under the header.
    ///
    /// A table wider than `width` characters is made to fit: long text columns (a reason, a
    /// bottleneck's why) wrap at spaces onto several lines of their row, and when it is still
    /// too wide the columns are split into blocks one under the other, each repeating the
    /// ``keyColumns`` so that every line says which row it belongs to. A table that fits is
    /// written exactly as it always was.
    public func plain(width: Int = TextTable.defaultWidth) -> String {
        let count = headers.count
        guard count > 0 else { return "" }
        var head = headers.map { [$0] }
        var body = rows.map { r in headers.indices.map { [$0 < r.count ? r[$0] : ""] } }
        func widths() -> [Int] {
            headers.indices.map { c in (head[c] + body.flatMap { $0[c] }).map(\.count).max() ?? 0 }
        }
        var w = widths()
        func span(_ columns: some Collection<Int>) -> Int { columns.reduce(0) { $0 + w[$1] } + 2 * Swift.max(0, columns.count - 1) }
        guard span(0..<count) > width else { return block(Array(0..<count), head, body, w) }

        // Too wide: wrap long columns, then split what is left into blocks.
        var keys = Swift.min(keyColumns, count - 1)
        if span(0..<keys) > width / 2 { keys = 0 }
        let room = Swift.max(12, width - (keys > 0 ? span(0..<keys) + 2 : 0))
        for c in keys..<count {
            let limit = alignments[c] == .left ? Swift.min(room, Self.wrappedTextWidth) : room
            guard w[c] > limit else { continue }
            head[c] = head[c].flatMap { Self.wrap($0, limit) }
            for r in body.indices { body[r][c] = body[r][c].flatMap { Self.wrap($0, limit) } }
        }
        w = widths()
        var blocks: [[Int]] = []
        var current: [Int] = []
        for c in keys..<count {
            if !current.isEmpty && span(Array(0..<keys) + current + [c]) > width {
                blocks.append(current)
                current = []
            }
            current.append(c)
        }
        if !current.isEmpty { blocks.append(current) }
        return blocks.map { block(Array(0..<keys) + $0, head, body, w) }.joined(separator: "\n")
    }

    /// The columns `columns` of a table whose cells are lists of lines.
    private func block(_ columns: [Int], _ head: [[String]], _ body: [[[String]]], _ w: [Int]) -> String {
        func lines(_ cells: [[String]]) -> String {
            let height = columns.map { cells[$0].count }.max() ?? 1
            var out = ""
            for i in 0..<Swift.max(1, height) {
                out += columns.map { c in
                    let cell = i < cells[c].count ? cells[c][i] : ""
                    let pad = String(repeating: " ", count: w[c] - cell.count)
                    return alignments[c] == .left ? cell + pad : pad + cell
                }.joined(separator: "  ").trailingSpacesRemoved() + "\n"
            }
            return out
        }
        var out = lines(head)
        out += columns.map { String(repeating: "-", count: w[$0]) }.joined(separator: "  ") + "\n"
        for r in body { out += lines(r) }
        return out
    }

    /// `text` in lines of at most `limit` characters, broken at spaces (a longer word is cut).
    public static func wrap(_ text: String, _ limit: Int) -> [String] {
        guard text.count > limit, limit > 0 else { return [text] }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            if !line.isEmpty && line.count + 1 + word.count <= limit {
                line += " " + word
                continue
            }
            if !line.isEmpty { lines.append(line) }
            while word.count > limit {
                lines.append(String(word.prefix(limit)))
                word = word.dropFirst(limit)
            }
            line = String(word)
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
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

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

    public mutating func add(_ row: [String]) { rows.append(row) }

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

    /// A GitHub-flavoured markdown table.
    public func markdown() -> String {
        func escape(_ s: String) -> String { s.replacingPipes() }
        var out = "| " + headers.map(escape).joined(separator: " | ") + " |\n"
        out += "|" + alignments.map { $0 == .left ? "---|" : "---:|" }.joined() + "\n"
        for r in rows { out += "| " + headers.indices.map { escape($0 < r.count ? r[$0] : "") }.joined(separator: " | ") + " |\n" }
        return out
    }

    /// Comma-separated values with quoting where needed.
    public func csv() -> String {
        func field(_ s: String) -> String {
            s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingQuotes() + "\"" : s
        }
        var out = headers.map(field).joined(separator: ",") + "\n"
        for r in rows { out += r.map(field).joined(separator: ",") + "\n" }
        return out
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

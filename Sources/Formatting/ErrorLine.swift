/// The one shape of an error the program reports: `FILE:LINE:COLUMN: error: MESSAGE` on one
/// line, so that an editor can jump to it and a script can split it. Model files, calibration
/// input, the validation's files, results databases and the command line all write their errors
/// with it.
///
/// - No file (an empty path): `error: MESSAGE`.
/// - No line (0 or nil): `FILE: error: MESSAGE`; no column: `FILE:LINE: error: MESSAGE`.
/// - Line breaks in the message become `; `, so the error stays one line whatever it quotes.
public enum ErrorLine {
    public static func format(file: String, line: Int? = nil, column: Int? = nil, message: String) -> String {
        let text = oneLine(message)
        guard !file.isEmpty else { return "error: " + text }
        guard let line, line > 0 else { return "\(file): error: \(text)" }
        guard let column, column > 0 else { return "\(file):\(line): error: \(text)" }
        return "\(file):\(line):\(column): error: \(text)"
    }

    /// `text` with its lines (trimmed, blank ones dropped) joined by `; `.
    public static func oneLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        return text.split(whereSeparator: \.isNewline)
            .map { line -> Substring in
                var s = line[...]
                while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
                while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
                return s
            }
            .filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// Whether `line` starts with `FILE:LINE:COLUMN: ` or `FILE:LINE: ` (a non-empty file
    /// part without spaces, then one or two runs of digits), or is `FILE: error: ...` (a
    /// problem with a whole file, such as `Models/x.yaml: error: no such file`), or is an
    /// option's error in the same shape (`--set KEY=VALUE: error: ...`: the option stands
    /// where the file would, and the line keeps its one `error:`). A line that does not is
    /// printed after `error: ` (``commandLine(_:)``).
    public static func startsWithLocation(_ line: String) -> Bool {
        if line.hasPrefix("--"), line.contains(": error: ") { return true }
        let parts = line.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 2, let file = parts.first, !file.isEmpty, !file.contains(" ") else { return false }
        if parts[1] == " error", file != "error" { return true }
        guard parts.count >= 3 else { return false }
        func isNumber(_ s: Substring) -> Bool { !s.isEmpty && s.allSatisfy(\.isASCII) && s.allSatisfy(\.isNumber) }
        guard isNumber(parts[1]) else { return false }
        if isNumber(parts[2]) { return parts.count == 4 && parts[3].hasPrefix(" ") }
        return parts[2].hasPrefix(" ")
    }

    /// An error's line as the command line prints it: as it is when it starts with a location,
    /// else after `error: ` (once).
    public static func commandLine(_ line: String) -> String {
        if startsWithLocation(line) || line.hasPrefix("error: ") { return line }
        return "error: " + line
    }
}

import Foundation

/// Reading whole text files for the validation: a missing or unreadable file is one located
/// error. (Its files are written by the command line through `OutputFiles` and
/// `NotebookWriter`, as every output file is.)
public enum FileText {
    public static func read(_ path: String) throws(ValidationFileError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ValidationFileError(exists ? "cannot read the file" : "no such file", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationFileError("not UTF-8 text", file: path)
        }
        return text
    }
}

/// Splits CSV text into lines with their 1-based line numbers, skipping `#` comments and blank
/// lines; the validation's CSV files have no quoted fields (names are identifiers).
struct CSVLines: Sequence {
    let text: String
    func makeIterator() -> AnyIterator<(number: Int, fields: [Substring])> {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
        var number = 0
        return AnyIterator {
            while let raw = lines.next() {
                number += 1
                let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
                if line.isEmpty || line.hasPrefix("#") { continue }
                return (number, line.split(separator: ",", omittingEmptySubsequences: false))
            }
            return nil
        }
    }
}

extension Array where Element == Substring {
    /// The 1-based column where field `i` starts (for error locations).
    func column(of i: Int) -> Int {
        var c = 1
        for j in 0..<Swift.min(i, count) { c += self[j].count + 1 }
        return c
    }
}

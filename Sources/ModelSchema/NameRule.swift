import ModelFiles

/// The one rule for names a user gives that become database keys, file names, table cells and
/// markdown headings: experiment, configuration and variant names. 1 to 100 ASCII letters,
/// digits, `.`, `_` or `-`, starting with a letter or digit.
///
/// Why so strict: a configuration name goes into `report --out` file names (`../../evil`
/// escapes the folder), into markdown (`<svg onload=...>` runs in a previewer) and into CSV
/// cells (`=1+1`, `-2+3` and `@SUM(...)` are formulas to a spreadsheet). A leading `-` would also
/// read as an option on the command line, and a leading `.` as a hidden file.
public enum NameRule {
    public static let maxLength = 100

    /// Why `name` is not usable, or nil when it is.
    public static func problem(with name: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard let first = name.first, !name.isEmpty, name.count <= maxLength, name.allSatisfy(allowed.contains),
              first.isLetter || first.isNumber else {
            return "must be 1 to \(maxLength) letters, digits, '.', '_' or '-', starting with a letter or digit"
        }
        return nil
    }

    /// `name` as shown in a message: at most 40 characters, control characters removed.
    public static func shownSafely(_ name: String) -> String { shown(name) }

    static func shown(_ name: String) -> String {
        let clean = String(name.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        return clean.count > 40 ? String(clean.prefix(40)) + "…" : clean
    }
}

import Formatting
import ModelFiles

/// A number of registered users as people write it and as every table prints it: `300000`,
/// `300_000`, `300k`, `1M`, `1.5M`, `1e6`. Read the same way everywhere a user count is read: the
/// command line's `--users`, an experiment's `users:` list, a model's `traffic.users`.
public enum UserCount {
    /// The most users any command simulates: 100 million, ten times the largest count the
    /// roadmap asks about (10M). Memory is about 90 bytes per registered user, so 9 GB here;
    /// the work estimate says how long a run this size would take before it starts.
    public static let maximum = 100_000_000

    /// The count written in `text`, or a sentence saying what is wrong with it.
    /// - Parameter largest: the largest count accepted (``maximum`` unless a command says
    ///   otherwise: `calibrate --registered-users` reads a real platform's count).
    public static func parse(_ text: String, largest: Int = maximum) -> Result<Int, UserCountError> {
        var body = Substring(text.trimmingCharacters())
        var multiplier = 1.0
        if let last = body.last, "kKmM".contains(last) {
            multiplier = last == "k" || last == "K" ? 1_000 : 1_000_000
            body = body.dropLast()
        }
        let digits = body.filter { $0 != "_" }
        // Digits with at most one point, and an exponent only without a suffix (`1e6`, not `1e6k`).
        let mantissa = digits.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: { $0 == "e" || $0 == "E" })
        let exponentOK = mantissa.count == 1 || (multiplier == 1 && mantissa[1].count <= 3
            && mantissa[1].drop(while: { $0 == "+" || $0 == "-" }).allSatisfy({ $0.isNumber }) && !mantissa[1].isEmpty)
        guard let first = digits.first, first.isNumber, mantissa[0].allSatisfy({ $0.isNumber || $0 == "." }),
              mantissa[0].filter({ $0 == "." }).count <= 1, exponentOK, !body.hasPrefix("_"), let value = Double(digits), value.isFinite else {
            return .failure(UserCountError("must be a user count such as 300000, 300k or 1M, got '\(text)'"))
        }
        let count = (value * multiplier).rounded()
        guard abs(count - value * multiplier) < 1e-6 * Swift.max(1, count) else {
            return .failure(UserCountError("must be a whole number of users, got '\(text)'"))
        }
        guard count >= 1, count <= Double(largest), let whole = Int(exactly: count) else {
            return .failure(UserCountError("must be between 1 and \(largest) (\(Format.users(largest))), got '\(text)'"))
        }
        return .success(whole)
    }

    /// Reads a user count from a model or experiment file (a number or a `300k`/`1M` string).
    public static func read(_ value: ValueReader) throws -> Int {
        value.describe("a user count such as 300000, 300k or 1M, 1 to \(maximum) (100M)")
        let text: String
        switch value.node.content {
        case .scalar(let written, _) where !value.node.isNull: text = written
        default: throw value.error("must be a user count such as 300000, 300k or 1M")
        }
        switch parse(text) {
        case .success(let n): return n
        case .failure(let error): throw value.error(error.description)
        }
    }
}

/// Why a text is not a user count, as the end of a sentence about it: `must be between ...`.
public struct UserCountError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

private extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " { s = s.dropFirst() }
        while let l = s.last, l == " " { s = s.dropLast() }
        return String(s)
    }
}

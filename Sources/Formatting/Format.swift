/// The program's one number formatter: fixed decimals, thousands separators, percentages,
/// dollars and user counts, the same bytes on every machine (no locale). The diagnosis's
/// reasons, the tables, the charts and the notebooks all write numbers with it.
///
/// Total over every Double and integer: a value a report reads back (from a database someone
/// edited, or a run past what the model's bounds foresaw) is printed, never trapped on.
public enum Format {
    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<Swift.max(0, Swift.min(decimals, 15)) { scale *= 10 }
        let r = (abs(x) * scale).rounded()
        // Past what 64-bit integers hold (9.2e18), the shortest round-trip form (with its exponent).
        guard r < 9e18 else { return "\(x)" }
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
        if a >= 9e18 { return fixed(x, 0) }
        if a >= 100 { return grouped(Int64(x.rounded())) }
        if a >= 10 { return fixed(x, 1) }
        if a >= 1 { return fixed(x, 2) }
        if a == 0 { return "0" }
        if a >= 0.01 { return fixed(x, 3) }
        return fixed(x, 4)
    }

    /// At most `decimals` decimals, trailing zeros dropped: `2`, `2.5`, `0.25`.
    public static func compact(_ x: Double, _ decimals: Int) -> String {
        var text = fixed(x, decimals)
        guard text.contains("."), x.isFinite, abs(x) < 9e18 else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
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
        guard x.isFinite, abs(x) < 9e18 else { return "$" + fixed(x, 0) }
        return (x < 0 ? "-$" : "$") + grouped(Int64(abs(x).rounded()))
    }

    public static func users(_ n: Int) -> String {
        if n >= 1_000_000 && n % 100_000 == 0 { return fixed(Double(n) / 1e6, n % 1_000_000 == 0 ? 0 : 1) + "M" }
        if n >= 1000 && n % 1000 == 0 { return String(n / 1000) + "k" }
        return grouped(n)
    }

    /// A user count rounded for a sentence: `1.2M`, `450k`, `999`.
    public static func roundedUsers(_ n: Int) -> String {
        if n >= 1_000_000 { return fixed(Double(n) / 1e6, 1).replacingSuffix(".0", with: "") + "M" }
        if n >= 1000 { return grouped(Int((Double(n) / 1000).rounded())) + "k" }
        return String(n)
    }

    /// A number as a program reads it (CSV): every digit Swift needs to give the same Double
    /// back, in plain decimal notation (no exponent, grouping or unit), integers without a
    /// decimal point; empty for NaN (no value), `inf` and `-inf` for infinities.
    public static func raw(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "" : (x > 0 ? "inf" : "-inf") }
        if x == 0 { return "0" }
        if x == x.rounded(), abs(x) < 9e15 { return String(Int64(x)) }
        let text = "\(abs(x))"
        let sign = x < 0 ? "-" : ""
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return sign + text }
        // d.ddddde±k: move the point k places.
        let mantissa = text[..<e], exponent = Int(text[text.index(after: e)...]) ?? 0
        let digits = mantissa.filter { $0 != "." }
        let point = (mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count) + exponent
        var out: String
        if point <= 0 {
            out = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out = digits + String(repeating: "0", count: point - digits.count)
        } else {
            out = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        if out.contains(".") {
            while out.hasSuffix("0") { out.removeLast() }
            if out.hasSuffix(".") { out.removeLast() }
        }
        return sign + out
    }

    /// A share as a percentage, whole from 10% up, one decimal below: `12%`, `4.3%`.
    public static func share(_ x: Double) -> String { percent(x, abs(x) >= 0.1 ? 0 : 1) }
}

extension String {
    func replacingSuffix(_ suffix: String, with other: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + other : self
    }
}

import Reports
import Formatting

/// Small helpers for sentences built from numbers: stable formatting (no locale), lists.
enum Prose {
    /// `a`, `a and b`, `a, b and c`.
    static func list(_ items: [String], conjunction: String = "and") -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items.last!
        }
    }

    /// `10k users`, `1M users`, `1 user`.
    static func users(_ n: Int) -> String { n == 1 ? "1 user" : Format.users(n) + " users" }

    /// A user count written as the tables do (`10k`, `1.2M`, `250,000`).
    static func count(_ n: Int) -> String { Format.users(n) }

    /// An estimate of users (rounded to two significant figures): `3.2M`, `450k`.
    static func approxUsers(_ x: Double) -> String {
        guard x.isFinite, x > 0 else { return "-" }
        var scale = 1.0
        while x / scale >= 100 { scale *= 10 }
        let n = Int(saturating: (x / scale).rounded() * scale)
        return Format.users(n)
    }

    /// Milliseconds: `407 ms`, `8.7 s` from 1,000 ms up.
    static func ms(_ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        if x >= 10_000 { return number(x / 1000) + " s" }
        return number(x) + " ms"
    }

    /// A share as a percentage with enough digits to tell small shares apart: `4.03%`, `0.15%`, `0.002%`.
    static func percent(_ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        if x == 0 { return "0%" }
        let p = abs(x) * 100
        if p >= 10 { return Format.fixed(x * 100, 1) + "%" }
        if p >= 0.1 { return Format.fixed(x * 100, 2) + "%" }
        if p >= 0.01 { return Format.fixed(x * 100, 3) + "%" }
        return "under 0.01%"
    }

    /// A utilization: `38%`, `0.4%`.
    static func utilization(_ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        return x >= 0.1 || x == 0 ? Format.percent(x, 0) : Format.percent(x, 1)
    }

    static func usd(_ x: Double) -> String { Format.usd(x) }

    /// USD with cents, for costs per 1,000 users.
    static func cents(_ x: Double) -> String { "$" + Format.fixed(x, 2) }

    /// A plain number: whole numbers as they are (`2`, `1,267`), others to three significant figures (`2.49`, `0.112`).
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return Format.number(x) }
        // Three significant figures, whole numbers without decimals: 8.0000001 -> 8, 37.84 -> 37.8.
        let shown = Format.number(x)
        if let v = Double(shown.filter { $0 != "," }), v == v.rounded(), abs(v) < 1e15 { return Format.grouped(Int64(v)) }
        return shown
    }

    /// `x → y` with the change: `970 ms → 732 ms (−25%)`, `1 → 6,644 (×6,644)`, `10 s → 9.5 ms (−99.9%)`.
    static func change(_ a: Double, _ b: Double, _ f: (Double) -> String) -> String {
        if f(a) == f(b) { return "\(f(a)) (no change)" }
        var s = "\(f(a)) → \(f(b))"
        guard a > 0, b.isFinite, b >= 0 else { return s }
        let ratio = b / a
        if ratio >= 3 {
            s += " (×\(ratio >= 10 ? Format.grouped(Int64(saturating: ratio.rounded())) : Format.fixed(ratio, 1)))"
        } else {
            let r = ratio - 1
            if abs(r) >= 0.005 {
                let digits = r <= -0.995 ? 1 : abs(r) >= 0.1 ? 0 : 1
                s += " (\(r > 0 ? "+" : "−")\(Format.fixed(abs(r) * 100, digits))%)"
            }
        }
        return s
    }

    /// `1 timeout`, `19 timeouts`.
    static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(Format.grouped(n)) " + (n == 1 ? singular : plural ?? singular + "s")
    }

    /// Long digit runs in a text grouped by thousands: `121978776 emails` -> `121,978,776 emails`.
    static func groupingDigits(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false).map { word in
            guard word.count >= 5, word.allSatisfy(\.isNumber), let n = Int64(word) else { return String(word) }
            return Format.grouped(n)
        }.joined(separator: " ")
    }

    /// Code formatting for names: `current`.
    static func code(_ s: String) -> String { "`" + s + "`" }

    /// The first letter in upper case.
    static func capitalized(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    /// Seconds: `120 s`, `15 min`.
    static func seconds(_ s: Double) -> String {
        if s >= 120, s.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(s / 60)) min" }
        return number(s) + " s"
    }
}

/// How the numbers on an axis (and values annotated in a chart) are written.
import Formatting
public enum TickFormat: Sendable, Hashable {
    /// Numbers with thousands separators: 1,500, 0.25.
    case plain
    /// Counts in k, M, B: 500, 10k, 2.5k, 1M, 3M. For users and any other count.
    case users
    /// Values in milliseconds: 0.5 ms, 250 ms, 1 s, 1.5 s.
    case milliseconds
    /// Values in seconds: 30 s; on a linear axis whole minutes or hours as 5 min, 2 h.
    case seconds
    /// Fractions as percentages: 0.25 -> 25%, 0.001 -> 0.1%.
    case percent
    /// Dollars: $500, $12k, $1.2M (annotated values under $10k to the dollar: $2,743).
    case usd
    /// A plain number followed by a unit: .unit("req/s") gives "1,200 req/s".
    case unit(String)

    /// The label of one tick value, written exactly (no rounding beyond float noise).
    public func label(_ v: Double) -> String { render(v, sharedUnit: nil) }

    /// Labels of the ticks of one axis. On a linear axis the ticks share one unit, so that an
    /// axis reads 0 s, 0.5 s, 1 s rather than 0 ms, 500 ms, 1 s.
    public func labels(_ values: [Double], scale: AxisScale) -> [String] {
        let shared = scale == .linear ? sharedUnit(values) : nil
        return values.map { render($0, sharedUnit: shared) }
    }

    /// A data value rounded to `significantDigits`, for annotations: 183.42 ms -> "183 ms";
    /// dollars under $10,000 to the dollar: "$2,743".
    public func value(_ v: Double, significantDigits: Int = 3) -> String {
        if self == .usd && v.isFinite && abs(v) < 10_000 {
            return (v < 0 ? "-$" : "$") + NumberText.grouped(NumberText.shortest(abs(v) >= 100 ? abs(v).rounded() : NumberText.roundedToSignificant(abs(v), significantDigits)))
        }
        let scaled = self == .percent ? v * 100 : v
        let rounded = NumberText.roundedToSignificant(scaled, significantDigits)
        return render(self == .percent ? rounded / 100 : rounded, sharedUnit: nil)
    }

    private enum Unit { case small, thousands, minutes, hours }

    private func sharedUnit(_ values: [Double]) -> Unit? {
        let largest = values.map(abs).max() ?? 0
        switch self {
        case .milliseconds:
            return largest >= 1000 ? .thousands : .small
        case .seconds:
            let nonZero = values.filter { $0 != 0 }
            if nonZero.isEmpty { return .small }
            if largest >= 3600 && nonZero.allSatisfy({ NumberText.isMultiple($0, of: 3600) }) { return .hours }
            if largest >= 60 && nonZero.allSatisfy({ NumberText.isMultiple($0, of: 60) }) { return .minutes }
            return .small
        default:
            return nil
        }
    }

    private func render(_ v: Double, sharedUnit: Unit?) -> String {
        guard v.isFinite else { return v.isNaN ? "n/a" : (v > 0 ? "∞" : "-∞") }
        let s = NumberText.shortest
        switch self {
        case .plain:
            return NumberText.grouped(s(v))
        case .users:
            return NumberText.compact(v)
        case .milliseconds:
            let unit = sharedUnit ?? (abs(v) >= 1000 ? .thousands : .small)
            return unit == .thousands ? s(v / 1000) + " s" : s(v) + " ms"
        case .seconds:
            switch sharedUnit ?? .small {
            case .hours: return s(v / 3600) + " h"
            case .minutes: return s(v / 60) + " min"
            default: return NumberText.grouped(s(v)) + " s"
            }
        case .percent:
            return s(v * 100) + "%"
        case .usd:
            return (v < 0 ? "-$" : "$") + NumberText.compact(abs(v))
        case .unit(let unit):
            return NumberText.grouped(s(v)) + (unit.isEmpty ? "" : " " + unit)
        }
    }
}

/// Number-to-text conversions for charts, on top of `Format.fixed` (no Foundation, no locale).
enum NumberText {
    /// The fewest decimals (up to 6) that write `v` exactly up to float noise:
    /// 0.30000000000000004 -> "0.3", 2 -> "2", 0.125 -> "0.125".
    static func shortest(_ v: Double) -> String {
        guard v.isFinite else { return Format.fixed(v, 0) }
        if abs(v) >= 1e15 { return scientific(v) }
        for d in 0...6 {
            let s = Format.fixed(v, d)
            if let back = Double(s), abs(back - v) <= abs(v) * 1e-9 { return s }
        }
        return Format.fixed(v, 6)
    }

    /// 1.5e+20 style for magnitudes the fixed formatter cannot hold.
    static func scientific(_ v: Double) -> String {
        var e = 0
        var m = abs(v)
        while m >= 10 { m /= 10; e += 1 }
        return (v < 0 ? "-" : "") + shortest(roundedToSignificant(m, 3)) + "e" + String(e)
    }

    /// Thousands separators in the integer part of a decimal string: "12345.5" -> "12,345.5".
    static func grouped(_ s: String) -> String {
        let negative = s.hasPrefix("-")
        let body = negative ? s.dropFirst() : Substring(s)
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts[0].allSatisfy(\.isNumber) else { return s }
        var out = ""
        for (i, c) in parts[0].enumerated() {
            if i > 0 && (parts[0].count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        if parts.count > 1 { out += "." + parts[1] }
        return (negative ? "-" : "") + out
    }

    /// Counts with a k, M, B or T suffix: 10000 -> "10k", 2500 -> "2.5k", 3000000 -> "3M".
    static func compact(_ v: Double) -> String {
        let a = abs(v)
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")]
        for (size, suffix) in units where a >= size * (1 - 1e-12) {
            return shortest(v / size) + suffix
        }
        return shortest(v)
    }

    static func roundedToSignificant(_ v: Double, _ digits: Int) -> Double {
        guard v.isFinite, v != 0 else { return v }
        var e = 0
        var a = abs(v)
        while a >= 10 { a /= 10; e += 1 }
        while a < 1 { a *= 10; e -= 1 }
        let shift = digits - 1 - e
        let p = power10(abs(shift))
        return shift >= 0 ? (v * p).rounded() / p : (v / p).rounded() * p
    }

    /// 10^n exactly for n up to 22, by repeated multiplication.
    static func power10(_ n: Int) -> Double {
        var p = 1.0
        for _ in 0..<n { p *= 10 }
        return p
    }

    static func isMultiple(_ v: Double, of step: Double) -> Bool {
        let q = v / step
        return abs(q - q.rounded()) < 1e-9
    }
}

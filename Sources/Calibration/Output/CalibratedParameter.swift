/// One parameter a calibration sets in the overlay it writes.
public struct CalibratedParameter: Sendable, Equatable {
    /// Where the value goes: `traffic.dailyActiveFraction`, `traffic.diurnalWeights`,
    /// `endpoints.listLeads.requestedLimit`.
    public var keyPath: String
    /// The value as YAML: a number, a distribution spec, a flow list; nil when `entries` is used.
    public var value: String?
    /// A mapping of names to values (an endpoint mix), written one per line.
    public var entries: [(name: String, value: String)]
    /// `measured: FILE, N samples, period, 95% interval LOW to HIGH`.
    public var comment: String
    /// The `calibration.measured` entries behind it (one per number, with draws).
    public var measurements: [MeasuredValue]

    public init(keyPath: String, value: String? = nil, entries: [(name: String, value: String)] = [], comment: String, measurements: [MeasuredValue] = []) {
        self.keyPath = keyPath; self.value = value; self.entries = entries; self.comment = comment; self.measurements = measurements
    }

    public static func == (a: CalibratedParameter, b: CalibratedParameter) -> Bool {
        a.keyPath == b.keyPath && a.value == b.value && a.entries.map(\.name) == b.entries.map(\.name)
            && a.entries.map(\.value) == b.entries.map(\.value) && a.comment == b.comment && a.measurements == b.measurements
    }
}

/// A measured number with its 95% interval and joint draws, as `calibration.measured` holds it.
public struct MeasuredValue: Sendable, Equatable {
    /// Key path, with `@mean` or `@cv` for a part of a distribution spec.
    public var name: String
    public var value: Double
    public var low: Double
    public var high: Double
    public var samples: Int
    public var source: String
    public var draws: [Double]
    public init(name: String, value: Double, low: Double, high: Double, samples: Int, source: String, draws: [Double]) {
        self.name = name; self.value = value; self.low = low; self.high = high; self.samples = samples; self.source = source; self.draws = draws
    }
}

/// A parameter the calibration looked at and left as the model has it, and why.
public struct SkippedParameter: Sendable, Equatable {
    public var keyPath: String
    public var reason: String
    public init(keyPath: String, reason: String) { self.keyPath = keyPath; self.reason = reason }
}

/// Numbers as the overlay writes them: enough significant digits for the interval, no more.
enum NumberText {
    /// `x` with `digits` significant digits, without exponent for ordinary magnitudes.
    static func significant(_ x: Double, _ digits: Int = 4) -> String {
        guard x.isFinite else { return "0" }
        if x == 0 { return "0" }
        let magnitude = Int(floor(log10(abs(x))))
        let decimals = Swift.max(0, digits - 1 - magnitude)
        if decimals > 12 { return String(format: "%.\(digits - 1)e", x) }
        var s = String(format: "%.\(decimals)f", x)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// Shares rounded to `decimals` places that still sum to exactly 1 (the largest absorbs the rounding).
    static func shares(_ xs: [Double], decimals: Int = 6) -> [String] {
        let scale = pow(10, Double(decimals))
        var units = xs.map { Int(($0 * scale).rounded()) }
        let total = Int(scale)
        if let i = units.indices.max(by: { units[$0] < units[$1] }) { units[i] += total - units.reduce(0, +) }
        return units.map { u in
            if u == total { return "1" }
            if u == 0 { return "0" }
            var s = "0." + String(repeating: "0", count: decimals - String(u).count) + String(u)
            while s.hasSuffix("0") { s.removeLast() }
            return s
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

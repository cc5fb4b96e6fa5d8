public enum AxisScale: Sendable, Hashable {
    case linear
    /// Base-10 logarithmic; values at or below zero cannot be drawn and leave a gap.
    case log10
}

/// One axis of a chart: its label (with the unit, e.g. "p99 latency (ms)" or just
/// "p99 latency" when the tick labels carry the unit), scale, tick format and range.
public struct Axis: Sendable {
    public var label: String
    public var scale: AxisScale
    public var format: TickFormat
    /// A fixed range; nil: from the data, widened to round tick values.
    public var range: ClosedRange<Double>?
    /// Linear axes without a fixed range start at zero (or end at zero for negative data),
    /// the honest default for latencies, costs, utilizations and counts.
    public var includesZero: Bool

    public init(_ label: String, scale: AxisScale = .linear, format: TickFormat = .plain,
                range: ClosedRange<Double>? = nil, includesZero: Bool = true) {
        self.label = label
        self.scale = scale
        self.format = format
        self.range = range
        self.includesZero = includesZero
    }

    /// Users on a log scale: ticks 10k, 100k, 1M.
    public static func users(_ label: String = "users", scale: AxisScale = .log10,
                             range: ClosedRange<Double>? = nil) -> Axis {
        Axis(label, scale: scale, format: .users, range: range)
    }
}

/// One tick of a laid-out axis: major ticks get a grid line and usually a label, minor ticks
/// (2 and 5 in each decade of a log axis) a lighter grid line and a label only when there is room.
public struct Tick: Sendable, Hashable {
    public var value: Double
    public var label: String?
    public var isMajor: Bool

    public init(_ value: Double, label: String? = nil, isMajor: Bool = true) {
        self.value = value
        self.label = label
        self.isMajor = isMajor
    }
}

/// An axis fitted to its data and its length in pixels: the domain it shows and its ticks.
public struct AxisLayout: Sendable {
    public var axis: Axis
    public var domain: ClosedRange<Double>
    public var ticks: [Tick]

    /// Where `v` falls along the axis, 0 at the start of the domain and 1 at its end; nil for
    /// values that cannot be drawn (non-finite, or not positive on a log axis).
    public func fraction(_ v: Double) -> Double? {
        guard v.isFinite else { return nil }
        switch axis.scale {
        case .linear:
            let span = domain.upperBound - domain.lowerBound
            return span > 0 ? (v - domain.lowerBound) / span : 0.5
        case .log10:
            guard v > 0 else { return nil }
            let lo = Ticks.log10(domain.lowerBound), hi = Ticks.log10(domain.upperBound)
            return hi > lo ? (Ticks.log10(v) - lo) / (hi - lo) : 0.5
        }
    }

    /// The value at a fraction of the axis (the inverse of `fraction`).
    func value(atFraction f: Double) -> Double {
        switch axis.scale {
        case .linear:
            return domain.lowerBound + f * (domain.upperBound - domain.lowerBound)
        case .log10:
            let lo = Ticks.log10(domain.lowerBound), hi = Ticks.log10(domain.upperBound)
            return Ticks.exp10(lo + f * (hi - lo))
        }
    }
}

/// Tick selection: 1-2-5 steps on linear axes (whole minutes and hours for `.seconds`); decades, with 2 and 5 as minor ticks, on log
/// axes. Everything here is plain IEEE arithmetic, so the ticks (and the bytes of a chart) are
/// the same on every platform.
public enum Ticks {
    /// The smallest 1, 2 or 5 times a power of ten that is at least `span / count`, as the
    /// pair (mantissa, exponent), so that tick values can be computed without drift. With
    /// `time`, steps of a minute and more are whole minutes, hours or days instead
    /// (1, 2, 5, 10, 15, 20, 30 min, 1, 2, 3, 6, 12 h, then 1-2-5 days).
    public static func niceStep(span: Double, count: Int, time: Bool = false) -> (mantissa: Int, exponent: Int) {
        let raw = span / Double(max(1, count))
        guard raw.isFinite, raw > 0 else { return (1, 0) }
        if time && raw > 30 {
            let minutes = [1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 360, 720, 1440]
            if let m = minutes.first(where: { Double($0 * 60) >= raw * (1 - 1e-12) }) { return (m * 6, 1) }
            let days = niceStep(span: raw / 86_400, count: 1)
            return (days.mantissa * 864, days.exponent + 2)
        }
        let e = decade(below: raw)
        for m in [1, 2, 5] where scaled(m, e) >= raw * (1 - 1e-12) { return (m, e) }
        return (1, e + 1)
    }

    /// m * 10^e, correctly rounded (division for negative exponents, so 2e-1 is exactly 0.2).
    static func scaled(_ m: Int, _ e: Int) -> Double {
        e >= 0 ? Double(m) * NumberText.power10(e) : Double(m) / NumberText.power10(-e)
    }

    /// The multiples of the 1-2-5 step for about `count` intervals that lie in `domain`.
    public static func linear(_ domain: ClosedRange<Double>, count: Int, time: Bool = false) -> [Double] {
        let step = niceStep(span: domain.upperBound - domain.lowerBound, count: count, time: time)
        return multiples(of: step, in: domain)
    }

    static func multiples(of step: (mantissa: Int, exponent: Int), in domain: ClosedRange<Double>) -> [Double] {
        let s = scaled(step.mantissa, step.exponent)
        guard s > 0, (domain.upperBound - domain.lowerBound) / s < 1000 else { return [domain.lowerBound, domain.upperBound] }
        let first = (domain.lowerBound / s - 1e-9).rounded(.up)
        let last = (domain.upperBound / s + 1e-9).rounded(.down)
        guard first <= last else { return [] }
        guard max(abs(first), abs(last)) < 1e15 else { return [domain.lowerBound, domain.upperBound] }
        return stride(from: first, through: last, by: 1).map { multiple(Int($0), of: step) }
    }

    /// k times the step, correctly rounded: 3 * (2, -1) is exactly 0.6.
    static func multiple(_ k: Int, of step: (mantissa: Int, exponent: Int)) -> Double {
        scaled(k * step.mantissa, step.exponent)
    }

    /// `data` widened outwards to multiples of the 1-2-5 step for about `count` intervals.
    public static func niceDomain(_ data: ClosedRange<Double>, count: Int, time: Bool = false) -> ClosedRange<Double> {
        niceTicks(data, count: count, time: time).domain
    }

    /// The widened domain and its ticks, with one step for both.
    static func niceTicks(_ data: ClosedRange<Double>, count: Int, time: Bool) -> (domain: ClosedRange<Double>, ticks: [Double]) {
        var lo = data.lowerBound, hi = data.upperBound
        if lo == hi {
            let d = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= lo == 0 ? 0 : d
            hi += d
        }
        let step = niceStep(span: hi - lo, count: count, time: time)
        let s = scaled(step.mantissa, step.exponent)
        guard max(abs(lo), abs(hi)) / s < 1e15 else { return (lo...hi, [lo, hi]) }
        let domain = multiple(Int((lo / s + 1e-9).rounded(.down)), of: step)...multiple(Int((hi / s - 1e-9).rounded(.up)), of: step)
        return (domain, multiples(of: step, in: domain))
    }

    /// The 1, 2 and 5 times powers of ten in a positive `domain`, each with whether it is a
    /// decade (major) or a 2 or 5 (minor).
    public static func log(_ domain: ClosedRange<Double>) -> [(value: Double, isMajor: Bool)] {
        guard domain.lowerBound > 0, domain.upperBound.isFinite else { return [] }
        var out: [(value: Double, isMajor: Bool)] = []
        var e = decade(below: domain.lowerBound)
        while scaled(1, e) <= domain.upperBound * (1 + 1e-12) && out.count < 400 {
            for m in [1, 2, 5] {
                let v = scaled(m, e)
                if v >= domain.lowerBound * (1 - 1e-12) && v <= domain.upperBound * (1 + 1e-12) { out.append((v, m == 1)) }
            }
            e += 1
        }
        return out
    }

    /// A positive range widened to the 1, 2 or 5 times a power of ten at or beyond each end:
    /// 3,000...2,000,000 -> 2,000...2,000,000; a single value to the neighbours around it.
    public static func logDomain(_ data: ClosedRange<Double>) -> ClosedRange<Double> {
        let steps = log(0.5 * data.lowerBound...2 * data.upperBound * 5).map(\.value)
        var lo = steps.last { $0 <= data.lowerBound * (1 + 1e-12) } ?? data.lowerBound
        var hi = steps.first { $0 >= data.upperBound * (1 - 1e-12) } ?? data.upperBound
        if lo >= hi {
            lo = steps.last { $0 < lo * (1 - 1e-12) } ?? lo / 2
            hi = steps.first { $0 > hi * (1 + 1e-12) } ?? hi * 2
        }
        return lo...hi
    }

    /// The exponent of the largest power of ten at or below `v` (v > 0).
    static func decade(below v: Double) -> Int {
        var e = 0
        while scaled(1, e) > v && e > -320 { e -= 1 }
        while scaled(1, e + 1) <= v && e < 308 { e += 1 }
        return e
    }

    static let ln10 = 2.302585092994045684
    static let ln2 = 0.693147180559945309

    /// log10 in plain arithmetic (stdlib has none without Foundation/Glibc): x = m * 2^e with
    /// m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh((m - 1) / (m + 1)) by its series.
    static func log10(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x == 0 ? -.infinity : .nan }
        var e = Int(x.exponent)
        var m = x.significand
        if m > 1.4142135623730951 { m /= 2; e += 1 }
        let s = (m - 1) / (m + 1), s2 = s * s
        var term = s, sum = 0.0
        var k = 1.0
        while abs(term) > 1e-18 {
            sum += term / k
            term *= s2
            k += 2
        }
        return (Double(e) * ln2 + 2 * sum) / ln10
    }

    /// 10^y in plain arithmetic: 2^n exactly times e^r by its series, |r| <= ln2 / 2.
    static func exp10(_ y: Double) -> Double {
        let t = y * ln10
        guard t.isFinite else { return t > 0 ? .infinity : 0 }
        guard t < 709, t > -745 else { return t > 0 ? .infinity : 0 }
        let n = (t / ln2).rounded()
        let r = t - n * ln2
        var term = 1.0, sum = 1.0
        var k = 1.0
        while abs(term) > 1e-18 {
            term *= r / k
            sum += term
            k += 1
        }
        return sum * Double(sign: .plus, exponent: Int(n), significand: 1)
    }
}

extension Axis {
    /// The axis fitted to `data` (values on this axis; non-finite ones, and non-positive ones
    /// on a log axis, are ignored) along `length` pixels, with labels that do not overlap.
    /// Horizontal axes need room for the label widths, vertical ones for the font height.
    public func layout(data: [Double], length: Double, horizontal: Bool, fontSize: Double = 11) -> AxisLayout {
        let usable = data.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        switch scale {
        case .linear: return linearLayout(usable, length: length, horizontal: horizontal, fontSize: fontSize)
        case .log10: return logLayout(usable, length: length, horizontal: horizontal, fontSize: fontSize)
        }
    }

    private func linearLayout(_ data: [Double], length: Double, horizontal: Bool, fontSize: Double) -> AxisLayout {
        var lo = data.min() ?? 0, hi = data.max() ?? 1
        if includesZero { lo = min(lo, 0); hi = max(hi, 0) }
        if data.isEmpty && includesZero { lo = 0; hi = 1 }
        let target = max(2, Int(length / (horizontal ? 80 : 42)))
        var layout: AxisLayout?
        // Fewer and fewer ticks until the labels fit (two ticks, if nothing else does).
        for count in stride(from: target, through: 2, by: -1) {
            let time = format == .seconds
            let (domain, values) = range.map { ($0, Ticks.linear($0, count: count, time: time)) }
                ?? Ticks.niceTicks(lo...hi, count: count, time: time)
            let labels = format.labels(values, scale: .linear)
            let candidate = AxisLayout(axis: self, domain: domain, ticks: zip(values, labels).map { Tick($0, label: $1) })
            if candidate.labelsFit(length: length, horizontal: horizontal, fontSize: fontSize) { return candidate }
            layout = candidate
        }
        return layout!
    }

    private func logLayout(_ data: [Double], length: Double, horizontal: Bool, fontSize: Double) -> AxisLayout {
        let domain: ClosedRange<Double>
        if let range, range.lowerBound > 0, range.upperBound > range.lowerBound {
            domain = range
        } else if let lo = data.min(), let hi = data.max() {
            domain = Ticks.logDomain(lo...hi)
        } else {
            domain = 1...10
        }
        let candidates = Ticks.log(domain)
        func layout(labelled: (Int, (value: Double, isMajor: Bool)) -> Bool) -> AxisLayout {
            let ticks = candidates.enumerated().map { i, t in
                Tick(t.value, label: labelled(i, t) ? format.label(t.value) : nil, isMajor: t.isMajor)
            }
            return AxisLayout(axis: self, domain: domain, ticks: ticks)
        }
        let decades = candidates.filter(\.isMajor).map { Ticks.decade(below: $0.value) }
        // Few decades in view: label the 2s and 5s too.
        if decades.count < 3 {
            let all = layout { _, _ in true }
            if all.labelsFit(length: length, horizontal: horizontal, fontSize: fontSize) { return all }
            let fives = layout { _, t in t.isMajor || NumberText.isMultiple(t.value / Ticks.scaled(1, Ticks.decade(below: t.value)), of: 5) }
            if fives.ticks.filter({ $0.label != nil }).count >= 2,
               fives.labelsFit(length: length, horizontal: horizontal, fontSize: fontSize) { return fives }
        }
        // Every decade, or every second, third, ... when they crowd.
        for every in [1, 2, 3, 4, 5, 10, 20, 50] {
            let l = layout { _, t in t.isMajor && Ticks.decade(below: t.value) % every == 0 }
            if l.labelsFit(length: length, horizontal: horizontal, fontSize: fontSize) && l.ticks.contains(where: { $0.label != nil }) {
                return l
            }
        }
        // No decade label fits (a narrow range, or a very short axis): label the outermost ticks.
        if candidates.count >= 2 { return layout { i, _ in i == 0 || i == candidates.count - 1 } }
        return AxisLayout(axis: self, domain: domain,
                          ticks: [Tick(domain.lowerBound, label: format.label(domain.lowerBound)),
                                  Tick(domain.upperBound, label: format.label(domain.upperBound))])
    }
}

extension AxisLayout {
    /// Whether neighbouring labels keep clear of each other (8 px apart across, 3 px apart up).
    func labelsFit(length: Double, horizontal: Bool, fontSize: Double) -> Bool {
        var previous: (position: Double, extent: Double)?
        for t in ticks {
            guard let label = t.label, let f = fraction(t.value) else { continue }
            let position = f * length
            let extent = horizontal ? SVG.textWidth(label, size: fontSize) : fontSize
            if let p = previous, abs(position - p.position) < (extent + p.extent) / 2 + (horizontal ? 8 : 3) { return false }
            previous = (position, extent)
        }
        return true
    }
}

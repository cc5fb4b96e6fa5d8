import SimulationEngine

/// A time-varying arrival rate that is constant within segments (hours of the diurnal
/// profile, split again where a traffic spike starts or ends).
///
/// Arrivals of the non-homogeneous Poisson process are drawn exactly by inversion: a unit
/// exponential is spent against the integrated rate, segment by segment, so no thinning and
/// no rejected draws are needed.
public struct ArrivalRate: Sendable {
    /// Segment start times (seconds into the day, possibly beyond 86 400 for multi-day windows).
    @usableFromInline var starts: ContiguousArray<Double>
    /// Rate in each segment (per second).
    @usableFromInline var rates: ContiguousArray<Double>
    @usableFromInline var cursor = 0

    /// - Parameters:
    ///   - perSecondAtMean: the rate when the diurnal factor is 1 (the daily mean).
    ///   - diurnalWeights: 24 hourly weights; normalised so they average 1.
    ///   - spike: an optional multiplier over a time window.
    ///   - from, to: the simulated span.
    /// - Parameter steadyUntil: before this time the rate stays at its value at this time (the
    ///   warm-up runs at the measured window's traffic, so the window starts in steady state).
    public init(perSecondAtMean base: Double, diurnalWeights: [Double], spike: TrafficSpike?, from: Double, to: Double,
                steadyUntil: Double? = nil) {
        let mean = diurnalWeights.reduce(0, +) / Double(diurnalWeights.count)
        var boundaries: Set<Double> = [from]
        var h = ((from / 3600).rounded(.down) + 1) * 3600
        while h < to { boundaries.insert(h); h += 3600 }
        if let s = spike {
            for c in [s.start, s.start + s.duration] where c > from && c < to { boundaries.insert(c) }
        }
        var st: ContiguousArray<Double> = [], rt: ContiguousArray<Double> = []
        for b in boundaries.sorted() {
            let hour = ((Int((b / 3600).rounded(.down)) % 24) + 24) % 24
            var r = base * (mean > 0 ? diurnalWeights[hour] / mean : 1)
            if let s = spike, b >= s.start, b < s.start + s.duration { r *= s.multiplier }
            st.append(b)
            rt.append(r)
        }
        if let hold = steadyUntil, hold > from, st.count > 1 {
            // Every segment before `hold` takes the rate in force at `hold`.
            var i = 0
            while i + 1 < st.count && st[i + 1] <= hold { i += 1 }
            var keptStarts: ContiguousArray<Double> = [from], keptRates: ContiguousArray<Double> = [rt[i]]
            for j in (i + 1)..<st.count { keptStarts.append(st[j]); keptRates.append(rt[j]) }
            st = keptStarts
            rt = keptRates
        }
        starts = st
        rates = rt
    }

    /// The rate at time t.
    public func rate(at t: Double) -> Double {
        var i = 0
        while i + 1 < starts.count && starts[i + 1] <= t { i += 1 }
        return rates[i]
    }

    /// The expected number of arrivals in [a, b].
    public func expectedArrivals(from a: Double, to b: Double) -> Double {
        var total = 0.0
        for i in 0..<starts.count {
            let s = Swift.max(a, starts[i])
            let e = Swift.min(b, i + 1 < starts.count ? starts[i + 1] : .infinity)
            if e > s { total += (e - s) * rates[i] }
        }
        return total
    }

    /// The next arrival after `t`, or +infinity when the rate stays 0.
    @inlinable
    public mutating func next(after t: Double, _ rng: inout Xoshiro256StarStar) -> Double {
        var budget = -log(rng.nextOpenUniform())
        var time = t
        while cursor + 1 < starts.count && starts[cursor + 1] <= time { cursor += 1 }
        var i = cursor
        while true {
            let end = i + 1 < starts.count ? starts[i + 1] : .infinity
            let r = rates[i]
            if r > 0 {
                let needed = budget / r
                if time + needed < end { return time + needed }
                budget -= (end - time) * r
            }
            if end == .infinity { return .infinity }
            time = end
            i += 1
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

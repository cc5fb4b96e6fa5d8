/// An empirical distribution, either a bag of observed values (each equally likely) or a
/// piecewise-linear CDF given as increasing (value, cumulative probability) points.
public struct EmpiricalDistribution: Sendable, Equatable {
    /// Sorted values for a bag, or the CDF's x points.
    public let values: [Double]
    /// Empty for a bag; the cumulative probabilities (0 first, 1 last) for a CDF.
    public let cumulative: [Double]

    /// Each observed value equally likely.
    public init(observations: [Double]) throws {
        guard !observations.isEmpty else { throw DistributionError("empirical distribution needs at least one value") }
        guard observations.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw DistributionError("empirical values must be finite and non-negative") }
        values = observations.sorted()
        cumulative = []
    }

    /// A piecewise-linear CDF through the points; the first probability must be 0 and the last 1.
    public init(cdfPoints points: [(value: Double, probability: Double)]) throws {
        guard points.count >= 2 else { throw DistributionError("an empirical CDF needs at least two points") }
        guard points.first!.probability == 0, points.last!.probability == 1 else {
            throw DistributionError("an empirical CDF must start at probability 0 and end at 1")
        }
        for i in 1..<points.count {
            guard points[i].value >= points[i - 1].value, points[i].probability >= points[i - 1].probability else {
                throw DistributionError("empirical CDF points must increase in value and probability")
            }
        }
        guard points.allSatisfy({ $0.value.isFinite && $0.value >= 0 }) else { throw DistributionError("empirical values must be finite and non-negative") }
        values = points.map(\.value)
        cumulative = points.map(\.probability)
    }

    public var isTable: Bool { cumulative.isEmpty }

    public var mean: Double {
        if isTable { return values.reduce(0, +) / Double(values.count) }
        var m = 0.0
        for i in 1..<values.count {
            m += (cumulative[i] - cumulative[i - 1]) * (values[i] + values[i - 1]) / 2
        }
        return m
    }

    public var variance: Double {
        let m = mean
        if isTable { return values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count) }
        var second = 0.0
        for i in 1..<values.count {
            let a = values[i - 1], b = values[i]
            second += (cumulative[i] - cumulative[i - 1]) * (a * a + a * b + b * b) / 3
        }
        return second - m * m
    }

    @inlinable
    public func sample(_ rng: inout Xoshiro256StarStar) -> Double {
        if cumulative.isEmpty { return values[rng.nextInt(below: values.count)] }
        let u = rng.nextUniform()
        // Binary search for the segment whose cumulative range holds u.
        var lo = 0, hi = cumulative.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) >> 1
            if cumulative[mid] <= u { lo = mid } else { hi = mid }
        }
        let width = cumulative[hi] - cumulative[lo]
        if width <= 0 { return values[hi] }
        return values[lo] + (values[hi] - values[lo]) * (u - cumulative[lo]) / width
    }
}

/// A choice among n outcomes with given probabilities, drawn in O(1) by Walker's alias
/// method (Vose's stable construction). Used for endpoint mixes, tiers and routing.
public struct CategoricalDistribution: Sendable, Equatable {
    /// Normalised probabilities, as given.
    public let probabilities: [Double]
    @usableFromInline let threshold: [Double]
    @usableFromInline let alias: [Int32]

    /// - Parameter weights: non-negative, finite, not all zero; normalised here.
    public init(weights: [Double]) throws {
        guard !weights.isEmpty else { throw DistributionError("a categorical distribution needs at least one outcome") }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw DistributionError("categorical weights must be finite and non-negative") }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw DistributionError("categorical weights must not all be zero") }
        let n = weights.count
        probabilities = weights.map { $0 / total }
        var scaled = probabilities.map { $0 * Double(n) }
        var prob = [Double](repeating: 1, count: n)
        var al = [Int32](repeating: 0, count: n)
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.popLast() {
            prob[s] = scaled[s]
            al[s] = Int32(l)
            scaled[l] = (scaled[l] + scaled[s]) - 1
            if scaled[l] < 1 { small.append(l) } else { large.append(l) }
        }
        // Leftovers are 1 up to rounding.
        for i in small + large { prob[i] = 1; al[i] = Int32(i) }
        threshold = prob
        alias = al
    }

    public var count: Int { probabilities.count }

    /// Draws an outcome index in 0..<count: a uniform column, then a biased coin.
    @inlinable
    public func sample(_ rng: inout Xoshiro256StarStar) -> Int {
        let column = rng.nextInt(below: threshold.count)
        return rng.nextUniform() < threshold[column] ? column : Int(alias[column])
    }

    /// Mean of the outcome index.
    public var mean: Double { probabilities.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element } }
    /// Variance of the outcome index.
    public var variance: Double {
        let m = mean
        return probabilities.enumerated().reduce(0) { $0 + (Double($1.offset) - m) * (Double($1.offset) - m) * $1.element }
    }
}

/// Warm-up detection: how much of the start of an output series to discard so the rest
/// estimates the steady state without initial bias.
public enum WarmUp {
    /// MSER-5 (White 1997; Franklin and White 2008): the series is averaged in batches of 5,
    /// and the truncation point d (in batches) minimising the marginal standard error
    /// MSER(d) = sum_{i>d} (Z_i - mean_d)^2 / (k - d)^2 is chosen, searching only the first
    /// half of the batches (a minimum at the half-way bound means the series is too short to
    /// say, which ``Truncation/reliable`` reports).
    ///
    /// - Returns: the number of original observations to discard.
    public static func mser5(_ series: [Double]) -> Truncation {
        let batch = 5
        let k = series.count / batch
        guard k >= 4 else { return Truncation(observations: 0, batches: k, reliable: false) }
        var z = [Double](repeating: 0, count: k)
        for b in 0..<k {
            var s = 0.0
            for i in 0..<batch { s += series[b * batch + i] }
            z[b] = s / Double(batch)
        }
        // Suffix sums give every MSER(d) in one pass.
        var suffixSum = [Double](repeating: 0, count: k + 1)
        var suffixSquares = [Double](repeating: 0, count: k + 1)
        for b in stride(from: k - 1, through: 0, by: -1) {
            suffixSum[b] = suffixSum[b + 1] + z[b]
            suffixSquares[b] = suffixSquares[b + 1] + z[b] * z[b]
        }
        var best = 0
        var bestValue = Double.infinity
        let half = k / 2
        for d in 0...half {
            let n = Double(k - d)
            let mean = suffixSum[d] / n
            let ss = Swift.max(0, suffixSquares[d] - n * mean * mean)
            let value = ss / (n * n)
            if value < bestValue { bestValue = value; best = d }
        }
        return Truncation(observations: best * batch, batches: k, reliable: best < half)
    }

    public struct Truncation: Sendable, Equatable, Codable {
        /// Observations to discard from the start.
        public var observations: Int
        /// Batches of 5 the series held.
        public var batches: Int
        /// False when the minimum fell in the second half of the series: run longer.
        public var reliable: Bool
    }
}

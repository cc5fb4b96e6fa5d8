import SimulationEngine

/// The Poisson bootstrap (Hanley and MacGibbon 2006; Chamandy et al. 2012, "Estimating
/// uncertainty for massive data streams"): each cluster (a user, an IP) enters replicate b with
/// a weight drawn from Poisson(1), which for large samples behaves as resampling clusters with
/// replacement and needs no second pass over the data. Weights come from a hash of the cluster
/// number and the replicate, so replicates are the same whatever the order or the core count.
public enum Resampling {
    /// Replicates behind every interval and joint draw.
    public static let replicates = 200

    /// Poisson(1) weight of cluster `i` in replicate `b` (inversion on a hashed uniform).
    @inline(__always)
    static func weight(cluster i: Int, replicate b: Int, salt: UInt64) -> Double {
        let h = SplitMix64.mix(SplitMix64.mix(UInt64(truncatingIfNeeded: i) &+ salt) ^ UInt64(truncatingIfNeeded: b) &* 0x9E37_79B9_7F4A_7C15)
        let u = Double(h >> 11) * 0x1.0p-53
        // Poisson(1) CDF: e^-1 (1, 2, 2.5, 2.6667, 2.7083, 2.7167, 2.7181, ...).
        var k = 0
        var p = 0.36787944117144233
        var cdf = p
        while u > cdf && k < 20 {
            k += 1
            p /= Double(k)
            cdf += p
        }
        return Double(k)
    }

    /// A Poisson(mean) count: the bootstrap replicate of a count of independent events.
    static func poisson(_ mean: Double, _ rng: inout Xoshiro256StarStar) -> Double {
        guard mean > 0 else { return 0 }
        if mean > 40 { return Swift.max(0, (mean + mean.squareRoot() * Distribution.standardNormal(&rng)).rounded()) }
        let limit = exp(-mean)
        var k = 0.0
        var p = rng.nextUniform()
        while p > limit { p *= rng.nextUniform(); k += 1 }
        return k
    }

    /// The 2.5% and 97.5% points of replicate values (linear interpolation between order statistics).
    static func interval(_ values: [Double]) -> (low: Double, high: Double)? {
        let finite = values.filter(\.isFinite).sorted()
        guard finite.count >= 20 else { return nil }
        func q(_ p: Double) -> Double {
            let x = p * Double(finite.count - 1)
            let i = Int(x.rounded(.down))
            let f = x - Double(i)
            return i + 1 < finite.count ? finite[i] * (1 - f) + finite[i + 1] * f : finite[i]
        }
        return (q(0.025), q(0.975))
    }
}

/// Nelder-Mead minimisation (Nelder and Mead 1965, with the standard coefficients), for the
/// few-parameter likelihoods fitted here.
enum NelderMead {
    static func minimize(_ f: ([Double]) -> Double, start: [Double], step: Double = 0.3, iterations: Int = 2000, tolerance: Double = 1e-10) -> [Double] {
        let n = start.count
        var simplex = [start]
        for i in 0..<n { var p = start; p[i] += step; simplex.append(p) }
        var values = simplex.map(f)
        for _ in 0..<iterations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            if abs(values[n] - values[0]) <= tolerance * (abs(values[0]) + tolerance) { break }
            var centroid = [Double](repeating: 0, count: n)
            for p in simplex.dropLast() { for i in 0..<n { centroid[i] += p[i] / Double(n) } }
            func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
            let reflected = along(-1), fr = f(reflected)
            if fr < values[0] {
                let expanded = along(-2), fe = f(expanded)
                if fe < fr { simplex[n] = expanded; values[n] = fe } else { simplex[n] = reflected; values[n] = fr }
            } else if fr < values[n - 1] {
                simplex[n] = reflected; values[n] = fr
            } else {
                let contracted = fr < values[n] ? along(-0.5) : along(0.5)
                let fc = f(contracted)
                if fc < Swift.min(fr, values[n]) {
                    simplex[n] = contracted; values[n] = fc
                } else {
                    for k in 1...n {
                        simplex[k] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[k][$0] - simplex[0][$0]) }
                        values[k] = f(simplex[k])
                    }
                }
            }
        }
        let best = values.indices.min { values[$0] < values[$1] }!
        return simplex[best]
    }
}

/// The activity-weight family of the model (mean 1, a CV): what share of a pool of users a day
/// with `sessions` sessions per user on average leaves without any, E[exp(-sessions w)].
enum ActivityFamily: Equatable {
    case lognormal, gamma

    init(_ d: Distribution) {
        if case .gamma = d { self = .gamma } else { self = .lognormal }
    }

    var name: String { self == .gamma ? "gamma" : "lognormal" }

    func zeroShare(sessions s: Double, cv: Double) -> Double {
        guard s > 0 else { return 1 }
        switch self {
        case .gamma:
            let c2 = cv * cv
            return pow(1 + s * c2, -1 / c2)
        case .lognormal:
            let sigma2 = log(1 + cv * cv), sigma = sigma2.squareRoot(), mu = -sigma2 / 2
            // Trapezoid over the standard normal on [-9, 9]: the integrand is smooth and tiny at the ends.
            let steps = 720
            let h = 18.0 / Double(steps)
            var sum = 0.0
            for i in 0...steps {
                let z = -9 + Double(i) * h
                let v = exp(-s * exp(mu + sigma * z)) * exp(-z * z / 2)
                sum += (i == 0 || i == steps) ? v / 2 : v
            }
            return sum * h / 2.5066282746310002
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

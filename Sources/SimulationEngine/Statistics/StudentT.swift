#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Student's t distribution: the distribution function through the regularized incomplete
/// beta function, and its quantiles by bisection refined with Newton steps.
///
/// Written here because the engine depends on nothing outside the toolchain and no package
/// on the build machines provides it; accurate to about 1e-10, which is far more than a
/// confidence interval needs.
public enum StudentT {
    /// P(T <= t) for `degreesOfFreedom` > 0.
    public static func cdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        let x = nu / (nu + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: nu / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The t such that P(T <= t) = p.
    public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        precondition(p > 0 && p < 1 && nu > 0)
        if p == 0.5 { return 0 }
        if p < 0.5 { return -quantile(1 - p, degreesOfFreedom: nu) }
        var lo = 0.0, hi = 1.0
        while cdf(hi, degreesOfFreedom: nu) < p { hi *= 2; if hi > 1e12 { return hi } }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if cdf(mid, degreesOfFreedom: nu) < p { lo = mid } else { hi = mid }
            if hi - lo < 1e-12 * Swift.max(1, hi) { break }
        }
        return (lo + hi) / 2
    }

    /// The two-sided critical value for a confidence level (0.95 gives 1.96 for large samples).
    public static func critical(confidence: Double, degreesOfFreedom nu: Double) -> Double {
        quantile(1 - (1 - confidence) / 2, degreesOfFreedom: nu)
    }

    /// I_x(a, b) by Lentz's continued fraction (Numerical Recipes, section 6.4).
    static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(lnFront) * continuedFraction(x, a, b) / a
        }
        return 1 - exp(lnFront) * continuedFraction(1 - x, b, a) / b
    }

    private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...500 {
            let m = Double(m)
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-15 { break }
        }
        return h
    }
}

/// A mean with the half-width of its confidence interval.
public struct ConfidenceInterval: Sendable, Equatable, Codable {
    public let mean: Double
    /// Half-width at the stated confidence; infinite with fewer than two samples.
    public let halfWidth: Double
    public let samples: Int
    public let confidence: Double

    public var lower: Double { mean - halfWidth }
    public var upper: Double { mean + halfWidth }
    public func contains(_ x: Double) -> Bool { x >= lower && x <= upper }

    /// The Student-t interval for the mean of independent samples (e.g. one per replication).
    public init(samples xs: [Double], confidence: Double = 0.95) {
        var t = Tally()
        for x in xs { t.record(x) }
        self.init(tally: t, confidence: confidence)
    }

    public init(tally t: Tally, confidence: Double = 0.95) {
        mean = t.mean
        samples = t.count
        self.confidence = confidence
        if t.count < 2 {
            halfWidth = .infinity
        } else {
            halfWidth = StudentT.critical(confidence: confidence, degreesOfFreedom: Double(t.count - 1)) * t.standardDeviation / Double(t.count).squareRoot()
        }
    }

    public init(mean: Double, halfWidth: Double, samples: Int, confidence: Double = 0.95) {
        self.mean = mean
        self.halfWidth = halfWidth
        self.samples = samples
        self.confidence = confidence
    }

    /// The interval of a mean estimated by batch means: the series is cut into `batches`
    /// consecutive batches whose means are treated as independent samples. This is how a
    /// single long run gets an honest interval despite autocorrelated observations.
    public static func batchMeans(_ series: [Double], batches: Int = 20, confidence: Double = 0.95) -> ConfidenceInterval {
        precondition(batches >= 2)
        let size = series.count / batches
        guard size > 0 else { return ConfidenceInterval(samples: series, confidence: confidence) }
        var means: [Double] = []
        for b in 0..<batches {
            let slice = series[(b * size)..<((b + 1) * size)]
            means.append(slice.reduce(0, +) / Double(size))
        }
        return ConfidenceInterval(samples: means, confidence: confidence)
    }
}

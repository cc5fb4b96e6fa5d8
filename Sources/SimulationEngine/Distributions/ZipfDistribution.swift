#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Zipf popularity over ranks 1...n: P(k) proportional to 1 / k^exponent.
///
/// Sampled by rejection-inversion (Hörmann and Derflinger 1996, as in Apache Commons RNG's
/// `RejectionInversionZipfSampler`): O(1) time and memory whatever n, so a key space of
/// ten million users costs nothing to set up, and about 1.1 uniforms per draw.
public struct ZipfDistribution: Sendable, Equatable {
    public let count: Int
    public let exponent: Double
    @usableFromInline let hIntegralX1: Double
    @usableFromInline let hIntegralN: Double
    @usableFromInline let s: Double

    public init(count n: Int, exponent: Double) throws {
        guard n >= 1 else { throw DistributionError("zipf needs at least one item, got \(n)") }
        guard exponent.isFinite, exponent > 0 else { throw DistributionError("zipf exponent must be positive, got \(exponent)") }
        count = n
        self.exponent = exponent
        hIntegralX1 = Self.hIntegral(1.5, exponent) - 1
        hIntegralN = Self.hIntegral(Double(n) + 0.5, exponent)
        s = 2 - Self.hIntegralInverse(Self.hIntegral(2.5, exponent) - Self.h(2, exponent), exponent)
    }

    /// Draws a rank in 1...count (1 is the most popular).
    @inlinable
    public func sample(_ rng: inout Xoshiro256StarStar) -> Int {
        while true {
            let u = hIntegralN + rng.nextUniform() * (hIntegralX1 - hIntegralN)
            let x = Self.hIntegralInverse(u, exponent)
            var k = Int(saturating: x + 0.5)
            if k < 1 { k = 1 } else if k > count { k = count }
            if Double(k) - x <= s || u >= Self.hIntegral(Double(k) + 0.5, exponent) - Self.h(Double(k), exponent) {
                return k
            }
        }
    }

    /// The exact mean rank (O(n): for tests and reports, not the hot loop).
    public var mean: Double { moment(1) / moment(0) }
    /// The exact variance of the rank (O(n)).
    public var variance: Double {
        let z = moment(0)
        let m = moment(1) / z
        return moment(2) / z - m * m
    }
    /// Probability of rank k (O(n): computes the normaliser each time).
    public func probability(of k: Int) -> Double { pow(Double(k), -exponent) / moment(0) }

    /// Probabilities of ranks 1...k, with the normaliser computed once (O(n)).
    public func probabilities(first k: Int) -> [Double] {
        let z = moment(0)
        return (1...Swift.max(1, Swift.min(k, count))).map { pow(Double($0), -exponent) / z }
    }

    func moment(_ order: Double) -> Double { Self.powerSum(count, order - exponent) }

    /// The sum of k^p over k = 1...n. Up to 20,000 terms exactly (smallest first); beyond, the
    /// first 9,999 exactly and the rest by the Euler-Maclaurin formula (the integral, the halves
    /// of the two end terms and the corrections with B2 and B4), whose next term is of the order
    /// of 10,000^(p-5) against a sum of at least 10,000^(p+1), below a double's precision. A CDN
    /// catalogue of a table's rows (15 million videos at a million users) had cost 15 million
    /// `pow` calls each time the offered load was estimated.
    static func powerSum(_ n: Int, _ p: Double) -> Double {
        func exact(_ hi: Int) -> Double {
            var sum = 0.0
            var k = hi
            while k >= 1 { sum += pow(Double(k), p); k -= 1 }
            return sum
        }
        let split = 10_000
        guard n > 2 * split else { return exact(n) }
        let a = Double(split), b = Double(n)
        let integral = abs(p + 1) < 1e-12 ? log(b / a) : (pow(b, p + 1) - pow(a, p + 1)) / (p + 1)
        // f(x) = x^p: f'(x) = p x^(p-1), f'''(x) = p (p-1) (p-2) x^(p-3).
        func f1(_ x: Double) -> Double { p * pow(x, p - 1) }
        func f3(_ x: Double) -> Double { p * (p - 1) * (p - 2) * pow(x, p - 3) }
        let tail = integral + (pow(a, p) + pow(b, p)) / 2 + (f1(b) - f1(a)) / 12 - (f3(b) - f3(a)) / 720
        return exact(split - 1) + tail
    }

    @inlinable static func h(_ x: Double, _ e: Double) -> Double { exp(-e * log(x)) }
    @inlinable static func hIntegral(_ x: Double, _ e: Double) -> Double {
        let logX = log(x)
        return helper2((1 - e) * logX) * logX
    }
    @inlinable static func hIntegralInverse(_ x: Double, _ e: Double) -> Double {
        var t = x * (1 - e)
        if t < -1 { t = -1 }
        return exp(helper1(t) * x)
    }
    /// log1p(x)/x, accurate near 0.
    @inlinable static func helper1(_ x: Double) -> Double {
        abs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x))
    }
    /// expm1(x)/x, accurate near 0.
    @inlinable static func helper2(_ x: Double) -> Double {
        abs(x) > 1e-8 ? expm1(x) / x : 1 + x * 0.5 * (1 + x * (1.0 / 3.0) * (1 + 0.25 * x))
    }
}

/// A yes/no outcome with probability p of yes.
public struct BernoulliDistribution: Sendable, Equatable {
    public let p: Double
    public init(p: Double) throws {
        guard p.isFinite, p >= 0, p <= 1 else { throw DistributionError("a probability must be in [0, 1], got \(p)") }
        self.p = p
    }
    @inlinable public func sample(_ rng: inout Xoshiro256StarStar) -> Bool { rng.nextUniform() < p }
    public var mean: Double { p }
    public var variance: Double { p * (1 - p) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A non-negative random quantity such as a service time, a think time or a size.
///
/// An enum rather than a protocol so that sampling in the hot loop is a `switch`, not a call
/// through an existential. Build it with the factory functions, which take the parameters
/// people know (a mean and a coefficient of variation) and check them.
public enum Distribution: Sendable, Equatable {
    /// Exponential with the given mean (memoryless; cv = 1).
    case exponential(mean: Double)
    /// Always the same value (cv = 0).
    case deterministic(Double)
    /// Uniform on [low, high].
    case uniform(low: Double, high: Double)
    /// Normal with the given mean and standard deviation, truncated at 0 by resampling.
    case truncatedNormal(mean: Double, standardDeviation: Double)
    /// Lognormal: exp of a normal with parameters `mu` and `sigma`.
    case lognormal(mu: Double, sigma: Double)
    /// Gamma with shape k and scale theta.
    case gamma(shape: Double, scale: Double)
    /// Erlang-k: the sum of k exponential phases; the whole has the given mean.
    case erlang(phases: Int, mean: Double)
    /// Two-phase hyperexponential: rate1 with probability p, else rate2 (cv > 1).
    case hyperexponential(p: Double, rate1: Double, rate2: Double)
    /// Weibull with shape k and scale lambda.
    case weibull(shape: Double, scale: Double)
    /// Pareto (type I) with minimum `scale` and tail index `shape`.
    case pareto(scale: Double, shape: Double)
    /// An empirical distribution from observed values or a CDF table.
    case empirical(EmpiricalDistribution)
}

/// A parameter that no distribution of the requested kind can have.
public struct DistributionError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Distribution {
    // MARK: Factories with checked parameters

    public static func exponential(checkedMean mean: Double) throws -> Distribution {
        guard mean.isFinite, mean > 0 else { throw DistributionError("exponential mean must be positive, got \(mean)") }
        return .exponential(mean: mean)
    }

    public static func deterministic(checked value: Double) throws -> Distribution {
        guard value.isFinite, value >= 0 else { throw DistributionError("deterministic value must be non-negative, got \(value)") }
        return .deterministic(value)
    }

    public static func uniform(checkedLow low: Double, high: Double) throws -> Distribution {
        guard low.isFinite, high.isFinite, low >= 0, high >= low else {
            throw DistributionError("uniform needs 0 <= low <= high, got \(low), \(high)")
        }
        return .uniform(low: low, high: high)
    }

    public static func normal(mean: Double, standardDeviation sd: Double) throws -> Distribution {
        guard mean.isFinite, sd.isFinite, sd >= 0 else { throw DistributionError("normal needs a finite mean and a non-negative standard deviation") }
        guard mean > 0 || sd > 0 else { throw DistributionError("normal truncated at 0 needs a positive mean or spread") }
        return .truncatedNormal(mean: mean, standardDeviation: sd)
    }

    /// Lognormal with the given mean and coefficient of variation (standard deviation / mean).
    public static func lognormal(mean: Double, cv: Double) throws -> Distribution {
        guard mean.isFinite, mean > 0 else { throw DistributionError("lognormal mean must be positive, got \(mean)") }
        guard cv.isFinite, cv > 0 else { throw DistributionError("lognormal cv must be positive, got \(cv)") }
        let sigma2 = log1p(cv * cv)
        return .lognormal(mu: log(mean) - sigma2 / 2, sigma: sigma2.squareRoot())
    }

    /// Gamma with the given mean and coefficient of variation (shape = 1/cv^2).
    public static func gamma(mean: Double, cv: Double) throws -> Distribution {
        guard mean.isFinite, mean > 0 else { throw DistributionError("gamma mean must be positive, got \(mean)") }
        guard cv.isFinite, cv > 0 else { throw DistributionError("gamma cv must be positive, got \(cv)") }
        let shape = 1 / (cv * cv)
        return .gamma(shape: shape, scale: mean / shape)
    }

    public static func erlang(checkedPhases k: Int, mean: Double) throws -> Distribution {
        guard k >= 1 else { throw DistributionError("erlang needs at least 1 phase, got \(k)") }
        guard mean.isFinite, mean > 0 else { throw DistributionError("erlang mean must be positive, got \(mean)") }
        return .erlang(phases: k, mean: mean)
    }

    /// Two-phase hyperexponential with balanced means (p1/mu1 = p2/mu2), matching a mean and cv > 1.
    public static func hyperexponential(mean: Double, cv: Double) throws -> Distribution {
        guard mean.isFinite, mean > 0 else { throw DistributionError("hyperexponential mean must be positive, got \(mean)") }
        guard cv.isFinite, cv > 1 else { throw DistributionError("hyperexponential needs cv > 1, got \(cv)") }
        let c2 = cv * cv
        let p = 0.5 * (1 + ((c2 - 1) / (c2 + 1)).squareRoot())
        return .hyperexponential(p: p, rate1: 2 * p / mean, rate2: 2 * (1 - p) / mean)
    }

    public static func weibull(checkedShape shape: Double, scale: Double) throws -> Distribution {
        guard shape.isFinite, shape > 0, scale.isFinite, scale > 0 else { throw DistributionError("weibull needs positive shape and scale") }
        return .weibull(shape: shape, scale: scale)
    }

    public static func pareto(checkedScale scale: Double, shape: Double) throws -> Distribution {
        guard shape.isFinite, shape > 0, scale.isFinite, scale > 0 else { throw DistributionError("pareto needs positive scale and shape") }
        return .pareto(scale: scale, shape: shape)
    }

    // MARK: Moments

    /// The exact mean.
    public var mean: Double {
        switch self {
        case .exponential(let m): return m
        case .deterministic(let v): return v
        case .uniform(let a, let b): return (a + b) / 2
        case .truncatedNormal(let mu, let sd):
            if sd == 0 { return mu }
            let a = -mu / sd
            // 1 - Phi(a) as Phi(-a): the subtraction cancels catastrophically when a is large.
            let lambda = standardNormalPDF(a) / standardNormalCDF(-a)
            return mu + sd * lambda
        case .lognormal(let mu, let s): return exp(mu + s * s / 2)
        case .gamma(let k, let theta): return k * theta
        case .erlang(_, let m): return m
        case .hyperexponential(let p, let r1, let r2): return p / r1 + (1 - p) / r2
        case .weibull(let k, let l): return l * tgamma(1 + 1 / k)
        case .pareto(let xm, let a): return a > 1 ? a * xm / (a - 1) : .infinity
        case .empirical(let e): return e.mean
        }
    }

    /// The exact variance (infinite where the second moment diverges).
    public var variance: Double {
        switch self {
        case .exponential(let m): return m * m
        case .deterministic: return 0
        case .uniform(let a, let b): return (b - a) * (b - a) / 12
        case .truncatedNormal(let mu, let sd):
            if sd == 0 { return 0 }
            let a = -mu / sd
            let lambda = standardNormalPDF(a) / standardNormalCDF(-a)
            return sd * sd * (1 + a * lambda - lambda * lambda)
        case .lognormal(let mu, let s): return expm1(s * s) * exp(2 * mu + s * s)
        case .gamma(let k, let theta): return k * theta * theta
        case .erlang(let k, let m): return m * m / Double(k)
        case .hyperexponential(let p, let r1, let r2):
            let m = p / r1 + (1 - p) / r2
            return 2 * p / (r1 * r1) + 2 * (1 - p) / (r2 * r2) - m * m
        case .weibull(let k, let l):
            let g1 = tgamma(1 + 1 / k)
            return l * l * (tgamma(1 + 2 / k) - g1 * g1)
        case .pareto(let xm, let a):
            return a > 2 ? xm * xm * a / ((a - 1) * (a - 1) * (a - 2)) : .infinity
        case .empirical(let e): return e.variance
        }
    }

    /// Squared coefficient of variation, variance / mean^2: what M/G/1 and M/G/c formulas need.
    public var squaredCV: Double {
        let m = mean
        return m > 0 ? variance / (m * m) : 0
    }

    // MARK: Sampling

    /// Draws one value. Allocation-free; most cases take one or two uniforms.
    @inlinable
    public func sample(_ rng: inout Xoshiro256StarStar) -> Double {
        switch self {
        case .exponential(let m):
            return -m * log(rng.nextOpenUniform())
        case .deterministic(let v):
            return v
        case .uniform(let a, let b):
            return a + (b - a) * rng.nextUniform()
        case .truncatedNormal(let mu, let sd):
            if sd == 0 { return Swift.max(mu, 0) }
            let a = -mu / sd
            if a > 0 {
                // The cut is above the mean: resampling would take 1 / (1 - Phi(a)) tries (3.5
                // million at a = 5), so use Robert's (1995) exponential proposal on [a, inf),
                // which accepts at least 76% of the time whatever a.
                let alpha = (a + (a * a + 4).squareRoot()) / 2
                while true {
                    let z = a - log(rng.nextOpenUniform()) / alpha
                    let d = z - alpha
                    if rng.nextUniform() < exp(-d * d / 2) { return Swift.max(mu + sd * z, 0) }
                }
            }
            while true {
                let x = mu + sd * Self.standardNormal(&rng)
                if x >= 0 { return x }
            }
        case .lognormal(let mu, let s):
            return exp(mu + s * Self.standardNormal(&rng))
        case .gamma(let k, let theta):
            return theta * Self.standardGamma(shape: k, &rng)
        case .erlang(let k, let m):
            var sum = 0.0
            for _ in 0..<k { sum -= log(rng.nextOpenUniform()) }
            return sum * m / Double(k)
        case .hyperexponential(let p, let r1, let r2):
            let rate = rng.nextUniform() < p ? r1 : r2
            return -log(rng.nextOpenUniform()) / rate
        case .weibull(let k, let l):
            return l * pow(-log(rng.nextOpenUniform()), 1 / k)
        case .pareto(let xm, let a):
            return xm * pow(rng.nextOpenUniform(), -1 / a)
        case .empirical(let e):
            return e.sample(&rng)
        }
    }

    /// A standard normal variate (the ziggurat method; see ``Ziggurat``).
    @inlinable
    public static func standardNormal(_ rng: inout Xoshiro256StarStar) -> Double {
        Ziggurat.normal(&rng)
    }

    /// A gamma(shape, 1) variate: Marsaglia and Tsang (2000), with the shape < 1 boost.
    @inlinable
    public static func standardGamma(shape: Double, _ rng: inout Xoshiro256StarStar) -> Double {
        if shape < 1 {
            let g = standardGamma(shape: shape + 1, &rng)
            return g * pow(rng.nextOpenUniform(), 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = standardNormal(&rng)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = rng.nextOpenUniform()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 { return d * v }
            if log(u) < 0.5 * x2 + d * (1 - v + log(v)) { return d * v }
        }
    }
}

/// Standard normal density.
public func standardNormalPDF(_ x: Double) -> Double { exp(-x * x / 2) / (2 * Double.pi).squareRoot() }
/// Standard normal distribution function.
public func standardNormalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

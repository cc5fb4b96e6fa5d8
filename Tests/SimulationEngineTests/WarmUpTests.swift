import Testing
@testable import SimulationEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// MSER-5 truncation (`WarmUp.mser5`) on series whose transient is known exactly.
///
/// How far MSER-5 cuts is random; the bounds below come from its criterion. With batch means
/// Z_1..Z_k (batches of 5) and SS_d the sum of squared deviations of Z_{d+1}..Z_k from their
/// mean, MSER(d) = SS_d / (k - d)^2. Dropping one more batch that lies delta from the rest
/// lowers MSER when delta^2 > about 2 SS_d / (k - d), twice the batch means' variance
/// sigma_b^2. So:
/// - a leading batch biased by 4 sigma_b is kept only if its noise cancels more than
///   (4 - sqrt 2) sigma_b of the bias: probability 0.5%, and keeping a run of them is far less
///   likely still, so MSER does not stop before the bias falls below 4 sigma_b;
/// - on stationary noise, cutting d batches wins only if they hold a share of SS at least
///   1 - (1 - d/k)^2 (about 2 d/k, twice their expected share); for d >= 50 that is a
///   chi-square(50) exceeding about twice its mean, probability below 1e-5 (and less for
///   larger d). So beyond the transient MSER cuts at most about 50 more batches.
@Suite struct WarmUpTests {
    /// Gaussian noise, by Box-Muller (written here rather than taken from the engine).
    static func noise(_ n: Int, sd: Double, seed: UInt64) -> [Double] {
        var rng = Xoshiro256StarStar(seed: seed)
        var out: [Double] = []
        out.reserveCapacity(n)
        while out.count < n {
            let r = (-2 * log(rng.nextOpenUniform())).squareRoot()
            let a = 2 * Double.pi * rng.nextUniform()
            out.append(sd * r * cos(a))
            if out.count < n { out.append(sd * r * sin(a)) }
        }
        return out
    }

    static func mean(_ xs: ArraySlice<Double>) -> Double { xs.reduce(0, +) / Double(xs.count) }

    /// x_i = 10 e^{-i/50} + N(0, 1), 5,000 observations. The batch means' standard deviation
    /// is sigma_b = 1/sqrt(5), so the bias is 4 sigma_b at i = 50 ln(10 / (4 sigma_b)) = 86
    /// and sigma_b / 4 (invisible) at i = 50 ln(40 / sigma_b) = 225. By the argument above
    /// the cut lies in [85, 225 + 250], rounded out to whole batches.
    @Test func anInitialTransientIsCutNearItsEnd() {
        let a = 10.0, tau = 50.0, sigma = 1.0, n = 5000
        let sigmaB = sigma / 5.0.squareRoot()
        let eps = Self.noise(n, sd: sigma, seed: 11)
        let xs = (0..<n).map { a * exp(-Double($0) / tau) + eps[$0] }
        let t = WarmUp.mser5(xs)
        let stillBiased = tau * log(a / (4 * sigmaB))   // 86
        let gone = tau * log(4 * a / sigmaB)             // 225
        #expect(t.batches == n / 5)
        #expect(t.reliable)
        #expect(t.observations % 5 == 0)
        #expect(Double(t.observations) >= (stillBiased / 5).rounded(.down) * 5, "cut at \(t.observations), bias there \(a * exp(-Double(t.observations) / tau))")
        #expect(Double(t.observations) <= (gone / 5).rounded(.up) * 5 + 250, "cut at \(t.observations)")
        // What the cut is for: the mean of the rest estimates the steady state (0) within 4.5
        // standard errors plus the bias left (sum over i >= d of a e^{-i/tau}, at most
        // a (tau + 1) e^{-d/tau}), while the mean of the whole series is biased by about
        // a tau / n = 0.1, seven standard errors.
        let rest = xs[t.observations...]
        let biasLeft = a * (tau + 1) * exp(-Double(t.observations) / tau) / Double(rest.count)
        #expect(abs(Self.mean(rest)) <= 4.5 * sigma / Double(rest.count).squareRoot() + biasLeft)
        #expect(Self.mean(xs[...]) > 4.5 * sigma / Double(n).squareRoot())
    }

    /// Stationary noise (mean 5, sd 1, 5,000 observations): MSER-5 cuts at most 50 batches
    /// (250 observations, 5%) and its minimum is in the first half (reliable).
    @Test(arguments: [UInt64(21), 22, 23])
    func aStationarySeriesIsTruncatedLittle(seed: UInt64) {
        let xs = Self.noise(5000, sd: 1, seed: seed).map { 5 + $0 }
        let t = WarmUp.mser5(xs)
        #expect(t.reliable)
        #expect(t.observations <= 250, "cut \(t.observations) of a stationary series")
    }

    /// Fewer than four batches cannot be judged at all; a series that is transient from end to
    /// end (here a decay with time constant the series' length, plus small noise) keeps
    /// improving MSER up to the half-way bound, which is reported as unreliable.
    @Test func aTooShortSeriesIsUnreliable() {
        for n in [0, 1, 5, 19] {
            let t = WarmUp.mser5(Array(repeating: 1, count: n))
            #expect(!t.reliable && t.observations == 0 && t.batches == n / 5, "n = \(n)")
        }
        let n = 400
        let eps = Self.noise(n, sd: 0.01, seed: 31)
        let xs = (0..<n).map { 10 * exp(-Double($0) / Double(n)) + eps[$0] }
        let t = WarmUp.mser5(xs)
        #expect(!t.reliable)
        #expect(t.observations == (n / 5) / 2 * 5)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Xoshiro256StarStar {
    /// An exponential gap with the given rate, by inversion: -ln(U)/rate with U in (0, 1], so
    /// a Poisson stream of that rate is a sum of these.
    @inlinable
    public mutating func exponential(rate: Double) -> Double { -log(nextOpenUniform()) / rate }

    /// A Poisson count with the given mean: by multiplying uniforms (Knuth) up to a mean of 50,
    /// by the normal approximation with continuity rounding beyond (its relative error in the
    /// mean and variance is then under 1%, and nothing in the platform's use depends on the
    /// shape of the far tails of a count this large).
    public mutating func poisson(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 50 {
            let x = (mean + mean.squareRoot() * Distribution.standardNormal(&self)).rounded()
            return Swift.max(0, Int(saturating: x))
        }
        let limit = exp(-mean)
        var k = 0
        var p = nextUniform()
        while p > limit { p *= nextUniform(); k += 1 }
        return k
    }
}

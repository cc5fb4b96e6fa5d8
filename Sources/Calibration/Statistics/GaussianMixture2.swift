/// A two-component Gaussian mixture fitted by EM to weighted points (a histogram): used on
/// log10 of the gaps between a user's requests, where think times and the gaps between
/// sessions form two modes.
struct GaussianMixture2 {
    var weight: (Double, Double)
    var mean: (Double, Double)
    var sd: (Double, Double)

    /// Fits from a start that puts one component on the short gaps and one on the long ones.
    static func fit(_ points: [(x: Double, n: Double)], iterations: Int = 500) -> GaussianMixture2? {
        let total = points.reduce(0) { $0 + $1.n }
        guard total > 0, let lo = points.first?.x, let hi = points.last?.x, hi > lo else { return nil }
        var m = GaussianMixture2(weight: (0.9, 0.1), mean: (lo + (hi - lo) * 0.25, lo + (hi - lo) * 0.8),
                                 sd: ((hi - lo) / 6, (hi - lo) / 6))
        for _ in 0..<iterations {
            var n0 = 0.0, n1 = 0.0, s0 = 0.0, s1 = 0.0, q0 = 0.0, q1 = 0.0
            for p in points {
                let a = m.weight.0 * normal(p.x, m.mean.0, m.sd.0)
                let b = m.weight.1 * normal(p.x, m.mean.1, m.sd.1)
                let z = a + b
                guard z > 0 else { continue }
                let r0 = p.n * a / z, r1 = p.n * b / z
                n0 += r0; n1 += r1; s0 += r0 * p.x; s1 += r1 * p.x; q0 += r0 * p.x * p.x; q1 += r1 * p.x * p.x
            }
            guard n0 > 1e-9, n1 > 1e-9 else { return nil }
            let mean0 = s0 / n0, mean1 = s1 / n1
            let floor = 0.05  // a bin's width: no component narrower than the histogram can show
            let next = GaussianMixture2(weight: (n0 / total, n1 / total), mean: (mean0, mean1),
                                        sd: (Swift.max(floor, (q0 / n0 - mean0 * mean0).squareRoot()), Swift.max(floor, (q1 / n1 - mean1 * mean1).squareRoot())))
            let change = abs(next.mean.0 - m.mean.0) + abs(next.mean.1 - m.mean.1)
            m = next
            if change < 1e-10 { break }
        }
        if m.mean.0 > m.mean.1 { m = GaussianMixture2(weight: (m.weight.1, m.weight.0), mean: (m.mean.1, m.mean.0), sd: (m.sd.1, m.sd.0)) }
        return m
    }

    /// Where, between the two means, the upper component becomes the likelier one.
    func crossing() -> Double? {
        func difference(_ x: Double) -> Double { weight.1 * Self.normal(x, mean.1, sd.1) - weight.0 * Self.normal(x, mean.0, sd.0) }
        var a = mean.0, b = mean.1
        guard difference(a) < 0, difference(b) > 0 else { return nil }
        for _ in 0..<100 {
            let c = (a + b) / 2
            if difference(c) < 0 { a = c } else { b = c }
        }
        return (a + b) / 2
    }

    static func normal(_ x: Double, _ m: Double, _ s: Double) -> Double {
        let z = (x - m) / s
        return exp(-z * z / 2) / (s * 2.5066282746310002)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

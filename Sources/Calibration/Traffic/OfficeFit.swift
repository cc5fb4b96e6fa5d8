import SimulationEngine

/// Users behind shared office IPs (NAT), from how many users each IP shows in a day.
///
/// The model puts a share f of the active users in offices whose sizes are
/// max(2, round(X)), X lognormal with mean m and CV c, and everyone else on an IP of their own.
/// A day's log shows only the users active that day (each with probability q, from the pool
/// estimate), so an office of S users shows Binomial(S, q) of them, and an office thinned to
/// one looks like a user alone. The expected number of IPs showing k users is
/// `solo q [k = 1] + offices sum_S g(S) Binomial(k; S, q)`; the four unknowns (solo users,
/// offices, m, c) are fitted by Poisson maximum likelihood over the histogram of k, by
/// Nelder-Mead on their logarithms. Intervals: IPs are independent clusters, so a bootstrap
/// replicate of the histogram is an independent Poisson draw per bin.
struct OfficeFit {
    var userFraction: Double
    var meanSize: Double
    var cvSize: Double

    /// Largest office considered: sizes beyond it have a negligible share for any fit that matters here.
    static let maxSize = 400

    /// Office-size probabilities g(S), S = 0...maxSize (0 and 1 never happen).
    static func sizes(mean m: Double, cv c: Double) -> [Double] {
        let sigma2 = log(1 + c * c), sigma = sigma2.squareRoot(), mu = log(m) - sigma2 / 2
        func cdf(_ x: Double) -> Double { x <= 0 ? 0 : standardNormalCDF((log(x) - mu) / sigma) }
        var g = [Double](repeating: 0, count: maxSize + 1)
        g[2] = cdf(2.5)
        var s = 3
        while s <= maxSize {
            g[s] = cdf(Double(s) + 0.5) - cdf(Double(s) - 0.5)
            if s > 20 && g[s] < 1e-12 && cdf(Double(s) + 0.5) > 1 - 1e-12 { break }
            s += 1
        }
        return g
    }

    /// Fits the histogram `counts[k]` (IPs showing k users, k >= 1) given the seen share q.
    /// Binomial(k; S, q) for S up to maxSize and k up to kmax: the thinning of an office of S.
    static func thinning(seen q: Double, kmax: Int) -> [[Double]] {
        let lq = log(q), l1q = q < 1 ? log(1 - q) : -Double.infinity
        var binomial = [[Double]](repeating: [], count: maxSize + 1)
        for s in 2...maxSize {
            var row = [Double](repeating: 0, count: kmax + 1)
            for k in 1...Swift.min(s, kmax) {
                let lc = lgamma(Double(s + 1)) - lgamma(Double(k + 1)) - lgamma(Double(s - k + 1))
                let tail = s == k ? 0 : Double(s - k) * l1q
                row[k] = tail.isFinite ? exp(lc + Double(k) * lq + tail) : 0
            }
            binomial[s] = row
        }
        return binomial
    }

    /// - Parameter fixedCV: when given, the size CV is held there and only the other three are
    ///   fitted (a few dozen shared IPs cannot tell a large mean from a wide spread).
    static func fit(_ counts: [Double], seen q: Double, fixedCV: Double? = nil, thinning: [[Double]]? = nil, start: [Double]? = nil,
                    iterations: Int = 3000) -> (fit: OfficeFit, parameters: [Double])? {
        let kmax = counts.count - 1
        guard kmax >= 2, counts.dropFirst(2).reduce(0, +) > 0 else { return nil }
        let binomial = thinning ?? Self.thinning(seen: q, kmax: kmax)
        func full(_ p: [Double]) -> [Double] { fixedCV.map { p.prefix(3) + [log($0)] } ?? p }
        func expected(_ p: [Double]) -> [Double] {
            let solo = exp(p[0]), offices = exp(p[1]), m = exp(p[2]), c = exp(p[3])
            let g = sizes(mean: m, cv: c)
            var e = [Double](repeating: 0, count: kmax + 1)
            e[1] = solo * q
            for s in 2...maxSize where g[s] > 0 {
                let row = binomial[s]
                for k in 1...Swift.min(s, kmax) { e[k] += offices * g[s] * row[k] }
            }
            return e
        }
        func nll(_ q: [Double]) -> Double {
            let p = full(q)
            guard p.allSatisfy({ $0.isFinite && abs($0) < 40 }) else { return .infinity }
            let e = expected(p)
            var total = 0.0
            for k in 1...kmax {
                let x = Swift.max(e[k], 1e-300)
                total += x - counts[k] * log(x)
            }
            return total
        }
        let sharedIPs = (2...kmax).reduce(0.0) { $0 + counts[$1] }
        let sharedUsers = (2...kmax).reduce(0.0) { $0 + Double($1) * counts[$1] }
        let guess = start ?? [log(Swift.max(1, counts[1] / q)), log(Swift.max(1, sharedIPs)), log(Swift.max(1, sharedUsers / sharedIPs / q)), log(0.8)]
        let p = full(NelderMead.minimize(nll, start: fixedCV == nil ? guess : Array(guess.prefix(3)), step: 0.5, iterations: iterations))
        let g = sizes(mean: exp(p[2]), cv: exp(p[3]))
        let meanSize = (2...maxSize).reduce(0.0) { $0 + Double($1) * g[$1] }
        let inOffices = exp(p[1]) * meanSize
        let fraction = inOffices / (inOffices + exp(p[0]))
        return (OfficeFit(userFraction: fraction, meanSize: exp(p[2]), cvSize: exp(p[3])), p)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

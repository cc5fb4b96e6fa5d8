/// Parsing of the compact text form used on the command line and in model files:
/// `exp:MEAN`, `det:VALUE`, `uniform:LO,HI`, `normal:MEAN,SD`, `lognormal:MEAN,CV`,
/// `gamma:MEAN,CV`, `erlang:K,MEAN`, `hyperexp:MEAN,CV`, `weibull:SHAPE,SCALE`,
/// `pareto:SCALE,SHAPE`, `empirical:V1,V2,...` (each listed value equally likely). Values are in whatever unit the caller states (the model files use
/// milliseconds and convert).
extension Distribution {
    /// The largest magnitude of a number in a spec: 10^15 of the caller's unit (31 million
    /// years in seconds, 32 years in microseconds). Far past any time or count a model needs,
    /// and small enough that scaling to seconds and sampling keep every value finite.
    public static let largestSpecNumber = 1e15
    /// The largest coefficient of variation a spec may ask for: 100. Measured service and
    /// latency CVs are under 10; past 100 a lognormal's mean is carried by draws so rare that
    /// no simulated window sees them, and a hyperexponential's rates underflow.
    public static let largestCV = 100.0

    /// The spellings accepted by ``init(spec:)``, for help and error texts.
    public static let specForms = "exp:MEAN, det:VALUE, uniform:LO,HI, normal:MEAN,SD, lognormal:MEAN,CV, gamma:MEAN,CV, erlang:K,MEAN, hyperexp:MEAN,CV, weibull:SHAPE,SCALE, pareto:SCALE,SHAPE, empirical:V1,V2,..."

    public init(spec: String) throws {
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw DistributionError("'\(spec)' is not a distribution; expected one of \(Self.specForms)")
        }
        let name = parts[0].trimmingCharactersInSpaces().lowercased()
        let rawArgs = parts[1].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharactersInSpaces() }
        var args: [Double] = []
        for a in rawArgs {
            guard let v = Double(a), v.isFinite else { throw DistributionError("'\(a)' in '\(spec)' is not a number") }
            guard abs(v) <= Self.largestSpecNumber else {
                throw DistributionError("'\(a)' in '\(spec)' is too large: numbers in a distribution are at most 1e15")
            }
            args.append(v)
        }
        /// A CV argument within ``largestCV``.
        func cv(_ i: Int) throws {
            guard args[i] <= Self.largestCV else {
                throw DistributionError("the cv in '\(spec)' must be at most 100 (measured latency CVs are under 10), got \(rawArgs[i])")
            }
        }
        func need(_ n: Int, _ form: String) throws {
            guard args.count == n else { throw DistributionError("'\(spec)' needs \(n) number\(n == 1 ? "" : "s"): \(form)") }
        }
        switch name {
        case "exp", "exponential":
            try need(1, "exp:MEAN"); self = try .exponential(checkedMean: args[0])
        case "det", "deterministic", "const":
            try need(1, "det:VALUE"); self = try .deterministic(checked: args[0])
        case "uniform":
            try need(2, "uniform:LO,HI"); self = try .uniform(checkedLow: args[0], high: args[1])
        case "normal":
            try need(2, "normal:MEAN,SD"); self = try .normal(mean: args[0], standardDeviation: args[1])
        case "lognormal":
            try need(2, "lognormal:MEAN,CV"); try cv(1); self = try .lognormal(mean: args[0], cv: args[1])
        case "gamma":
            try need(2, "gamma:MEAN,CV"); try cv(1); self = try .gamma(mean: args[0], cv: args[1])
        case "erlang":
            try need(2, "erlang:K,MEAN")
            guard args[0] == args[0].rounded(), args[0] >= 1, args[0] <= 10_000 else {
                throw DistributionError("erlang K must be a whole number from 1, got \(rawArgs[0])")
            }
            self = try .erlang(checkedPhases: Int(args[0]), mean: args[1])
        case "hyperexp", "hyperexponential", "h2":
            try need(2, "hyperexp:MEAN,CV"); try cv(1); self = try .hyperexponential(mean: args[0], cv: args[1])
        case "weibull":
            try need(2, "weibull:SHAPE,SCALE")
            // Below 0.2 the CV passes 15 and the mean's gamma function grows past any time.
            guard args[0] >= 0.2, args[0] <= 100 else {
                throw DistributionError("weibull SHAPE must be between 0.2 and 100, got \(rawArgs[0])")
            }
            self = try .weibull(checkedShape: args[0], scale: args[1])
        case "pareto":
            try need(2, "pareto:SCALE,SHAPE")
            // At SHAPE <= 1 the mean is infinite: no queue with such service times settles.
            guard args[1] > 1, args[1] <= 1000 else {
                throw DistributionError("pareto SHAPE must be above 1 (a finite mean) and at most 1000, got \(rawArgs[1])")
            }
            self = try .pareto(checkedScale: args[0], shape: args[1])
        case "empirical":
            self = .empirical(try EmpiricalDistribution(observations: args))
        default:
            throw DistributionError("unknown distribution '\(name)'; expected one of \(Self.specForms)")
        }
    }

    /// The same distribution with every time scaled by `factor` (e.g. milliseconds to seconds).
    public func scaled(by factor: Double) -> Distribution {
        switch self {
        case .exponential(let m): return .exponential(mean: m * factor)
        case .deterministic(let v): return .deterministic(v * factor)
        case .uniform(let a, let b): return .uniform(low: a * factor, high: b * factor)
        case .truncatedNormal(let m, let s): return .truncatedNormal(mean: m * factor, standardDeviation: s * factor)
        case .lognormal(let mu, let s): return .lognormal(mu: mu + log(factor), sigma: s)
        case .gamma(let k, let t): return .gamma(shape: k, scale: t * factor)
        case .erlang(let k, let m): return .erlang(phases: k, mean: m * factor)
        case .hyperexponential(let p, let r1, let r2): return .hyperexponential(p: p, rate1: r1 / factor, rate2: r2 / factor)
        case .weibull(let k, let l): return .weibull(shape: k, scale: l * factor)
        case .pareto(let xm, let a): return .pareto(scale: xm * factor, shape: a)
        case .empirical(let e):
            // Scaling keeps the table's shape; rebuild with scaled values.
            if e.isTable { return .empirical(try! EmpiricalDistribution(observations: e.values.map { $0 * factor })) }
            return .empirical(try! EmpiricalDistribution(cdfPoints: zip(e.values, e.cumulative).map { ($0 * factor, $1) }))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Substring {
    func trimmingCharactersInSpaces() -> String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

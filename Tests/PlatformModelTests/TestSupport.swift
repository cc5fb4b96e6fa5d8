import Foundation
import ModelSchema
import PlatformModel
import SimulationEngine

// Helpers shared by the platform tests: closed-form queueing results computed independently of
// the program, and loading and running the real model files. Random draws come from the engine
// (`Xoshiro256StarStar.exponential(rate:)`, checked against theory in the engine's tests).

// MARK: - Statistics

enum Stats {
    /// The chi-square quantile by the Wilson-Hilferty approximation (accurate to well under 1%
    /// for the degrees of freedom used here, far more than a critical value needs).
    static func chiSquareQuantile(_ p: Double, degreesOfFreedom k: Double) -> Double {
        let z = normalQuantile(p)
        let a = 2 / (9 * k)
        return k * pow(1 - a + z * a.squareRoot(), 3)
    }

    /// The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
    static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1)
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -normalQuantile(1 - p) }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }

    /// The t interval of the mean of paired differences a[i] - b[i] (common random numbers:
    /// the same seed in both configurations).
    static func pairedDifference(_ a: [Double], _ b: [Double], confidence: Double = 0.99) -> ConfidenceInterval {
        precondition(a.count == b.count)
        return ConfidenceInterval(samples: zip(a, b).map { $0 - $1 }, confidence: confidence)
    }
}

// MARK: - Queueing theory, written out independently of SimulationEngine/Analytic

enum Theory {
    /// Erlang C by the textbook sum: P(wait) in M/M/c with offered load a = lambda/mu < c.
    static func erlangC(servers c: Int, offeredLoad a: Double) -> Double {
        var term = 1.0, sum = 1.0  // a^k / k! for k = 0
        for k in 1..<c {
            term *= a / Double(k)
            sum += term
        }
        let top = term * a / Double(c) * Double(c) / (Double(c) - a)  // a^c / c! * c / (c - a)
        return top / (sum + top)
    }

    /// M/M/c+D: c servers, FIFO, every waiter leaves exactly D after arriving if not served by
    /// then. The offered wait V (what a patient arrival would wait) has, by level crossing
    /// (M/M/n+G of Baccelli and Hebuterne 1981, Zeltyn and Mandelbaum 2005, with G a step at D),
    /// the density f(x) = lambda pi_{c-1} e^{(lambda - c mu) x} for 0 < x <= D and
    /// lambda pi_{c-1} e^{lambda D - c mu x} beyond, where pi_j = pi_0 a^j / j! (j < c) are the
    /// states with a free server. An arrival waits when V > 0 and times out when V > D (PASTA).
    static func mmcPlusD(arrivalRate lambda: Double, serviceRate mu: Double, servers c: Int, patience d: Double)
        -> (waitProbability: Double, abandonProbability: Double) {
        let cmu = Double(c) * mu
        // pi_j / pi_0 = a^j / j! for j < c (fewer than c busy, nobody waits).
        let a = lambda / mu
        var term = 1.0, sum = 1.0
        for k in 1..<c { term *= a / Double(k); sum += term }
        let piLast = term  // pi_{c-1} / pi_0
        // f(x) = lambda pi_{c-1} e^{(lambda - c mu) x} for 0 < x <= D, lambda pi_{c-1} e^{lambda D - c mu x} beyond.
        let r = lambda - cmu
        let below = abs(r) < 1e-12 ? d : (exp(r * d) - 1) / r
        let above = exp(r * d) / cmu
        let waitMass = lambda * piLast * (below + above)   // / pi_0
        let abandonMass = lambda * piLast * above          // / pi_0
        let total = sum + waitMass
        return (waitMass / total, abandonMass / total)
    }
}

// MARK: - The real model files

enum PlatformFixture {
    /// The package root, found from this file's path (Tests/PlatformModelTests/TestSupport.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var modelPath: String { root.appendingPathComponent("Models/platform.yaml").path }

    /// Loads one configuration of Models/platform.yaml with `--set`-style overrides.
    static func model(_ configuration: String, users: Int, overrides: [String] = []) throws -> PlatformModel {
        try PlatformModelFile.load(modelPath, configuration: configuration, overrides: overrides, users: users).0
    }

    /// A short window: two minutes of warm-up, then `duration` seconds measured in the peak hour.
    static func settings(seed: UInt64, duration: Double = 300) -> RunSettings {
        RunSettings(seed: seed, replication: 0, startHour: nil, warmUp: 120, duration: duration, timeSeriesInterval: 10)
    }

    static func run(_ configuration: String, users: Int = 50_000, seed: UInt64 = 1, duration: Double = 300,
                    overrides: [String] = []) throws -> RunResult {
        let model = try model(configuration, users: users, overrides: overrides)
        return PlatformRun.run(model: model, settings: settings(seed: seed, duration: duration))
    }

    /// Overrides that replace the authenticated endpoint mix by `weights` (every other endpoint of
    /// the base mix set to 0, since an override merges into the mapping key by key).
    static func mixOverrides(_ weights: [String: Double]) throws -> [String] {
        let base = try model("current", users: 1000)
        var out: [String] = []
        for (endpoint, _) in base.traffic.authenticatedMix {
            let name = base.endpoints[endpoint].name
            out.append("traffic.authenticatedMix.\(name)=\(weights[name] ?? 0)")
        }
        return out
    }

    /// Overrides that switch every rate limiter off (in the phases that enable them too: overrides
    /// apply after the overlays).
    static func noRateLimits() throws -> [String] {
        // phase1 enables every limiter the base file declares; the loader keeps only enabled ones.
        try model("phase1", users: 1000).rateLimiters.map { "rateLimiters.\($0.name).enabled=false" }
    }

    static func component(_ name: String, in r: RunResult) -> ComponentMetrics? {
        r.components.first { $0.name == name }
    }

    static func endpoint(_ name: String, in r: RunResult) -> EndpointResult? {
        r.endpoints.first { $0.name == name }
    }
}

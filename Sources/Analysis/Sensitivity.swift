import PlatformModel
import SimulationEngine

/// One-at-a-time sensitivity: each assumption moved to the low and the high end of a range,
/// everything else as modelled, the same seed throughout (common random numbers), and the
/// effect on p99 latency, the users the configuration takes before a component saturates,
/// and the monthly cost.
public enum Sensitivity {
    /// A parameter's baseline text and the override texts for its low and high ends.
    public struct Perturbation: Sendable, Equatable, Codable {
        public init(path: String, baseline: String, low: String, high: String) {
            self.path = path; self.baseline = baseline; self.low = low; self.high = high
        }
        public var path: String
        public var baseline: String
        public var low: String
        public var high: String
        /// The low end rounds back to the baseline (a whole number such as 1): nothing to run.
        public var lowIsBaseline: Bool { low == baseline }
    }

    /// The low and high values of a model parameter written as `value`: a number scaled by
    /// (1 - spread) and (1 + spread), whole numbers kept whole and at least 1, shares kept
    /// within [0, 1]; a distribution has its mean (its first number, or every value of an
    /// empirical table) scaled the same way. Nil for what cannot be scaled (text, lists,
    /// booleans, zero). A whole number that cannot go lower (1) keeps its low end at the
    /// baseline (``Perturbation/lowIsBaseline``): the study then runs only its high end.
    public static func perturbation(path: String, value: String, spread: Double) -> Perturbation? {
        let trimmed = value.trimmingSpaces()
        func scaled(_ x: Double, _ f: Double, whole: Bool, share: Bool) -> String {
            var y = x * f
            if share { y = Swift.min(1, y) }
            if whole { return String(Swift.max(1, Int(y.rounded()))) }
            return format(y)
        }
        if let x = Double(trimmed.filter { $0 != "_" }), x != 0, x.isFinite {
            // Whole only within what an Int holds after scaling ("inf" and "nan" read as numbers too).
            let whole = !trimmed.contains(".") && !trimmed.contains("e") && !trimmed.contains("E") && abs(x) < 1e15
            let share = !whole && x <= 1 && (path.lowercased().contains("fraction") || path.lowercased().contains("probability")
                                            || path.lowercased().contains("share") || path.lowercased().contains("ratio"))
            let low = scaled(x, 1 - spread, whole: whole, share: share), high = scaled(x, 1 + spread, whole: whole, share: share)
            guard low != trimmed || high != trimmed else { return nil }
            return Perturbation(path: path, baseline: trimmed, low: low, high: high)
        }
        // A distribution spec: NAME:A,B,...
        let parts = trimmed.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, (try? Distribution(spec: trimmed)) != nil else { return nil }
        let name = String(parts[0]).lowercased()
        let numbers = parts[1].split(separator: ",").map { Double($0.trimmingSpaces()) ?? .nan }
        guard !numbers.contains(where: \.isNaN) else { return nil }
        func spec(_ f: Double) -> String {
            var n = numbers
            switch name {
            case "empirical", "uniform": n = n.map { $0 * f }
            case "erlang": n[1] *= f                      // erlang:K,MEAN
            case "weibull": n[1] *= f                     // weibull:SHAPE,SCALE
            default: n[0] *= f                            // exp, det, normal, lognormal, gamma, hyperexp: the mean; pareto: the scale
            }
            return "\(parts[0]):" + n.map(format).joined(separator: ",")
        }
        return Perturbation(path: path, baseline: trimmed, low: spec(1 - spread), high: spec(1 + spread))
    }

    /// What a run shows: the figures the tornado charts plot and the SLO's verdict.
    public struct Outcome: Sendable, Equatable, Codable {
        public var p99Ms: Double
        /// Users at which the first component saturates (see ``Diagnosis/headroom(for:model:)``).
        public var capacityUsers: Double
        public var monthlyUSD: Double
        /// Share of requests failing in ways the SLO counts (server errors and false 429s, see
        /// ``ServiceLevelObjective``).
        public var errorRate: Double
        /// Whether the run meets the SLO.
        public var meetsSLO: Bool
        public init(p99Ms: Double, capacityUsers: Double, monthlyUSD: Double, errorRate: Double, meetsSLO: Bool) {
            self.p99Ms = p99Ms; self.capacityUsers = capacityUsers; self.monthlyUSD = monthlyUSD
            self.errorRate = errorRate; self.meetsSLO = meetsSLO
        }
        /// The mean of several seeds' outcomes; the SLO counts as met when more than half of
        /// them meet it.
        public init(averaging outcomes: [Outcome]) {
            let n = Double(Swift.max(1, outcomes.count))
            func mean(_ f: (Outcome) -> Double) -> Double { outcomes.reduce(0) { $0 + f($1) } / n }
            self.init(p99Ms: mean(\.p99Ms), capacityUsers: mean(\.capacityUsers), monthlyUSD: mean(\.monthlyUSD),
                      errorRate: mean(\.errorRate), meetsSLO: 2 * outcomes.filter(\.meetsSLO).count > outcomes.count)
        }
        public init(_ run: DiagnosedRun, slo: ServiceLevelObjective) {
            p99Ms = run.result.latencyMs.p99
            capacityUsers = Double(run.diagnosis.headroom?.saturatesAt ?? run.result.users)
            monthlyUSD = run.diagnosis.cost.monthlyUSD
            let verdict = slo.verdict(run.result)
            errorRate = verdict.countedErrorRate
            meetsSLO = verdict.misses.isEmpty
        }
    }

    public struct Effect: Sendable, Equatable, Codable {
        public var perturbation: Perturbation
        public var low: Outcome
        public var high: Outcome
        public init(perturbation: Perturbation, low: Outcome, high: Outcome) {
            self.perturbation = perturbation; self.low = low; self.high = high
        }
        /// Whether moving the parameter changed nothing the study records: with the same random
        /// numbers, a setting that is off in this configuration (a disabled cache's TTL, a fault
        /// that is not triggered) gives the baseline's run again.
        public func changesNothing(from base: Outcome) -> Bool { low == base && high == base }

        /// Largest swing of the three figures relative to the baseline, for ordering.
        public func swing(from base: Outcome) -> Double {
            func rel(_ a: Double, _ b: Double, _ base: Double) -> Double { base > 0 ? abs(a - b) / base : 0 }
            return Swift.max(rel(low.p99Ms, high.p99Ms, base.p99Ms), rel(low.capacityUsers, high.capacityUsers, base.capacityUsers),
                             rel(low.monthlyUSD, high.monthlyUSD, base.monthlyUSD))
        }
    }

    static func format(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        let r = (x * 1e6).rounded() / 1e6
        return String(r)
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

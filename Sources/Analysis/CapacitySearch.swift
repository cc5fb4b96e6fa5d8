import PlatformModel
import SimulationEngine

/// The largest user count at which one configuration meets an SLO: a bisection over users
/// between a count that meets it and one that does not, each count sized by the
/// configuration's scaling rules and judged on the means of its replications (as an
/// experiment's cell is: ``ServiceLevelObjective/verdict(_:)-([RunResult])``).
///
/// The search assumes that a configuration that fails at some user count fails at every
/// larger one. Near the boundary a count's verdict is itself noisy: the outcome says when
/// the SLO's bound lies inside the 95% interval of p99 or of the errors at either side of
/// the answer, where more replications could move it.
public enum CapacitySearch {
    /// One user count tried.
    public struct Step: Sendable {
        public var users: Int
        public var runs: [DiagnosedRun]
        /// The verdict on the runs' means.
        public var verdict: SLOVerdict
        public var p99Ms: Estimate
        /// The error share the SLO counts, over the runs.
        public var sloErrors: Estimate
        public var meets: Bool { verdict.meets }

        public init(users: Int, runs: [DiagnosedRun], slo: ServiceLevelObjective) {
            self.users = users
            self.runs = runs
            verdict = slo.verdict(runs.map(\.result))
            p99Ms = Estimate(runs.map(\.result.latencyMs.p99))
            sloErrors = Estimate(runs.map { slo.verdict($0.result).countedErrorRate })
        }

        /// The bottleneck most runs name (ties: the first in name order), with how many name it.
        public var bottleneck: (cause: Cause, runs: Int) {
            var counts: [String: Int] = [:]
            for r in runs { counts[r.diagnosis.bottleneck.component, default: 0] += 1 }
            let top = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!
            return (runs.map(\.diagnosis.bottleneck).first { $0.component == top.key }!, top.value)
        }

        /// Whether the SLO's bounds lie inside this count's 95% intervals (so that its verdict
        /// could go the other way with more replications): p99, errors, or both.
        public func boundsInsideIntervals(_ slo: ServiceLevelObjective) -> [String] {
            var out: [String] = []
            if p99Ms.halfWidth.isFinite && abs(p99Ms.mean - slo.p99Ms) <= p99Ms.halfWidth { out.append("p99") }
            if sloErrors.halfWidth.isFinite && abs(sloErrors.mean - slo.errorRate) <= sloErrors.halfWidth { out.append("errors") }
            return out
        }
    }

    public struct Outcome: Sendable {
        /// Every count tried, in order.
        public var steps: [Step]
        /// The largest count tried that meets the SLO (nil when even the lowest fails).
        public var largestMeeting: Step?
        /// The smallest count tried that fails (nil when even the highest meets).
        public var smallestFailing: Step?
    }

    /// Bisects (geometrically, users rounded to three significant digits) until the failing
    /// count is within `precision` of the meeting one or `maxSteps` counts were tried.
    /// - Parameters:
    ///   - evaluate: the runs of one user count (the caller simulates them).
    ///   - log: called after each step.
    public static func search(low: Int, high: Int, slo: ServiceLevelObjective, precision: Double = 0.05, maxSteps: Int = 20,
                              evaluate: (Int) throws -> [DiagnosedRun], log: (Step) -> Void = { _ in }) rethrows -> Outcome {
        precondition(low >= 1 && high > low && precision > 0 && maxSteps >= 2)
        var steps: [Step] = []
        func step(_ users: Int) throws -> Step {
            let s = Step(users: users, runs: try evaluate(users), slo: slo)
            steps.append(s)
            log(s)
            return s
        }
        var lo = try step(low)
        guard lo.meets else { return Outcome(steps: steps, largestMeeting: nil, smallestFailing: lo) }
        var hi = try step(high)
        guard !hi.meets else { return Outcome(steps: steps, largestMeeting: hi, smallestFailing: nil) }
        while Double(hi.users) > Double(lo.users) * (1 + precision) && steps.count < maxSteps {
            let mid = midpoint(lo.users, hi.users)
            guard mid > lo.users && mid < hi.users else { break }
            let s = try step(mid)
            if s.meets { lo = s } else { hi = s }
        }
        return Outcome(steps: steps, largestMeeting: lo, smallestFailing: hi)
    }

    /// The geometric mean of two counts, rounded to three significant digits when that stays
    /// strictly between them (so that the counts tried read like `548k`).
    static func midpoint(_ a: Int, _ b: Int) -> Int {
        let g = (Double(a) * Double(b)).squareRoot()
        var scale = 1.0
        while g / scale >= 1000 { scale *= 10 }
        let rounded = Int((g / scale).rounded() * scale)
        if rounded > a && rounded < b { return rounded }
        return a + (b - a) / 2
    }
}

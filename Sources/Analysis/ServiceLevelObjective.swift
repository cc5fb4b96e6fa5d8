import PlatformModel
import Formatting

/// A service-level objective: p99 latency and error rate at most these, with background work
/// keeping up.
///
/// The error budget counts what the platform got wrong: server errors (5xx, timeouts, refused
/// connections) and false 429s (a user within their own budget refused because others behind
/// the same IP used it). A 429 for a user over their own budget is the rate-limit policy doing
/// its job: it is reported beside the SLO, not counted in it, unless `countsIntendedRateLimits`
/// says otherwise (an experiment file's `slo: {countIntended429s: true}`).
public struct ServiceLevelObjective: Sendable, Equatable, Codable {
    public var p99Ms: Double
    public var errorRate: Double
    public var countsIntendedRateLimits: Bool

    public init(p99Ms: Double, errorRate: Double, countsIntendedRateLimits: Bool = false) {
        self.p99Ms = p99Ms; self.errorRate = errorRate; self.countsIntendedRateLimits = countsIntendedRateLimits
    }

    /// Parses `p99<=300ms,errors<=0.1%` (terms in any order; `s` or `ms`; `%` or a fraction).
    public init(parsing text: String) throws {
        var p99: Double?, errors: Double?
        for raw in text.split(separator: ",") {
            let term = raw.filter { $0 != " " }
            let parts = term.split(separator: "<", maxSplits: 1)
            guard parts.count == 2, parts[1].hasPrefix("=") else { throw SizingError("'\(raw)' is not a term like p99<=300ms or errors<=0.1%") }
            let name = parts[0].lowercased()
            var value = String(parts[1].dropFirst())
            var scale = 1.0
            if name == "p99" {
                if value.hasSuffix("ms") { value.removeLast(2) } else if value.hasSuffix("s") { value.removeLast(); scale = 1000 }
                guard let v = Double(value), v > 0, v * scale <= 86_400_000 else {
                    throw SizingError("p99 bound '\(parts[1].dropFirst())' must be a positive time of at most a day, such as 300ms")
                }
                p99 = v * scale
            } else if name == "errors" || name == "errorrate" {
                if value.hasSuffix("%") { value.removeLast(); scale = 0.01 }
                guard let v = Double(value), v >= 0, v * scale <= 1 else { throw SizingError("errors bound '\(parts[1].dropFirst())' must be a share such as 0.1%") }
                errors = v * scale
            } else {
                throw SizingError("unknown SLO term '\(parts[0])' (use p99 and errors)")
            }
        }
        guard let p99, let errors else { throw SizingError("the SLO needs both terms, such as p99<=300ms,errors<=0.1%") }
        self.init(p99Ms: p99, errorRate: errors)
    }

    /// Whether a kind of error counts against the budget.
    public func counts(_ kind: ErrorKind) -> Bool { kind != .rateLimited || countsIntendedRateLimits }

    /// The verdict on figures (a run's, or a cell's means over its runs).
    /// - Parameters:
    ///   - errorShare: each kind's share of requests.
    ///   - jobsLostShare: jobs dead-lettered per job enqueued (work accepted and never done).
    ///   - workerUtilization: the worker slots' busy share, when the configuration has workers.
    public func verdict(p99Ms p99: Double, errorShare: (ErrorKind) -> Double, jobsLostShare: Double, workerUtilization: Double?) -> SLOVerdict {
        let counted = ErrorKind.allCases.filter(counts).reduce(0) { $0 + errorShare($1) }
        let intended = countsIntendedRateLimits ? 0 : errorShare(.rateLimited)
        var misses: [SLOVerdict.Miss] = []
        if p99 > p99Ms { misses.append(.p99(p99)) }
        if counted > errorRate { misses.append(.errors(counted)) }
        if let w = workerUtilization, w > DiagnosisRules.saturation { misses.append(.workersSaturated(w)) }
        if jobsLostShare > errorRate { misses.append(.jobsLost(jobsLostShare)) }
        return SLOVerdict(misses: misses, countedErrorRate: counted, intendedRateLimitedShare: intended)
    }

    /// The verdict on one run.
    public func verdict(_ r: RunResult) -> SLOVerdict { verdict([r]) }

    /// The verdict on several runs of one configuration at one user count (seeds or
    /// replications), judged as an experiment's cell is: on the mean p99, the mean share of
    /// each error kind, the jobs lost of all jobs enqueued and the mean worker utilization.
    public func verdict(_ runs: [RunResult]) -> SLOVerdict {
        precondition(!runs.isEmpty, "a verdict needs a run")
        let n = Double(runs.count)
        let p99 = runs.reduce(0) { $0 + $1.latencyMs.p99 } / n
        let enqueued = runs.reduce(0) { $0 + $1.jobs.reduce(0) { $0 + $1.enqueued } }
        let lost = runs.reduce(0) { $0 + $1.jobs.reduce(0) { $0 + $1.deadLettered } }
        let workers = runs.compactMap { r in r.components.first { $0.kind == .workers }?.utilization }
        return verdict(p99Ms: p99, errorShare: { kind in runs.reduce(0) { $0 + Double($1.errors[kind]) / Double(Swift.max(1, $1.requests)) } / n },
                       jobsLostShare: enqueued > 0 ? Double(lost) / Double(enqueued) : 0,
                       workerUtilization: workers.isEmpty ? nil : workers.reduce(0, +) / Double(workers.count))
    }

    public var description: String {
        "p99 <= \(p99Ms) ms, errors <= \(errorRate * 100)%" + (countsIntendedRateLimits ? " (intended 429s counted)" : "")
    }
}

/// Whether figures meet an SLO, and what misses.
public struct SLOVerdict: Sendable, Equatable, Codable {
    public enum Miss: Sendable, Equatable, Codable {
        case p99(Double)
        case errors(Double)
        case workersSaturated(Double)
        case jobsLost(Double)

        /// The stable name in CSV and JSON.
        public var name: String {
            switch self {
            case .p99: "p99"
            case .errors: "errors"
            case .workersSaturated: "workersSaturated"
            case .jobsLost: "jobsLost"
            }
        }
    }

    public var misses: [Miss]
    /// The error share the budget counts (server errors and false 429s, and intended 429s
    /// when the SLO says so).
    public var countedErrorRate: Double
    /// Intended 429s, reported beside the SLO (0 when the SLO counts them).
    public var intendedRateLimitedShare: Double

    public var meets: Bool { misses.isEmpty }

    /// What misses, by the misses' stable names (`p99`, `errors`, `workersSaturated`, `jobsLost`).
    public var missNames: [String] { misses.map(\.name) }

    /// `p99 4,276 ms, errors 3.33%`, or nil when met.
    public var shortfall: String? {
        guard !misses.isEmpty else { return nil }
        return misses.map { m -> String in
            switch m {
            case .p99(let x): "p99 \(Format.number(x)) ms"
            case .errors(let x): "error rate \(Format.percent(x, 2))"
            case .workersSaturated(let u): "workers \(Format.percent(u, 0)) busy"
            case .jobsLost(let s): "\(Format.percent(s, 2)) of jobs lost"
            }
        }.joined(separator: ", ")
    }
}

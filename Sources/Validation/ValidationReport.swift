import Foundation
import PlatformModel
import Reports

/// Predicted against measured for every configuration and load level of a validation, as a
/// markdown notebook with SVG charts (`Notebooks/validation.md`), and whether each of the
/// issue's targets is met.
///
/// Targets: below saturation, throughput within 4%, mean latency within 10%, p95 and p99 within
/// 20%; at every level, errors of each kind within 20% of the measured count or 0.2 percentage
/// points of all requests, whichever is larger; the saturation point (the first level where
/// p99 of the requests that wait on no provider exceeds 10 times its low-load value, or errors
/// other than 429s exceed 1%) at the same level.
public struct ValidationReport {
    public struct Level {
        public var run: ValidationRun
        public var measured: LevelFigures
        public var predicted: LevelFigures
        /// Each replication's figures (their spread is the simulator's own noise).
        public var replications: [LevelFigures]
        /// The same trace measured a second time on the same testbed (`Testbed/validate.sh
        /// --repeat`): how far two measurements of one level differ.
        public var repeated: LevelFigures? = nil
        /// Seconds the hypervisor stole in the second measurement's window (nil: not recorded).
        public var repeatedStolenSeconds: Double? = nil
    }
    public struct Configuration {
        public var name: String
        /// Levels by offered load, the baseline first.
        public var levels: [Level]
        /// Endpoints that wait on a provider in this configuration (left out of the saturation criterion's p99).
        public var waitsOnProvider: Set<String> = []
        public var baseline: Level? { levels.first { $0.run.level.baseline } }
        public var judged: [Level] { levels.filter { !$0.run.level.baseline } }
    }
    public var configurations: [Configuration]
    public var replications: Int
    /// The command that made the notebook, for the reader to run again.
    public var command: String

    public static let throughputTarget = 0.04, meanTarget = 0.10, tailTarget = 0.20
    public static let errorShareTarget = 0.20, errorPointsTarget = 0.002

    /// Whether the model files changed after some traces were replayed (their traffic checked the same).
    public var modelChanged: Bool

    /// `repeats` are second measurements of some of `runs`' traces, each matched to its first
    /// by ``repeatedRun(of:among:)``.
    public init(runs: [ValidationRun], results: [Prediction.Outcome], command: String, repeats: [ValidationRun] = []) {
        var byConfig: [String: [Level]] = [:]
        var order: [String] = []
        var waits: [String: Set<String>] = [:]
        modelChanged = results.contains { $0.modelChanged }
        for (run, outcome) in zip(runs, results) {
            let measured = LevelFigures(trace: run.trace, measurement: run.measurement, requestTimeoutMs: outcome.requestTimeoutMs,
                                        waitsOnProvider: outcome.waitsOnProvider)
            let reps = outcome.results.map { LevelFigures(result: $0, offeredPerSecond: measured.offeredPerSecond) }
            if byConfig[run.configuration] == nil { order.append(run.configuration) }
            waits[run.configuration, default: []].formUnion(outcome.waitsOnProvider)
            let predicted = Self.predicted(replications: reps, ownThroughput: LevelFigures.predictedThroughput(run.trace),
                                           platformP99Ms: outcome.platformP99Ms)
            var level = Level(run: run, measured: measured, predicted: predicted, replications: reps)
            if let again = repeats.first(where: { Self.repeatedRun(of: $0, among: [run]) != nil }) {
                level.repeated = LevelFigures(trace: again.trace, measurement: again.measurement, requestTimeoutMs: outcome.requestTimeoutMs,
                                              waitsOnProvider: outcome.waitsOnProvider)
                level.repeatedStolenSeconds = again.measurement.servers.stolenSeconds
            }
            byConfig[run.configuration, default: []].append(level)
        }
        configurations = order.map { c in
            Configuration(name: c, levels: byConfig[c]!.sorted { ($0.run.level.baseline ? 0 : 1, $0.measured.offeredPerSecond) < ($1.run.level.baseline ? 0 : 1, $1.measured.offeredPerSecond) },
                          waitsOnProvider: waits[c] ?? [])
        }
        replications = results.first?.results.count ?? 0
        self.command = command
    }

    /// The index among `runs` of the level whose trace `again` replays a second time: the same
    /// configuration and load share, not the baseline, and the same requests (times,
    /// endpoints, users, IPs, page sizes); nil when none.
    public static func repeatedRun(of again: ValidationRun, among runs: [ValidationRun]) -> Int? {
        runs.firstIndex { r in
            !r.level.baseline && r.configuration == again.configuration && r.level.loadShare == again.level.loadShare
                && r.trace.records.count == again.trace.records.count
                && zip(r.trace.records, again.trace.records).allSatisfy { $0.isSameRequest(as: $1) }
        }
    }

    /// The prediction set beside a measurement: the mean of the replications, except what is a
    /// function of the very requests measured, taken from the trace's own run (replication 0):
    /// the throughput (the same requests answered), the 429s (the limiters decide on those
    /// requests; other traffic of the same rates meets the limits at other moments and other
    /// users: phase1's 429s at 25% differ several-fold between replications) and the p99 of
    /// the requests that wait on no provider.
    static func predicted(replications reps: [LevelFigures], ownThroughput: Double, platformP99Ms: Double) -> LevelFigures {
        var p = LevelFigures.mean(reps)
        p.throughput = ownThroughput
        p.platformP99Ms = platformP99Ms
        if let own = reps.first {
            for kind in [ErrorKind.rateLimited, .rateLimitedFalse] { p.errors[kind.name] = own.errors[kind.name] }
        }
        return p
    }

    // MARK: Targets

    /// Relative error of a prediction (nil when the measured value is 0).
    static func relative(_ predicted: Double, _ measured: Double) -> Double? {
        measured != 0 ? (predicted - measured) / measured : (predicted == 0 ? 0 : nil)
    }

    /// Whether each side saturated at this level: the p99 of the platform's own requests
    /// (``LevelFigures/platformP99Ms``) over 10 times the baseline's, or errors other than
    /// 429s over 1%.
    static func saturated(_ f: LevelFigures, baselineP99: Double?) -> Bool {
        if let b = baselineP99, f.platformP99Ms > 10 * b { return true }
        return f.capacityErrorShare > 0.01
    }

    /// The first judged level (its index in `judged`) where a side saturates, or nil.
    public func saturationLevel(_ c: Configuration, measured: Bool) -> Int? {
        let base = measured ? c.baseline?.measured.platformP99Ms : c.baseline?.predicted.platformP99Ms
        return c.judged.firstIndex { Self.saturated(measured ? $0.measured : $0.predicted, baselineP99: base) }
    }

    /// Tolerance of an error count at a level: 20% of the measured count or 0.2 points of requests.
    static func errorTolerance(measured: Int, requests: Int) -> Double {
        Swift.max(errorShareTarget * Double(measured), errorPointsTarget * Double(requests))
    }

    /// The kinds where the predicted count misses the tolerance.
    static func errorMisses(_ l: Level) -> [String] {
        LevelFigures.errorKinds.filter { k in
            let m = l.measured.errors[k] ?? 0
            // Predicted counts are per the simulator's requests; scale to the measured count of requests.
            let p = l.predicted.requests > 0 ? Double(l.predicted.errors[k] ?? 0) * Double(l.measured.requests) / Double(l.predicted.requests) : 0
            return abs(p - Double(m)) > errorTolerance(measured: m, requests: l.measured.requests)
        }
    }
}

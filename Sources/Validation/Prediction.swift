import Foundation
import ModelSchema
import PlatformModel
import SimulationEngine

/// The simulator's side of a validation run: the trace's model loaded again from its header,
/// its traffic scaled as the trace's was, and run for several replications; replication 0
/// replays the very requests of the trace.
///
/// The model files may have changed since the trace was replayed (service times measured
/// again, a mechanism added): a prediction is still one of the same requests when replication
/// 0's arrivals are the trace's, record by record, and that is checked; a change that moves
/// the traffic (users, mix, rates) is refused with the first record that differs.
public enum Prediction {
    /// The model of a trace's header as the files say it now, and whether they changed since.
    public static func model(of header: TraceHeader) throws -> (model: PlatformModel, changed: Bool) {
        let (model, provenance) = try PlatformModelFile.load(header.modelFile, configuration: header.configuration, overrides: header.overrides,
                                                             users: header.users, extraOverlays: header.overlays)
        return (TrafficScaling.scaled(model, by: header.rateScale), provenance.modelHash != header.modelHash)
    }

    /// Checks that a run's requests are the trace's: the same arrival times (to the trace's
    /// microsecond), endpoints, users, IPs and page sizes, in the same order.
    static func checkSameTraffic(_ log: RequestLog, trace: Trace, origin: Double, file: String) throws(ValidationFileError) {
        let records = log.records
        for (i, t) in trace.records.enumerated() {
            guard i < records.count else {
                throw ValidationFileError("the model now makes \(records.count) requests where the trace has \(trace.records.count): its traffic changed since the trace was replayed; run Testbed/validate.sh again", file: file, line: i + 4)
            }
            let r = records[i]
            let same = abs((r.arrival - origin) - t.time) <= 1e-6 && Int(r.endpoint) == t.endpoint && Int(r.user) == t.user
                && Int(r.ip) == t.ip && Int(r.pageLimit.rounded()) == t.pageLimit
            guard same else {
                throw ValidationFileError("the model's request here is no longer the trace's (its traffic changed since the trace was replayed); run Testbed/validate.sh again", file: file, line: i + 4, column: 1)
            }
        }
        guard records.count == trace.records.count else {
            throw ValidationFileError("the model now makes \(records.count) requests where the trace has \(trace.records.count): its traffic changed since the trace was replayed; run Testbed/validate.sh again", file: file)
        }
    }

    /// The settings of replication `r` of the trace's run.
    public static func settings(of header: TraceHeader, replication r: Int) -> RunSettings {
        var s = RunSettings(seed: header.seed, replication: r, startHour: header.windowStart / 3600, warmUp: header.warmUpSeconds, duration: header.durationSeconds)
        if header.coldStart { s.replaySeconds = 0 }
        return s
    }

    /// What the simulator predicts for one trace: every replication's result, the model's
    /// request timeout (where the replayer gave up too), whether the model files changed since
    /// the trace was replayed, and the endpoints that wait on a provider in that model.
    public struct Outcome {
        public var results: [RunResult]
        public var requestTimeoutMs: Double
        public var modelChanged: Bool
        /// Endpoints with a synchronous call to an external provider (Mailgun, the LLM): their
        /// latency is the provider's, not the platform's, so the saturation criterion leaves
        /// them out (``LevelFigures/platformP99Ms``).
        public var waitsOnProvider: Set<String>
        /// The p99 of replication 0's measured-window requests to the other endpoints: the very
        /// requests the measured ``LevelFigures/platformP99Ms`` counts.
        public var platformP99Ms: Double
    }

    /// The endpoints of `model` with an `external` step.
    public static func endpointsWaitingOnProvider(_ model: PlatformModel) -> Set<String> {
        Set(model.endpoints.filter { e in e.steps.contains { if case .external = $0 { true } else { false } } }.map(\.name))
    }

    /// Runs `replications` of every trace's model, on `jobs` threads.
    public static func run(_ runs: [ValidationRun], replications: Int, jobs: Int) throws -> [Outcome] {
        let models = try runs.map { try model(of: $0.trace.header) }
        let tasks = runs.indices.flatMap { i in (0..<replications).map { (i, $0) } }
        let results = ParallelRunner.run(count: tasks.count, jobs: jobs) { t in
            let (i, r) = tasks[t]
            let settings = settings(of: runs[i].trace.header, replication: r)
            return PlatformRun.run(model: models[i].model, settings: settings, plan: nil, monitor: nil, recordRequests: r == 0)!
        }
        let waits = models.map { endpointsWaitingOnProvider($0.model) }
        let timeouts = models.map { $0.model.api.requestTimeout * 1000 }
        var platformP99: [Double] = []
        for (i, run) in runs.enumerated() {
            let first = results[i * replications]
            let header = run.trace.header
            try checkSameTraffic(first.requests!, trace: run.trace, origin: header.windowStart - header.warmUpSeconds, file: run.directory + "/trace.csv")
            let log = first.requests!.records
            platformP99.append(LevelFigures.platformP99(run.trace, waitsOnProvider: waits[i], requestTimeoutMs: timeouts[i]) {
                log[$0].latency.isNaN ? nil : log[$0].latency * 1000
            })
        }
        return runs.indices.map { i in
            Outcome(results: results[(i * replications)..<((i + 1) * replications)].map(\.result),
                    requestTimeoutMs: timeouts[i], modelChanged: models[i].changed, waitsOnProvider: waits[i], platformP99Ms: platformP99[i])
        }
    }
}

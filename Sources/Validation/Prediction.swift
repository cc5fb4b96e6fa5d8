import Foundation
import ModelSchema
import PlatformModel
import SimulationEngine

/// The simulator's side of a validation run: the trace's model loaded again from its header
/// (refused if the files have changed since), its traffic scaled as the trace's was, and run
/// for several replications; replication 0 is the very run the trace was written from.
public enum Prediction {
    /// The model a trace was written from, checked against the hash in its header.
    public static func model(of header: TraceHeader, file: String) throws -> PlatformModel {
        let (model, provenance) = try PlatformModelFile.load(header.modelFile, configuration: header.configuration, overrides: header.overrides,
                                                             users: header.users, extraOverlays: header.overlays)
        guard provenance.modelHash == header.modelHash else {
            throw ValidationFileError("the model files have changed since this trace was written (sha256 \(provenance.modelHash.prefix(12)), the trace says \(header.modelHash.prefix(12))): write the traces and measure again (Testbed/validate.sh)", file: file, line: 2)
        }
        return TrafficScaling.scaled(model, by: header.rateScale)
    }

    /// The settings of replication `r` of the trace's run.
    public static func settings(of header: TraceHeader, replication r: Int) -> RunSettings {
        var s = RunSettings(seed: header.seed, replication: r, startHour: header.windowStart / 3600, warmUp: header.warmUpSeconds, duration: header.durationSeconds)
        if header.coldStart { s.replaySeconds = 0 }
        return s
    }

    /// Runs `replications` of every trace's model, on `jobs` threads: results by run and
    /// replication, with each model's request timeout (where the replayer gave up too).
    public static func run(_ runs: [ValidationRun], replications: Int, jobs: Int) throws -> [(results: [RunResult], requestTimeoutMs: Double)] {
        let models = try runs.map { try model(of: $0.trace.header, file: $0.directory + "/trace.csv") }
        let tasks = runs.indices.flatMap { i in (0..<replications).map { (i, $0) } }
        let results = ParallelRunner.run(count: tasks.count, jobs: jobs) { t in
            let (i, r) = tasks[t]
            return PlatformRun.run(model: models[i], settings: settings(of: runs[i].trace.header, replication: r))
        }
        return runs.indices.map { i in (Array(results[(i * replications)..<((i + 1) * replications)]), models[i].api.requestTimeout * 1000) }
    }
}

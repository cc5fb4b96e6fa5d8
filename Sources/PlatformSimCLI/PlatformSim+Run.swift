import Analysis
import ArgumentParser
import FileOutput
import Foundation
import ModelFiles
import ModelSchema
import PlatformModel
import Reports
import ResultsStore
import SimulationEngine

/// Options that pick a model, a configuration and a window: shared by `run` and the commands built on it.
struct ModelOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The base model file, such as Models/platform.yaml.", valueName: "model"))
    var model: String

    @Option(help: ArgumentHelp("Configuration to run: current, phase1 ... phase4 (as the model file names them).", valueName: "config"))
    var phase: String = "current"

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one parameter, KEY.PATH=VALUE (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp("A pricing catalog instead of the one the model names, such as Models/pricing/aws.yaml.", valueName: "file"))
    var pricing: String?

    @Option(name: .customLong("overlay"), help: ArgumentHelp("An extra overlay file applied after the configuration's own (repeatable), such as one written by size --write-overlay.", valueName: "file"))
    var overlays: [String] = []

    func load(users: Int?) throws -> (PlatformModel, ModelProvenance) {
        try PlatformModelFile.load(model, configuration: phase, overrides: overrides, users: users, pricing: pricing, extraOverlays: overlays)
    }
}

/// The simulated window.
struct WindowOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds measured (default: one hour).", valueName: "seconds"))
    var duration: Double = 3600

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds simulated before measuring.", valueName: "seconds"))
    var warmUp: Double = 300

    @Option(parsing: .unconditional, help: ArgumentHelp("Hour of the day (0-24) the measured window starts (default: the busiest hour).", valueName: "hour"))
    var startHour: Double?

    func validate() throws {
        guard duration.isFinite, duration > 0, duration <= 7 * 86_400 else { throw ValidationError("--duration must be between 0 and 604800 seconds, got \(shown(duration))") }
        guard warmUp.isFinite, warmUp >= 0, warmUp <= 86_400 else { throw ValidationError("--warm-up must be between 0 and 86400 seconds, got \(shown(warmUp))") }
        if let h = startHour, !(h >= 0 && h <= 24) { throw ValidationError("--start-hour must be between 0 and 24, got \(shown(h))") }
    }

    func settings(seed: UInt64, replication: Int) -> RunSettings {
        RunSettings(seed: seed, replication: replication, startHour: startHour, warmUp: warmUp, duration: duration)
    }
}

/// The program's version, stored with every run.
let programVersion = "0.2.0"

extension PlatformSim {
    /// `platform-sim run`: one configuration at one user count.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Simulates one configuration of the platform at one user count and reports latency, errors, utilization, the bottleneck and the monthly cost.",
            discussion: """
                The model file describes the platform today; --phase applies the roadmap overlays it \
                names. The default window is the busiest hour after a five-minute warm-up. Every \
                figure comes from the model files: change one there, or with --set, and rerun.
                """)

        @OptionGroup var modelOptions: ModelOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("Registered users (N): 300000, 300k or 1M.", valueName: "count"),
                transform: parseUserCount)
        var users: Int

        @Option(parsing: .unconditional, help: "Master seed from which every random stream is derived.")
        var seed: UInt64 = 1

        @Option(parsing: .unconditional, help: "Independent replications (each on its own random streams); figures become means with 95% confidence half-widths.")
        var replications: Int = 1

        @Option(parsing: .unconditional, help: "Replications run at once (default: all cores); results do not depend on it.")
        var jobs: Int?

        @OptionGroup var window: WindowOptions

        @OptionGroup var limits: WorkLimitOptions

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, md }
        @Option(help: "Output format: table for people, json for programs, md for markdown.")
        var format: Format = .table

        enum Method: String, ExpressibleByArgument, CaseIterable { case simulation, analytic, both }
        @Option(help: "simulation (default); analytic: queueing formulas only, in milliseconds; both: the formulas beside the simulation, with differences over 10% flagged.")
        var method: Method = .simulation

        @OptionGroup var accessLog: AccessLogOptions

        @Flag(name: .customLong("parameter-uncertainty"), help: "Draw the measured parameters (an overlay from calibrate) anew for each replication from their joint draws, so that the intervals include what the measurements leave uncertain.")
        var parameterUncertainty = false

        func validate() throws {
            guard replications >= 1 && replications <= 10_000 else { throw ValidationError("--replications must be between 1 and 10000, got \(replications)") }
            if let jobs, jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be between 1 and 256, got \(jobs)") }
            if replications > 1 && method != .simulation { throw ValidationError("--method \(method.rawValue) takes a single replication") }
            if parameterUncertainty && method != .simulation { throw ValidationError("--parameter-uncertainty takes --method simulation") }
            if accessLog.path != nil && (replications > 1 || method == .analytic || parameterUncertainty) { throw ValidationError("--write-access-log takes a single simulated replication") }
        }

        func run() throws {
            // The access log's destination is checked before anything runs: bad input writes nothing.
            if let path = accessLog.path {
                do { try OutputFiles.checkFileDestination(path, what: "--write-access-log") } catch { throw CommandLineFailure("\(error)") }
            }
            let (model, provenance) = try modelOptions.load(users: users)
            let settings = window.settings(seed: seed, replication: 0)
            let (load, plan) = PlatformRun.plan(model: model, settings: settings)
            let analytic = AnalyticModel.stations(model: model, plan: plan, load: load)
            if method == .analytic {
                switch format {
                case .json: print(try RunJSON.encode(analytic), terminator: "")
                case .table, .md:
                    print("\(model.configuration) at \(users) users: queueing formulas at the window's peak rates (no simulation)\n")
                    print(AnalyticReport.stations(analytic, markdown: format == .md), terminator: "")
                }
                return
            }
            if replications > 1 || parameterUncertainty {
                // With parameter uncertainty each replication has its own model (drawn parameters)
                // and its own capacity, sized by the scaling rules for the traffic drawn.
                var models = [(model: PlatformModel, plan: CapacityPlan)](repeating: (model, plan), count: replications)
                if parameterUncertainty {
                    let m = modelOptions
                    for r in 0..<replications {
                        let draw = try PlatformModelFile.parameterDraw(r, base: m.model, configuration: m.phase, overrides: m.overrides, extraOverlays: m.overlays)
                        guard !draw.isEmpty else {
                            throw CommandLineFailure("--parameter-uncertainty: the model has no measured parameters in force (apply an overlay written by calibrate with --overlay)")
                        }
                        let drawn = try PlatformModelFile.load(m.model, configuration: m.phase, overrides: m.overrides + draw, users: users,
                                                               pricing: m.pricing, extraOverlays: m.overlays).0
                        models[r] = (drawn, PlatformRun.plan(model: drawn, settings: window.settings(seed: seed, replication: r)).1)
                    }
                }
                try limits.check(models.indices.map { (models[$0].model, window.settings(seed: seed, replication: $0)) },
                                 what: replications == 1 ? "this run" : "these \(replications) replications",
                                 cores: jobs ?? ParallelRunner.availableCores)
                let cells = models
                let progress = RunProgressLine(runs: replications, label: "\(replications) replications")
                let runs = ParallelRunner.run(count: replications, jobs: jobs ?? ParallelRunner.availableCores) { r in
                    let models = cells
                    return DiagnosedRun.run(model: models[r].model, settings: window.settings(seed: seed, replication: r), plan: models[r].plan,
                                            monitor: progress.monitor(run: r))
                }
                progress.finish()
                let summary = ReplicationSummary(runs)
                switch format {
                case .json:
                    print(try RunJSON.encode(ReplicatedDocument(summary: summary, replications: runs.map { var r = $0; r.result.wallSeconds = 0; return r },
                                                                provenance: provenance, version: programVersion)), terminator: "")
                case .table, .md:
                    print(ReplicationReport.render(summary, order: runs[0].result.components, markdown: format == .md), terminator: "")
                    if format == .table {
                        if parameterUncertainty {
                            print("measured parameters drawn anew for each replication (their joint draws): the intervals hold the measurements' uncertainty as well as seed-to-seed noise")
                        }
                        print("model \(provenance.baseFile) [\(provenance.configuration)] sha256 \(provenance.modelHash.prefix(12)), platform-sim \(programVersion)")
                    }
                }
                return
            }
            // An access log keeps every request of the run (40 bytes) and its order (16) until written.
            try limits.check(model: model, settings: settings, count: 1, what: "this run", bytesPerRecordedRequest: accessLog.path == nil ? 0 : 56)
            let result: DiagnosedRun
            if accessLog.path != nil {
                let written = try accessLog.runWritingLog(modelOptions: modelOptions, users: users, model: model, settings: settings, plan: plan)
                result = DiagnosedRun(result: written, diagnosis: Diagnosis(of: written, model: model))
            } else {
                let progress = RunProgressLine(runs: 1, label: "run")
                result = DiagnosedRun.run(model: model, settings: settings, plan: plan, monitor: progress.monitor(run: 0))
                progress.finish()
            }
            let comparison = method == .both ? AnalyticModel.compare(analytic, with: result.result, model: model) : nil
            switch format {
            case .json:
                print(try RunJSON.render(result, provenance: provenance, analytic: comparison), terminator: "")
            case .table:
                print(RunReport.render(result, style: .plain), terminator: "")
                if let comparison { print("\nAnalytic cross-check\n" + AnalyticReport.comparison(comparison, markdown: false), terminator: "") }
                print("model \(provenance.baseFile) [\(provenance.configuration)] sha256 \(provenance.modelHash.prefix(12)), platform-sim \(programVersion)")
            case .md:
                print(RunReport.render(result, style: .markdown), terminator: "")
                if let comparison { print("\n### Analytic cross-check\n\n" + AnalyticReport.comparison(comparison, markdown: true), terminator: "") }
            }
        }
    }
}

/// The `run --replications R --format json` document: the summary, every replication (wall
/// times zeroed so the document does not depend on the machine) and what made them.
struct ReplicatedDocument: Encodable {
    var summary: ReplicationSummary
    var replications: [DiagnosedRun]
    var provenance: ModelProvenance
    var version: String
}

/// The `run --format json` document: the result and its diagnosis, plus what made it.
enum RunJSON {
    struct Document: Encodable {
        var run: DiagnosedRun
        var provenance: ModelProvenance
        var version: String
        var analytic: [AnalyticModel.Comparison]?
        enum CodingKeys: String, CodingKey { case provenance, version, analytic }
        func encode(to encoder: Encoder) throws {
            try run.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(provenance, forKey: .provenance)
            try c.encode(version, forKey: .version)
            try c.encodeIfPresent(analytic, forKey: .analytic)
        }
    }

    static func render(_ r: DiagnosedRun, provenance: ModelProvenance, analytic: [AnalyticModel.Comparison]? = nil) throws -> String {
        try encode(Document(run: r, provenance: provenance, version: programVersion, analytic: analytic))
    }

    /// Every command's JSON goes through the one writer (``JSONOutput``).
    static func encode<T: Encodable>(_ value: T) throws -> String {
        try JSONOutput.document(value)
    }
}

import ArgumentParser
import Calibration
import CalibrationNotebook
import ExperimentRunner
import FileOutput
import Foundation
import ModelFiles
import ModelSchema
import PlatformModel
import SimulationEngine

extension PlatformSim {
    /// `platform-sim calibrate`: a platform's own telemetry into a model overlay.
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turns a platform's access logs, pg_stat_statements and Redis INFO snapshots into a model overlay of measured parameters with 95% intervals.",
            discussion: """
                Access logs (morgan combined, with or without a trailing response time, or JSON \
                lines) give the diurnal profile, the daily-active pool and requests per active user, \
                sessions, page views and think times, the endpoint mixes (paths mapped by the model's \
                route table, calibration.routes), users per office IP, per-user activity skew, page \
                sizes and the unauthenticated and webhook volumes. Two pg_stat_statements snapshots \
                give each query class's time per statement; two INFO commandstats snapshots Redis's \
                time per command; a utilization series with the log the API's CPU per request. Every \
                value is written with a `measured:` comment and its interval; what the input cannot \
                give is left as the model has it, and the report says why. Apply the overlay with \
                --overlay on run, sweep, size and sensitivity, or overlays: in an experiment file.
                """)

        @Argument(help: ArgumentHelp("The base model whose parameters are calibrated.", valueName: "model"))
        var model: String = "Models/platform.yaml"

        @Option(help: ArgumentHelp("The configuration whose endpoints, mixes and queries the telemetry is read against.", valueName: "config"))
        var phase: String = "current"

        @Option(name: .customLong("overlay"), help: ArgumentHelp("An extra overlay for the model, such as another platform's route table (repeatable).", valueName: "file"))
        var overlays: [String] = []

        @Option(name: .customLong("access-log"), help: ArgumentHelp("An access log (repeatable; several files are read in order as one log, oldest first).", valueName: "file"))
        var accessLogs: [String] = []

        @Option(name: .customLong("log-format"), help: "combined or json (default: from each file's first line).")
        var logFormat: LogFormatOption?

        @Option(name: .customLong("pg-stat-statements"), parsing: .upToNextOption,
                help: ArgumentHelp("Two pg_stat_statements snapshots, before and after (CSV or psql's table output).", valueName: "before after"))
        var pgStatStatements: [String] = []

        @Option(name: .customLong("redis-info"), parsing: .upToNextOption,
                help: ArgumentHelp("Two Redis INFO (or INFO commandstats) snapshots, before and after.", valueName: "before after"))
        var redisInfo: [String] = []

        @Option(name: .customLong("utilization"), help: ArgumentHelp("A CSV of the API's CPU use over the log's period (columns time and busy_cores), for its CPU per request by regression.", valueName: "file"))
        var utilization: String?

        @Option(name: .customLong("registered-users"), parsing: .unconditional,
                help: ArgumentHelp("Registered users of the platform during the log (for the per-user figures): 250000, 250k or 1.2M.", valueName: "count"),
                transform: { try parseUserCount($0, largest: 10_000_000_000) })
        var registeredUsers: Int?

        @Option(help: ArgumentHelp("The overlay to write.", valueName: "overlay"))
        var out: String

        @Option(help: ArgumentHelp("Also write a notebook: the calibration, and --experiment run with the model as it is and with the overlay, side by side.", valueName: "file"))
        var notebook: String?

        @Option(help: ArgumentHelp("The experiment the notebook runs assumed and calibrated.", valueName: "file"))
        var experiment: String = "Experiments/roadmap.yaml"

        @Option(name: .customLong("log-note"), help: ArgumentHelp("What the access log is, in a sentence, for the notebook.", valueName: "text"))
        var logNote: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Runs at once for the notebook's experiment (default: all cores); results do not depend on it.", valueName: "count"))
        var jobs: Int?

        @OptionGroup var limits: WorkLimitOptions

        func validate() throws {
            guard !accessLogs.isEmpty || !pgStatStatements.isEmpty || !redisInfo.isEmpty else {
                throw ValidationError("give at least one input: --access-log, --pg-stat-statements or --redis-info")
            }
            if !pgStatStatements.isEmpty && pgStatStatements.count != 2 {
                throw ValidationError("--pg-stat-statements takes two files, before and after, got \(pgStatStatements.count)")
            }
            if !redisInfo.isEmpty && redisInfo.count != 2 {
                throw ValidationError("--redis-info takes two files, before and after, got \(redisInfo.count)")
            }
            if utilization != nil && accessLogs.isEmpty { throw ValidationError("--utilization needs --access-log (the request counts it is regressed on)") }
            if let notebook, !notebook.hasSuffix(".md") { throw ValidationError("--notebook must name a .md file, got '\(notebook)'") }
            if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs must be between 1 and 256, got \(jobs)") }
            if let notebook, URL(fileURLWithPath: notebook).standardizedFileURL.path == URL(fileURLWithPath: out).standardizedFileURL.path {
                throw ValidationError("--notebook and --out must name different files")
            }
        }

        func run() throws {
            // Where the overlay and the notebook go is checked before any input is read.
            do {
                try OutputFiles.checkFileDestination(out, what: "--out")
                if let notebook { try OutputFiles.checkFileDestination(notebook, what: "--notebook") }
            } catch { throw CommandLineFailure("\(error)") }
            let loaded = try PlatformModelFile.loadWithCalibration(model, configuration: phase, extraOverlays: overlays)
            // Everything the notebook needs is checked before anything runs or is written: its
            // experiment runs twice (as the model is, and calibrated), estimated here as twice
            // the runs of the model as it is.
            let experimentFile = try notebook.map { _ in try ExperimentFile.load(experiment) }
            if let experimentFile {
                let cells = try SweepPlan.prepare(experimentFile, programVersion: programVersion).cells.map { ($0.model, $0.settings) }
                try limits.check(cells + cells, what: "the notebook's \(2 * cells.count) runs", cores: jobs ?? ParallelRunner.availableCores)
            }
            var inputs = CalibrationInputs(accessLogs: accessLogs, logFormat: logFormat?.format, registeredUsers: registeredUsers)
            if pgStatStatements.count == 2 { inputs.pgStatStatements = (pgStatStatements[0], pgStatStatements[1]) }
            if redisInfo.count == 2 { inputs.redisInfo = (redisInfo[0], redisInfo[1]) }
            inputs.utilization = utilization
            let result: CalibrationResult
            do {
                result = try Calibrator(model: loaded.model, calibration: loaded.calibration).calibrate(inputs) { overlay in
                    try PlatformModelFile.load(model, configuration: phase, extraOverlays: overlays + [overlay]).0
                }
            } catch let e as CalibrationError {
                throw CommandLineFailure(e.description)
            }
            // The command as typed, quoted where a shell would need it.
            let command = (["platform-sim", "calibrate"] + CommandLine.arguments.dropFirst(2).map { arg in
                arg.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }) ? arg : "'" + arg.replacingOccurrences(of: "'", with: "'\\''") + "'"
            }).joined(separator: " ")
            let overlay = result.overlay(command: command, version: programVersion, model: model, modelHash: loaded.provenance.modelHash)
            do { try OutputFiles.write(overlay.render(), to: out, what: "--out") } catch { throw CommandLineFailure("\(error)") }
            print(result.renderText(), terminator: "")
            print("wrote \(out): \(result.parameters.count) parameters measured, \(result.skipped.count) left as the model has them")
            if let notebook, let experimentFile {
                var stderr = StandardError()
                print("notebook: running \(experimentFile.name) with the model as it is and with \(out)", to: &stderr)
                let summaries = try CalibrationNotebook.runBoth(experimentFile, overlay: out, programVersion: programVersion, jobs: jobs ?? ParallelRunner.availableCores)
                let text = CalibrationNotebook(.init(command: command, logDescription: logNote ?? "The access log given: \(accessLogs.joined(separator: ", ")).",
                                                     result: result, overlayPath: out, assumed: loaded.model, experiment: experimentFile,
                                                     assumedSummary: summaries.assumed, calibratedSummary: summaries.calibrated)).render()
                do { try OutputFiles.write(text, to: notebook, what: "--notebook") } catch { throw CommandLineFailure("\(error)") }
                print("wrote \(notebook)")
            }
        }
    }
}

/// `--log-format`.
enum LogFormatOption: String, ExpressibleByArgument, CaseIterable {
    case combined, json
    var format: AccessLogFormat { self == .json ? .json : .combined }
}

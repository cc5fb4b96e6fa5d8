import ArgumentParser
import Formatting
import Foundation
import ModelSchema
import Notebooks
import PlatformModel
import Reports
import SimulationEngine
import Validation

extension PlatformSim {
    /// `platform-sim validation-report`: predicted against measured, as a notebook with charts.
    struct ValidationReportCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validation-report",
            abstract: "Sets the simulator's predictions beside the testbed's measurements and writes the validation notebook with its charts.",
            discussion: """
                Each RUN directory is one load level as Testbed/validate.sh leaves it: trace.csv (from \
                platform-sim trace), measured.csv and servers.json (from the replayer) and level.json. \
                The simulator runs each trace's model again (refusing a model that changed since the \
                trace was written) for --replications replications. Writes FILE and the charts in a \
                folder named after it, replacing both only when everything is ready.
                """)

        @Argument(help: ArgumentHelp("Directories of measured load levels.", valueName: "run"))
        var runs: [String]

        @Option(name: .customLong("repeat"), help: ArgumentHelp("A second measurement of one of the runs' traces (the same requests replayed again on the testbed), set beside the first; repeatable.", valueName: "run"))
        var repeats: [String] = []

        @Option(help: ArgumentHelp("The notebook to write.", valueName: "file"))
        var out: String = "Notebooks/validation.md"

        @Option(parsing: .unconditional, help: "Simulator replications per level (the first is the trace's own run).")
        var replications: Int = 3

        @Option(parsing: .unconditional, help: "Simulations run at once (default: all cores); results do not depend on it.")
        var jobs: Int?

        @Option(help: ArgumentHelp("Fail (exit 1, one line per miss on stderr) when any of these targets is missed: throughput, latency, errors, saturation (comma-separated).", valueName: "targets"))
        var checkTargets: String?

        @OptionGroup var limits: WorkLimitOptions

        var targets: Set<ValidationReport.Target> {
            Set((checkTargets ?? "").split(separator: ",").compactMap { ValidationReport.Target(rawValue: String($0)) })
        }

        func validate() throws {
            if let checkTargets {
                for t in checkTargets.split(separator: ",") where ValidationReport.Target(rawValue: String(t)) == nil {
                    throw ValidationError("--check-targets: unknown target '\(t)' (throughput, latency, errors, saturation)")
                }
            }
            guard !runs.isEmpty else { throw ValidationError("name at least one run directory") }
            guard (1...100).contains(replications) else { throw ValidationError("--replications must be between 1 and 100, got \(replications)") }
            if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs must be between 1 and 256, got \(jobs)") }
            guard out.hasSuffix(".md") else { throw ValidationError("--out must name a .md file, got '\(out)'") }
        }

        func run() throws {
            // The notebook and its chart folder can be written (nothing else is replaced), the
            // runs read, their names usable as file names and their work within the limits, all
            // before anything runs or is written.
            do { try NotebookWriter.check(markdownPath: out) } catch { throw CommandLineFailure("\(error)") }
            let loaded = try runs.map { try ValidationRun.read(directory: $0) }
            for run in loaded {
                if let problem = NameRule.problem(with: run.configuration) {
                    throw CommandLineFailure(ErrorLine.format(file: run.directory + "/trace.csv", line: 1, message:
                        "the trace's configuration '\(NameRule.shownSafely(run.configuration))' \(problem)"))
                }
            }
            let again = try repeats.map { try ValidationRun.read(directory: $0) }
            for run in again where ValidationReport.repeatedRun(of: run, among: loaded) == nil {
                throw CommandLineFailure(ErrorLine.format(file: run.directory + "/trace.csv", line: 1, message:
                    "no run among the levels has this trace (the same configuration '\(NameRule.shownSafely(run.configuration))', load share \(run.level.loadShare) and requests) to set this repeat beside"))
            }
            let cores = jobs ?? ParallelRunner.availableCores
            var work: [(model: PlatformModel, settings: RunSettings)] = []
            for run in loaded {
                let model = try Prediction.model(of: run.trace.header).model
                for r in 0..<replications { work.append((model, Prediction.settings(of: run.trace.header, replication: r))) }
            }
            try limits.check(work, what: "these \(work.count) simulations", cores: cores, bytesPerRecordedRequest: 40)
            let results = try Prediction.run(loaded, replications: replications, jobs: cores)
            let command = "platform-sim validation-report \(runs.count) runs" + (again.isEmpty ? "" : " --repeat \(again.count) runs")
                + " --replications \(replications) --out \(out)"
            let report = ValidationReport(runs: loaded, results: results, command: command, repeats: again)
            // The notebook and its charts are written as every notebook is: all at once or not at all.
            let folder = NotebookWriter.chartFolder(for: out)
            let markdown = report.markdown(chartFolder: (folder as NSString).lastPathComponent)
            let charts = report.charts().map { ChartFile(name: String($0.name.dropLast(".svg".count)), title: "", svg: $0.svg) }
            do { _ = try NotebookWriter.write(NotebookDocument(markdown: markdown, charts: charts), to: out) } catch {
                throw CommandLineFailure("\(error)")
            }
            print("wrote \(out) and \(charts.count) charts in \(folder)/ (\(report.configurations.count) configurations, \(loaded.count) runs)")
            let missed = report.misses(of: targets)
            if !missed.isEmpty {
                var stderr = StandardError()
                for m in missed { print("target missed: \(m)", to: &stderr) }
                throw ExitCode(1)
            }
        }
    }
}

import ArgumentParser
import ExperimentRunner
import Foundation
import ModelSchema
import Notebooks
import PlatformModel
import Reports
import ResultsStore
import SimulationEngine

extension PlatformSim {
    /// `platform-sim notebook`: runs an experiment and writes its notebook.
    struct NotebookCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "notebook",
            abstract: "Runs an experiment and writes a markdown notebook with its findings, charts and tables.",
            discussion: """
                The notebook (default Notebooks/NAME.md) explains the experiment to a reader new to \
                the platform: the question, what was run and the command that makes it again, \
                findings written from the numbers, charts (SVG, in a folder named after the \
                notebook), the tables, a check of Little's law per station, time series through a \
                fault or traffic spike, and which model parameters are sourced or assumed. The runs \
                go to a temporary results database unless --db names one (an experiment of the same \
                name in it is replaced; with --resume its runs are kept and only the missing ones \
                run, so a database that `platform-sim merge` made from the shards of a sweep gives \
                the notebook without running anything). The same command gives byte-identical \
                files. Nothing is written when the input is bad, and the notebook and its charts are \
                replaced whole.
                """)

        @Argument(help: ArgumentHelp("The experiment file, such as Experiments/roadmap.yaml.", valueName: "experiment"))
        var experiment: String

        @Option(help: ArgumentHelp("The notebook to write (default: Notebooks/NAME.md); charts go to the folder of the same name without .md.", valueName: "file"))
        var out: String?

        @Option(help: ArgumentHelp("A results database to keep the runs in (default: a temporary one, deleted afterwards).", valueName: "path"))
        var db: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Runs at once on separate threads (default: all cores); results do not depend on it.", valueName: "count"))
        var jobs: Int?

        @Flag(help: "With --db: keep the runs it holds (a sweep's, or the shards merge combined) and run only the missing ones.")
        var resume = false

        @Flag(help: "With --db: replace an experiment of the same name that a different experiment file made.")
        var replace = false

        @OptionGroup var limits: WorkLimitOptions

        func validate() throws {
            if resume && db == nil { throw ValidationError("--resume needs --db: the database whose runs to keep") }
            if let jobs, !(1...ReplicationOptions.maxJobs).contains(jobs) {
                throw ValidationError("--jobs must be between 1 and \(ReplicationOptions.maxJobs), got \(jobs)")
            }
        }

        func run() throws {
            // Everything is read and checked before anything runs or is written.
            let experiment = try ExperimentFile.load(self.experiment)
            let plan = try SweepPlan.prepare(experiment, programVersion: programVersion)
            let outPath = out ?? "Notebooks/\(experiment.name).md"
            do { try NotebookWriter.check(markdownPath: outPath) } catch { throw CommandLineFailure("\(error)") }
            try limits.check(plan.cells.map { ($0.model, $0.settings) }, what: "the experiment's \(plan.cells.count) runs",
                             cores: jobs ?? ParallelRunner.availableCores)

            var temporary: String?
            defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
            let dbPath: String
            if let db {
                dbPath = db
            } else {
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("platform-sim-notebook-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                temporary = folder
                dbPath = folder + "/results.sqlite"
            }
            let database = try ResultsDatabase.open(dbPath, access: .write)
            let storedExperiment = try database.experiment(named: experiment.name)
            if !replace { try database.checkSameExperiment(plan.record, stored: storedExperiment, path: dbPath) }
            let stored = resume ? try database.runRecords(experiment: experiment.name) : []
            let (cells, stale) = SweepRunner.pending(plan, stored: stored, storedExperiment: storedExperiment, resume: resume)
            _ = try database.begin(plan.record, replacing: !resume)
            try database.delete(stale)
            var stderr = StandardError()
            let jobs = self.jobs ?? ParallelRunner.availableCores
            var intro = "notebook \(experiment.name): \(cells.count) runs on \(Sweep.jobsText(Swift.min(jobs, Swift.max(1, cells.count))))"
            if resume { intro += "; \(plan.cells.count - cells.count) already in \(dbPath)" + (stale.isEmpty ? "" : ", \(stale.count) stale deleted") }
            print(intro, to: &stderr)
            let progress = SweepProgress(total: cells.count)
            Interruption.install()
            progress.start()
            try SweepRunner.run(cells, into: database, jobs: jobs, onProgress: progress.update, onRunning: progress.onRunning)
            progress.finish()
            guard let results = try database.results(experiment: experiment.name) else {
                throw CommandLineFailure("the results database lost the experiment '\(experiment.name)'")
            }

            var models: [ExperimentMetrics.CellKey: PlatformModel] = [:]
            for cell in plan.cells {
                let key = ExperimentMetrics.CellKey(cell.key.configuration, cell.key.variant, cell.key.users)
                if models[key] == nil { models[key] = cell.model }
            }
            let input: NotebookInput
            do {
                input = try NotebookInput.make(experiment: experiment, experimentPath: self.experiment, results: results, models: models,
                                               markdownPath: outPath, outOption: out)
            } catch {
                throw CommandLineFailure("cannot read the model files for their comments: \(error)")
            }
            let document = Notebook(input).render()
            let written: [String]
            do { written = try NotebookWriter.write(document, to: outPath) } catch { throw CommandLineFailure("\(error)") }
            print(written[0])
            print("\(written.count - 1) charts in \(NotebookWriter.chartFolder(for: outPath))/")
        }
    }
}

import Analysis
import Foundation
import ArgumentParser
import PlatformModel
import ExperimentRunner
import ModelSchema
import Reports
import ResultsStore
import SimulationEngine
import Formatting
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension PlatformSim {
    /// `platform-sim sweep`: runs an experiment's grid into the results database.
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Runs an experiment (configurations x variants x users x seeds) on all cores into the results database, then prints its tables.",
            discussion: """
                Each finished run is written to the database at once, in one transaction, so an \
                interrupted sweep leaves whole runs only. Without --resume, runs of the same \
                experiment (from the same file) already in the database are replaced; with --resume only the missing \
                runs are made (a stored run whose model, overrides, pricing or window changed counts \
                as missing, and runs the experiment no longer has are deleted). Progress goes to \
                standard error: a bar on a terminal, one line per run otherwise. The experiment \
                file format is described in Experiments/README.md. With --shard K/N only the K-th \
                of N disjoint parts of the grid runs (each machine of a cluster computes the same \
                split; `platform-sim plan` prints it), no tables are printed, and `platform-sim \
                merge` combines the N databases; Deploy/ has a Slurm job array and a Kubernetes \
                Indexed Job that do this.
                """)

        @Argument(help: ArgumentHelp("The experiment file, such as Experiments/roadmap.yaml.", valueName: "experiment"))
        var experiment: String

        @Option(help: ArgumentHelp("The results database (SQLite), created if missing.", valueName: "path"))
        var db: String = "results.sqlite"

        @Option(parsing: .unconditional, help: ArgumentHelp("Runs at once on separate threads (default: all cores); results do not depend on it.", valueName: "count"))
        var jobs: Int?

        @Flag(help: "Run only the runs the database lacks, keeping the others.")
        var resume = false

        @Flag(help: "Replace an experiment of the same name that a different experiment file made.")
        var replace = false

        @Option(help: ArgumentHelp("Run only part K of N of the grid (1 <= K <= N), such as 2/4, for one machine of a cluster.", valueName: "K/N"))
        var shard: String?

        /// `--shard`, read (checked in `validate()`).
        var shardSpec: ShardSpec? { shard.flatMap { try? ShardSpec(parsing: $0) } }

        @OptionGroup var limits: WorkLimitOptions

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, md }
        @Option(help: "Output format of the tables: table for a terminal, md for markdown.")
        var format: Format = .table

        enum Method: String, ExpressibleByArgument, CaseIterable { case simulation, analytic }
        @Option(help: "simulation (default); analytic: each cell's stations from queueing formulas, in milliseconds, printed and not stored.")
        var method: Method = .simulation

        func validate() throws {
            if let shard {
                do { _ = try ShardSpec(parsing: shard) } catch { throw ValidationError("--shard: \(error)") }
            }
            if let jobs {
                guard jobs >= 1 && jobs <= ReplicationOptions.maxJobs else {
                    throw ValidationError("--jobs must be between 1 and \(ReplicationOptions.maxJobs), got \(jobs)")
                }
            }
        }

        /// Each cell's stations from the formulas (one per configuration, variant and users: the
        /// formulas have no seed).
        static func analytic(_ plan: SweepPlan, markdown: Bool) -> String {
            var t = TextTable(["configuration", "variant", "users", "station", "members", "utilization", "mean wait ms", "mean queue"],
                              alignments: [.left, .left, .right, .left, .right, .right, .right, .right])
            var seen = Set<String>()
            for cell in plan.cells {
                let key = "\(cell.key.configuration)/\(cell.key.variant)/\(cell.key.users)"
                guard seen.insert(key).inserted else { continue }
                let (load, capacity) = PlatformRun.plan(model: cell.model, settings: cell.settings)
                for s in AnalyticModel.stations(model: cell.model, plan: capacity, load: load) {
                    t.add([cell.key.configuration, cell.key.variant, Formatting.Format.users(cell.key.users), s.name, String(s.count),
                           Formatting.Format.percent(s.utilization), s.meanWaitMs.isFinite ? Formatting.Format.number(s.meanWaitMs) : "unstable",
                           s.meanQueue.isFinite ? Formatting.Format.number(s.meanQueue) : "unstable"])
                }
            }
            let title = "Experiment \(plan.experiment.name): queueing formulas at each cell's peak rates (no simulation)"
            return markdown ? "## \(title)\n\n" + t.markdown() : title + "\n" + t.plain()
        }

        func run() throws {
            // Everything is read and checked before the database is opened: bad input writes nothing.
            let experiment = try ExperimentFile.load(self.experiment)
            let grid = try SweepPlan.prepare(experiment, programVersion: programVersion)
            let part = shardSpec ?? ShardSpec.whole
            let plan = part.count == 1 ? grid : grid.shard(part)
            if method == .analytic {
                print(Self.analytic(plan, markdown: format == .md), terminator: "")
                return
            }
            let jobs = self.jobs ?? ParallelRunner.availableCores
            try limits.check(plan.cells.map { ($0.model, $0.settings) }, what: "the sweep's \(plan.cells.count) runs", cores: jobs)
            let database = try ResultsDatabase.open(db, access: .write)

            let storedExperiment = try database.experiment(named: experiment.name)
            if !replace { try database.checkSameExperiment(plan.record, stored: storedExperiment, path: db) }
            let stored = resume ? try database.runRecords(experiment: experiment.name) : []
            let (cells, stale) = SweepRunner.pending(plan, stored: stored, storedExperiment: storedExperiment, resume: resume)
            let replaced = try database.begin(plan.record, shard: grid.shardRecord(part, programVersion: programVersion), replacing: !resume)
            try database.delete(stale)

            var stderr = StandardError()
            var intro = "sweep \(experiment.name)\(part.count > 1 ? ", shard \(part)" : ""): \(cells.count) of \(plan.cells.count) runs on \(Self.jobsText(Swift.min(jobs, Swift.max(1, cells.count)))) into \(db)"
            if replaced > 0 { intro += "; replaced \(replaced) earlier runs" }
            if resume { intro += "; \(plan.cells.count - cells.count) already done" + (stale.isEmpty ? "" : ", \(stale.count) stale deleted") }
            print(intro, to: &stderr)

            let progress = SweepProgress(total: cells.count)
            Interruption.install()
            progress.start()
            try SweepRunner.run(cells, into: database, jobs: jobs, onProgress: progress.update, onRunning: progress.onRunning)
            progress.finish()

            if part.count > 1 {
                // A shard's tables would be a part of the grid's: the merged database has them.
                print("shard \(part) of \(experiment.name) is in \(db); when all \(part.count) are done: platform-sim merge OUT.sqlite SHARD.sqlite..., then platform-sim report --db OUT.sqlite", to: &stderr)
                return
            }
            guard let results = try database.results(experiment: experiment.name) else { return }
            print(ExperimentTables(results).render(format == .md ? .markdown : .plain), terminator: "")
        }

        static func jobsText(_ n: Int) -> String { n == 1 ? "1 job" : "\(n) jobs" }
    }
}

extension ResultsDatabase {
    /// Opens the database for the command line, with the error as one line.
    static func open(_ path: String, access: Access) throws -> ResultsDatabase {
        do {
            return try ResultsDatabase(path: path, access: access)
        } catch let error as OpenError {
            throw CommandLineFailure(error.description)
        } catch {
            throw CommandLineFailure("cannot open the results database '\(path)': \(error)")
        }
    }
}

extension ResultsDatabase {
    /// Refuses to overwrite an experiment of the same name that another experiment file made
    /// (another path and other bytes), naming that file: copying an example whose name is
    /// `roadmap` must not silently replace the real roadmap's runs. The same file, edited, is
    /// the same experiment: a sweep replaces its runs, `--resume` keeps what still holds.
    func checkSameExperiment(_ new: ExperimentRecord, stored: ExperimentRecord?, path: String) throws {
        guard let stored, stored.experimentSHA256 != new.experimentSHA256 else { return }
        func absolute(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
        guard absolute(stored.experimentFile) != absolute(new.experimentFile) else { return }
        let runs = try runRecords(experiment: stored.name).count
        throw CommandLineFailure("'\(path)' already holds \(runs) runs of experiment '\(stored.name)' made from \(stored.experimentFile) "
            + "(sha256 \(stored.experimentSHA256.prefix(12))), not from \(new.experimentFile) (sha256 \(new.experimentSHA256.prefix(12))); "
            + "pass --replace to replace them, or --db to use another database")
    }
}

/// A failure to report as `error: MESSAGE`.
struct CommandLineFailure: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// Ctrl-C during a sweep: say what is kept, and exit. SQLite rolls back the run being written
/// when the file is next opened, so the database holds whole runs only.
enum Interruption {
    static func install() {
        signal(SIGINT) { _ in
            let message = "\ninterrupted: the finished runs are saved; run again with --resume to make the rest\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            _exit(130)
        }
    }
}

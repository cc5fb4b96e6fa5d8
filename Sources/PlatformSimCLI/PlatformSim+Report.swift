import ArgumentParser
import FileOutput
import Foundation
import ModelSchema
import Reports
import ResultsStore

extension PlatformSim {
    /// `platform-sim report`: the tables of experiments, from the results database alone.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Writes an experiment's tables (bottlenecks, SLO, cost, configurations side by side) from the results database.",
            discussion: """
                table writes the tables as sweep prints them (plain aligned text, at most 120 \
                columns); md one document per experiment with the question and every table; csv one \
                file per table (NAME-bottlenecks.csv, -slo, -cost, -phases) of raw numbers, the unit \
                in each column's name (p99_ms, error_share, monthly_usd), an empty cell where there \
                is no value and a _ci95 column for a 95% half-width; json the summary's numbers. Without --out they go to standard output (several files separated by a \
                '# FILE' line).
                """)

        @Option(help: ArgumentHelp("The results database written by sweep.", valueName: "path"))
        var db: String

        @Option(help: ArgumentHelp("The experiment to report (default: every experiment in the database).", valueName: "name"))
        var experiment: String?

        @Option(help: "Output format: table, md, csv or json.")
        var format: ExperimentReport.OutputFormat = .md

        @Option(help: ArgumentHelp("A folder to write the files and SVG charts into instead of standard output (created if missing; other files in it are left alone).", valueName: "dir"))
        var out: String?

        func run() throws {
            let database = try ResultsDatabase.open(db, access: .read)
            let all = try database.experiments().map(\.name)
            let names: [String]
            if let experiment {
                guard all.contains(experiment) else {
                    throw CommandLineFailure("the database has no experiment '\(experiment)'" + (all.isEmpty ? "" : " (it has: \(all.joined(separator: ", ")))"))
                }
                names = [experiment]
            } else {
                guard !all.isEmpty else { throw CommandLineFailure("the database '\(db)' holds no experiments") }
                names = all
            }
            try database.checkStoredNames(experiments: names, path: db)
            var files: [(name: String, text: String)] = []
            var texts: [String] = []
            for name in names {
                guard let results = try database.results(experiment: name) else { continue }
                let documents = try ExperimentReport.documents(results, format: format)
                if out != nil {
                    files += documents.map { ($0.file, $0.text) }
                    files += ExperimentCharts().files(for: results, summary: ExperimentSummary(results))
                } else {
                    texts.append(ExperimentReport.joined(documents, format: format))
                }
            }
            if let out {
                // All files at once: written into a temporary folder, moved into place when complete.
                do {
                    for path in try OutputFiles.writeSet(files, into: out) { print(path) }
                } catch {
                    throw CommandLineFailure("\(error)")
                }
            }
            if out == nil { print(texts.joined(separator: "\n"), terminator: "") }
        }
    }
}

extension ResultsDatabase {
    /// Refuses a database whose names this program would not have written (``NameRule``): they
    /// become file names under `report --out` (`../../evil`), markdown (`<svg onload=...>`) and
    /// CSV cells (`=1+1`). Checked by every command that reads names back (report, merge)
    /// before it writes anything. A database from a sweep always passes.
    /// - Parameter experiments: the experiments to check (nil: every one).
    func checkStoredNames(experiments only: [String]? = nil, path: String) throws {
        for experiment in try experiments() where only?.contains(experiment.name) ?? true {
            var names: [(what: String, name: String)] = [("experiment", experiment.name)]
            names += experiment.configurationList.map { ("configuration", $0) }
            names += experiment.variantList.map { ("variant", $0) }
            for run in try runRecords(experiment: experiment.name) {
                names.append(("configuration", run.configuration))
                names.append(("variant", run.variant))
            }
            var seen = Set<String>()
            for (what, name) in names where seen.insert(what + "\u{0}" + name).inserted {
                if let problem = NameRule.problem(with: name) {
                    throw CommandLineFailure("'\(path)' holds \(what) name '\(NameRule.shownSafely(name))', which \(problem); "
                        + "it was not written by a sweep of this program: nothing was written")
                }
            }
        }
    }
}

extension ExperimentReport.OutputFormat: ExpressibleByArgument {}

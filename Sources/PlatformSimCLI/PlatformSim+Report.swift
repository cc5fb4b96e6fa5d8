import ArgumentParser
import Foundation
import Reports
import ResultsStore

extension PlatformSim {
    /// `platform-sim report`: the tables of experiments, from the results database alone.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Writes an experiment's tables (bottlenecks, SLO, cost, configurations side by side) from the results database.",
            discussion: """
                md writes one document per experiment with the question and every table; csv one \
                file per table (NAME-bottlenecks.csv, -slo, -cost, -phases); json the summary's \
                numbers. Without --out they go to standard output (several files separated by a \
                '# FILE' line).
                """)

        /// Chart writers called by `--out` after the tables: p99, errors, cost and utilization against users.
        static let chartWriters: [any ExperimentChartWriter] = [ExperimentCharts()]

        @Option(help: ArgumentHelp("The results database written by sweep.", valueName: "path"))
        var db: String

        @Option(help: ArgumentHelp("The experiment to report (default: every experiment in the database).", valueName: "name"))
        var experiment: String?

        @Option(help: "Output format: md, csv or json.")
        var format: ExperimentReport.OutputFormat = .md

        @Option(help: ArgumentHelp("A folder to write files into instead of standard output (created if missing).", valueName: "dir"))
        var out: String?

        func run() throws {
            guard FileManager.default.fileExists(atPath: db) else { throw CommandLineFailure("no such results database '\(db)'") }
            let database = try ResultsDatabase.open(db)
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
            if let out { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
            var texts: [String] = []
            for name in names {
                guard let results = try database.results(experiment: name) else { continue }
                let documents = try ExperimentReport.documents(results, format: format)
                if let out {
                    for d in documents {
                        let path = (out as NSString).appendingPathComponent(d.file)
                        try d.text.write(toFile: path, atomically: true, encoding: .utf8)
                        print(path)
                    }
                    let summary = ExperimentSummary(results)
                    for writer in Self.chartWriters {
                        for path in try writer.writeCharts(for: results, summary: summary, to: out) { print(path) }
                    }
                } else {
                    texts.append(ExperimentReport.joined(documents, format: format))
                }
            }
            if out == nil { print(texts.joined(separator: "\n"), terminator: "") }
        }
    }
}

extension ExperimentReport.OutputFormat: ExpressibleByArgument {}

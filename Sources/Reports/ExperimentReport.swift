import Foundation
import ResultsStore

/// What `platform-sim report` writes for one experiment, from its database records.
public enum ExperimentReport {
    public enum OutputFormat: String, CaseIterable, Sendable { case table, md, csv, json }

    /// The documents for one experiment, as (file name, text): plain text (`table`, as `sweep`
    /// prints it, at most 120 columns wide) and markdown are one file with every table; CSV one
    /// file per table (`NAME-bottlenecks.csv`, `-slo`, `-cost`, `-phases`) of raw numbers with
    /// the units in the header; JSON one file with the summary's numbers unformatted.
    public static func documents(_ results: ExperimentResults, format: OutputFormat) throws -> [(file: String, text: String)] {
        let tables = ExperimentTables(results)
        let name = results.experiment.name
        switch format {
        case .table:
            return [("\(name).txt", tables.render(.plain))]
        case .md:
            return [("\(name).md", tables.render(.markdown))]
        case .csv:
            return tables.data().map { ("\(name)-\($0.name).csv", $0.table.csv()) }
        case .json:
            return [("\(name).json", try JSONOutput.document(tables.summary))]
        }
    }

    /// The documents as one text for standard output: several files are separated by a blank
    /// line and a `# FILE` line.
    public static func joined(_ documents: [(file: String, text: String)], format: OutputFormat) -> String {
        guard documents.count > 1 || format == .csv else { return documents.first?.text ?? "" }
        return documents.map { "# \($0.file)\n\($0.text)" }.joined(separator: "\n")
    }
}

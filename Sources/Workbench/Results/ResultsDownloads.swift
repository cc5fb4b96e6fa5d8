import Foundation
import Reports
import ResultsStore

/// The downloads of a Results page, for the runs the filter shows: the runs as CSV or JSON,
/// each report table as CSV (as `platform-sim report --format csv` writes them), the
/// summary as JSON.
enum ResultsDownloads {
    /// The file named `file` (`runs.csv`, `slo.csv`, `summary.json`...), or nil when there is none such.
    static func file(_ file: String, results: ExperimentResults) throws -> (text: String, type: String)? {
        let name = results.experiment.name
        switch file {
        case "runs.csv": return (runsTable(results).csv(), "text/csv; charset=utf-8")
        case "runs.json": return (String(decoding: try Responses.encode(results.runs.map(RunRow.init)), as: UTF8.self), "application/json; charset=utf-8")
        case "summary.json":
            let doc = try ExperimentReport.documents(results, format: .json)
            return (doc.first?.text ?? "{}\n", "application/json; charset=utf-8")
        default:
            guard file.hasSuffix(".csv") else { return nil }
            let table = String(file.dropLast(4))
            guard ExperimentReportTables.names.contains(table) else { return nil }
            let docs = try ExperimentReport.documents(results, format: .csv)
            return docs.first { $0.file == "\(name)-\(table).csv" }.map { ($0.text, "text/csv; charset=utf-8") }
        }
    }

    static func runsTable(_ results: ExperimentResults) -> TextTable {
        var t = TextTable(RunRow.columns)
        for run in results.runs { t.add(RunRow(run).cells) }
        return t
    }

    /// One run's headline figures, as a row of the runs download.
    struct RunRow: Encodable {
        var configuration, variant: String
        var users, seed, replication, requests: Int
        var p50Ms, p95Ms, p99Ms, errorRate, throughputPerS, monthlyCostUSD: Double
        var bottleneck, bottleneckReason, modelSHA256, overrides, programVersion: String

        static let columns = ["configuration", "variant", "users", "seed", "replication", "requests", "p50_ms", "p95_ms", "p99_ms",
                              "error_rate", "throughput_per_s", "monthly_cost_usd", "bottleneck", "bottleneck_reason", "model_sha256",
                              "overrides", "program_version"]

        init(_ s: StoredRun) {
            let r = s.run
            configuration = r.configuration; variant = r.variant; users = r.users; seed = r.seed; replication = r.replication
            requests = r.requests; p50Ms = r.p50Ms; p95Ms = r.p95Ms; p99Ms = r.p99Ms; errorRate = r.errorRate
            throughputPerS = r.throughputPerS; monthlyCostUSD = r.monthlyCostUSD; bottleneck = r.bottleneckComponent
            bottleneckReason = r.bottleneckReason; modelSHA256 = r.modelSHA256; overrides = r.overrideList.joined(separator: " ")
            programVersion = r.programVersion
        }

        var cells: [String] {
            [configuration, variant, String(users), String(seed), String(replication), String(requests), "\(p50Ms)", "\(p95Ms)", "\(p99Ms)",
             "\(errorRate)", "\(throughputPerS)", "\(monthlyCostUSD)", bottleneck, bottleneckReason, modelSHA256, overrides, programVersion]
        }
    }
}

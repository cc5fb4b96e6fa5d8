import Formatting
import Foundation
import Reports
import ResultsStore

/// The Results pages: the experiments in the database, one experiment's tables and charts
/// (filtered by configuration, variant and user count, with downloads), and one run's detail.
enum ResultsPages {
    static func list(_ experiments: [ExperimentRecord], runCounts: [String: Int], notebooks: Set<String>, footer: PageFooter) -> String {
        var body = "<h1>Results</h1><p class=\"lead\">Every experiment in <code>\(HTML.escape(footer.databasePath))</code>: the sweeps of "
            + "<code>platform-sim sweep</code> and the what-ifs saved from this workbench.</p>"
        if experiments.isEmpty {
            body += "<p class=\"notice\">The database holds no experiment yet. Run <code>platform-sim sweep Experiments/roadmap.yaml --db \(HTML.escape(footer.databasePath))</code>, "
                + "or save a what-if from the <a href=\"/whatif\">What-if</a> page.</p>"
        } else {
            let rows = experiments.map { e -> [String] in
                let link = "/results/" + HTML.urlComponent(e.name)
                return ["<a href=\"\(link)\">\(HTML.escape(e.name))</a>", HTML.escape(e.question),
                        HTML.escape(e.configurationList.joined(separator: ", ")),
                        HTML.escape(e.userList.map { Format.users($0) }.joined(separator: ", ")),
                        String(runCounts[e.name] ?? 0),
                        notebooks.contains(e.name) ? "<a href=\"/notebooks/\(HTML.urlComponent(e.name))\">notebook</a>" : ""]
            }
            body += HTML.table(["experiment", "question", "configurations", "users", "runs", ""], rows, numeric: [4], id: "experiments")
        }
        return HTML.page(title: "Results", section: .results, footer: footer, body: body)
    }

    static func experiment(_ all: ExperimentResults, filter: ResultsFilter, hasNotebook: Bool, footer: PageFooter) -> String {
        let e = all.experiment
        let results = filter.apply(all)
        let base = "/results/" + HTML.urlComponent(e.name)
        var body = "<h1>Experiment <code>\(HTML.escape(e.name))</code></h1><p class=\"lead\">\(HTML.escape(e.question))</p>"
        var facts = "<p>SLO: p99 ≤ \(Format.number(e.sloP99Ms)) ms and error rate ≤ \(Format.percent(e.sloErrorRate, 2)). "
            + "Window: \(shown(e.warmUpS)) s warm-up, \(shown(e.durationS)) s measured, "
            + (e.startHour.map { "from \(shown($0)) h" } ?? "the busiest hour") + ". "
        facts += e.experimentFile.hasSuffix(".yaml")
            ? "Experiment file <a href=\"/experiments/\(HTML.urlComponent((e.experimentFile as NSString).lastPathComponent))\"><code>\(HTML.escape(e.experimentFile))</code></a>. "
            : "Made by <code>\(HTML.escape(e.experimentFile))</code>. "
        if hasNotebook { facts += "<a href=\"/notebooks/\(HTML.urlComponent(e.name))\">Read its notebook</a>." }
        body += facts + "</p>"

        // Filters.
        func select(_ name: String, _ label: String, _ values: [String], _ shownValue: (String) -> String, _ current: String?) -> String {
            var s = "<label>\(label) <select name=\"\(name)\"><option value=\"\">all</option>"
            for v in values { s += "<option value=\"\(HTML.escape(v))\"\(v == current ? " selected" : "")>\(HTML.escape(shownValue(v)))</option>" }
            return s + "</select></label> "
        }
        body += "<form class=\"filters\" id=\"results-filter\" method=\"get\" action=\"\(base)\">"
        body += select("configuration", "Configuration", e.configurationList, { $0 }, filter.configuration)
        body += select("variant", "Variant", e.variantList, { $0 }, filter.variant)
        body += select("users", "Users", e.userList.map(String.init), { Format.users(Int($0) ?? 0) }, filter.users.map(String.init))
        body += "<button type=\"submit\">Show</button>" + (filter.isEmpty ? "" : " <a href=\"\(base)\">all runs</a>") + "</form>"

        let q = filter.query
        body += "<p class=\"downloads\">Download: <a href=\"\(base)/download/runs.csv\(q)\">runs (CSV)</a> · <a href=\"\(base)/download/runs.json\(q)\">runs (JSON)</a> · "
            + ExperimentReportTables.names.map { "<a href=\"\(base)/download/\($0).csv\(q)\">\($0) (CSV)</a>" }.joined(separator: " · ")
            + " · <a href=\"\(base)/download/summary.json\(q)\">summary (JSON)</a></p>"

        guard !results.runs.isEmpty else {
            body += "<p class=\"notice\">No run matches this filter.</p>"
            return HTML.page(title: e.name, section: .results, footer: footer, body: body)
        }
        // Tables.
        let tables = ExperimentTables(results)
        for (name, title, table) in tables.all() {
            body += "<section class=\"table\" id=\"table-\(name)\"><h2>\(HTML.escape(title))</h2>"
            body += HTML.table(table.headers, table.rows.map { $0.map(HTML.escape) },
                               numeric: Set(table.alignments.indices.filter { table.alignments[$0] == .right }))
            body += "</section>"
        }
        // Charts.
        let charts = ExperimentCharts.charts(ExperimentMetrics(results, summary: tables.summary))
        if !charts.isEmpty {
            body += "<h2>Charts</h2><p class=\"muted\">Hover a point for its value; click a name in the legend above a chart to hide or show its line.</p>"
            for c in charts { body += "<figure class=\"chart\" data-chart=\"\(HTML.escape(c.name))\">\(inlineSVG(c.svg))</figure>" }
        }
        // Runs.
        let rows = results.runs.map { run -> [String] in
            let r = run.run
            return ["<a href=\"\(runLink(base, run.key))\">\(HTML.escape(r.configuration))</a>", HTML.escape(r.variant), Format.grouped(r.users),
                    String(r.seed), String(r.replication), Format.number(r.p99Ms), Format.percent(r.errorRate, 2),
                    HTML.escape(r.bottleneckComponent), Format.usd(r.monthlyCostUSD)]
        }
        body += "<h2>Runs</h2>" + HTML.table(["configuration", "variant", "users", "seed", "replication", "p99 ms", "errors", "bottleneck", "monthly cost"],
                                             rows, numeric: [2, 3, 4, 5, 6, 8], id: "runs")
        return HTML.page(title: e.name, section: .results, footer: footer, body: body)
    }

    static func runLink(_ base: String, _ k: RunKey) -> String {
        "\(base)/run?configuration=\(HTML.urlComponent(k.configuration))&amp;variant=\(HTML.urlComponent(k.variant))&amp;users=\(k.users)&amp;seed=\(k.seed)&amp;replication=\(k.replication)"
    }

    /// An SVG document as an element inside the page (without its XML declaration).
    static func inlineSVG(_ svg: String) -> String {
        guard svg.hasPrefix("<?xml"), let end = svg.range(of: "?>") else { return svg }
        return String(svg[end.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The report's tables by file name, as `platform-sim report --format csv` names them.
enum ExperimentReportTables {
    static let names = ["bottlenecks", "slo", "cost", "phases"]
}

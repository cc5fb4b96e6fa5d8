import Formatting
import Analysis
import PlatformModel
import Reports

/// A finished what-if beside its baseline: what was simulated (so a reader knows the
/// precision), the headline figures with paired differences, the bottleneck and why, errors
/// by kind, components, cost items, and the form that saves it as a named experiment.
enum WhatIfResultView {
    /// Whether a higher value of a figure is worse (red when it rises significantly), better
    /// (green) or neither.
    enum Direction { case higherIsWorse, higherIsBetter, neutral }

    static func render(job: WhatIfJob, outcome o: WhatIfOutcome) -> String {
        let p = job.prepared, s = p.specification
        let n = s.replications
        var out = "<h2>Simulated: \(HTML.escape(s.configuration)) at \(Format.grouped(s.users)) users</h2>"
        let changed = s.overrides.isEmpty ? "nothing (the what-if is the baseline)" : s.overrides.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: ", ")
        let start = o.baseline.first.map { "from \(Format.fixed($0.result.windowStartHour, 1)) h" } ?? ""
        let hour = s.startHour == nil ? "\(start), the busiest hour of the day's profile" : start
        out += "<p class=\"what-was-run\" id=\"what-was-run\">What-if: \(changed). Each side: \(shown(s.warmUpS)) s of warm-up, then "
            + "\(shown(s.durationS)) s measured \(HTML.escape(hour)); seed \(s.seed), replications 0-\(n - 1) "
            + "(\(n) run\(n == 1 ? "" : "s") per side, the same seeds on both sides). "
        if n > 1 {
            out += "Figures are means over the \(n) runs ± the 95% half-width; a difference is the mean of the \(n) paired differences "
                + "± its 95% half-width (Student t, \(n - 1) degrees of freedom), <mark class=\"better\">marked</mark> when its interval excludes zero."
        } else {
            out += "With one run per side there is no interval: differences under a few percent may be noise; raise the seeds per side."
        }
        out += " Simulated in \(Format.fixed(job.status(position: nil).wallSeconds, 1)) s of wall time"
            + (o.reusedBaseline ? " (the baseline's runs were made ahead while the form was filled in, or kept from an earlier what-if with the same configuration, users, window and seeds: the same inputs and seeds give the same runs)." : ".")
            + "</p>"

        // Headline figures.
        var rows: [[String]] = []
        func row(_ name: String, _ f: (DiagnosedRun) -> Double, _ fmt: (Double) -> String, _ d: Direction) {
            rows.append(figureRow(name, o, f, fmt, d))
        }
        row("p50 latency (ms)", { $0.result.latencyMs.p50 }, Format.number, .higherIsWorse)
        row("p95 latency (ms)", { $0.result.latencyMs.p95 }, Format.number, .higherIsWorse)
        row("p99 latency (ms)", { $0.result.latencyMs.p99 }, Format.number, .higherIsWorse)
        row("error rate", { $0.result.errorRate }, { Format.percent($0, 2) }, .higherIsWorse)
        row("throughput (req/s)", { $0.result.throughput }, Format.number, .neutral)
        row("monthly cost (USD)", { $0.diagnosis.cost.monthlyUSD }, { Format.usd($0) }, .higherIsWorse)
        row("cost per 1,000 users (USD)", { $0.diagnosis.cost.perThousandUsersUSD }, { Format.fixed($0, 2) }, .higherIsWorse)
        let sloB = o.baseline.filter { s.slo.verdict($0.result).meets }.count, sloW = o.whatIf.filter { s.slo.verdict($0.result).meets }.count
        rows.append(["SLO (\(HTML.escape(s.sloText)))", "met in \(sloB) of \(n)", "met in \(sloW) of \(n)", ""])
        out += HTML.table(["figure", "baseline", "what-if", "difference"], rows, numeric: [1, 2, 3], id: "headline", classes: "comparison")

        // Bottleneck.
        out += "<h3>Bottleneck</h3><dl class=\"bottleneck\" id=\"bottleneck\">"
        for (name, runs) in [("baseline", o.baseline), ("what-if", o.whatIf)] {
            if let (b, count) = WhatIfOutcome.usualBottleneck(runs) {
                out += "<dt>\(name)</dt><dd><strong>\(HTML.escape(b.component))</strong>: \(HTML.escape(b.reason))"
                    + (n > 1 ? " <span class=\"muted\">(\(count) of \(n) runs)</span>" : "") + "</dd>"
            }
        }
        out += "</dl>"

        // Errors by kind.
        var errorRows: [[String]] = []
        for kind in ErrorKind.allCases {
            let f: (DiagnosedRun) -> Double = { Double($0.result.errors[kind]) / Double(Swift.max(1, $0.result.requests)) }
            guard o.baseline.contains(where: { f($0) > 0 }) || o.whatIf.contains(where: { f($0) > 0 }) else { continue }
            errorRows.append(figureRow("<code>\(HTML.escape(kind.name))</code>", o, f, { Format.percent($0, 3) }, .higherIsWorse, escaped: true))
        }
        out += "<h3>Errors by kind (share of requests)</h3>"
        out += errorRows.isEmpty ? "<p>No errors on either side.</p>"
            : HTML.table(["kind", "baseline", "what-if", "difference"], errorRows, numeric: [1, 2, 3], id: "errors", classes: "comparison")

        // Components.
        var componentRows: [[String]] = []
        let names = (o.baseline.first?.result.components.map(\.name) ?? []) + (o.whatIf.first?.result.components.map(\.name) ?? [])
        var seen = Set<String>()
        for name in names where seen.insert(name).inserted {
            let u: (DiagnosedRun) -> Double = { r in r.result.components.first { $0.name == name }?.utilization ?? 0 }
            let w: (DiagnosedRun) -> Double = { r in r.result.components.first { $0.name == name }?.p99WaitMs ?? 0 }
            let util = figureRow("<code>\(HTML.escape(name))</code>", o, u, { Format.percent($0) }, .neutral, escaped: true)
            let wait = figureRow("", o, w, Format.number, .higherIsWorse)
            componentRows.append(util + Array(wait.dropFirst()))
        }
        out += "<h3>Components</h3>"
        out += HTML.table(["component", "utilization baseline", "what-if", "difference", "p99 wait ms baseline", "what-if", "difference"],
                          componentRows, numeric: [1, 2, 3, 4, 5, 6], id: "components", classes: "comparison")

        // Cost items.
        var costRows: [[String]] = []
        for item in o.baseline.first?.diagnosis.cost.items ?? [] {
            let f: (DiagnosedRun) -> Double = { r in r.diagnosis.cost.items.first { $0.name == item.name }?.monthlyUSD ?? 0 }
            costRows.append(figureRow(HTML.escape(item.name), o, f, { Format.usd($0) }, .higherIsWorse, escaped: true))
        }
        out += "<h3>Monthly cost by item (USD)</h3>"
        out += HTML.table(["item", "baseline", "what-if", "difference"], costRows, numeric: [1, 2, 3], id: "costs", classes: "comparison")

        out += """
        <h3>Keep it</h3>
        <form id="save-form" class="inline" data-job="\(HTML.escape(job.id))">
        <label>Experiment name <input name="name" id="field-name" placeholder="e.g. phase3-pool-40" pattern="[A-Za-z0-9._-]{1,64}" autocomplete="off"></label>
        <button type="submit">Save into the results database</button>
        <span id="save-status" role="status"></span>
        </form>
        <p class="muted">Saved what-ifs are experiments with two variants, <code>baseline</code> and <code>what-if</code>, each run stored with the
        model files' hash, the overrides, the seed and the program version. <a href="/api/whatif/\(HTML.urlComponent(job.id))/result.json">Download this result as JSON</a>.</p>
        """
        return out
    }

    /// A figure on both sides and their paired difference; `name` escaped by the caller when `escaped`.
    static func figureRow(_ name: String, _ o: WhatIfOutcome, _ f: (DiagnosedRun) -> Double, _ fmt: (Double) -> String,
                          _ direction: Direction, escaped: Bool = false) -> [String] {
        let b = WhatIfOutcome.estimate(o.baseline, f), w = WhatIfOutcome.estimate(o.whatIf, f)
        let d = o.difference(f)
        func value(_ e: Estimate) -> String {
            e.halfWidth.isFinite ? "\(fmt(e.mean)) <span class=\"hw\">± \(fmt(e.halfWidth))</span>" : fmt(e.mean)
        }
        var diff = (d.mean > 0 ? "+" : "") + fmt(d.mean)
        if d.halfWidth.isFinite { diff += " <span class=\"hw\">± \(fmt(d.halfWidth))</span>" }
        if d.mean == 0 && (d.halfWidth == 0 || !d.halfWidth.isFinite) { diff = "0" }
        var cls = ""
        if d.excludesZero {
            switch direction {
            case .higherIsWorse: cls = d.mean > 0 ? "worse" : "better"
            case .higherIsBetter: cls = d.mean > 0 ? "better" : "worse"
            case .neutral: cls = "changed"
            }
        }
        let diffCell = cls.isEmpty ? diff : "<mark class=\"\(cls)\" title=\"the 95% interval excludes zero\">\(diff)</mark>"
        return [escaped ? name : HTML.escape(name), value(b), value(w), diffCell]
    }
}

import Formatting
import Analysis
import PlatformModel
import Reports

/// A finished what-if beside its baseline: what was simulated (so a reader knows the
/// precision), the headline figures with paired differences, the bottleneck and why, errors
/// by kind, components, cost items, and the form that saves it as a named experiment.
enum WhatIfResultView {
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

        // The figures, as the comparison lists them (the same as `platform-sim compare`).
        let comparison = o.comparison
        let figures = comparison.figures()
        func format(_ f: RunComparison.Figure) -> (Double) -> String {
            switch f.unit {
            case .milliseconds, .perSecond: Format.number
            case .share: f.section == .errors ? { Format.percent($0, 3) } : { Format.percent($0, 2) }
            case .utilization: { Format.percent($0) }
            case .usd: { Format.usd($0) }
            case .usdPerThousandUsers: { Format.fixed($0, 2) }
            }
        }
        func row(_ f: RunComparison.Figure, name: String) -> [String] {
            figureRow(name, comparison, f.value, format(f), f.direction, escaped: true)
        }

        // Headline figures.
        var rows = figures.filter { $0.section == .headline }.map { row($0, name: HTML.escape($0.name)) }
        rows.append(["SLO (\(HTML.escape(s.sloText)))", "met in \(comparison.meeting(s.slo, .baseline)) of \(n)",
                     "met in \(comparison.meeting(s.slo, .other)) of \(n)", ""])
        out += HTML.table(["figure", "baseline", "what-if", "difference"], rows, numeric: [1, 2, 3], id: "headline", classes: "comparison")

        // Bottleneck.
        out += "<h3>Bottleneck</h3><dl class=\"bottleneck\" id=\"bottleneck\">"
        for (name, side) in [("baseline", RunComparison.Side.baseline), ("what-if", .other)] {
            let (b, count) = comparison.usualBottleneck(side)
            out += "<dt>\(name)</dt><dd><strong>\(HTML.escape(b.component))</strong>: \(HTML.escape(b.reason))"
                + (n > 1 ? " <span class=\"muted\">(\(count) of \(n) runs)</span>" : "") + "</dd>"
        }
        out += "</dl>"

        // Errors by kind.
        let errorRows = figures.filter { $0.section == .errors }.map { row($0, name: "<code>\(HTML.escape($0.name))</code>") }
        out += "<h3>Errors by kind (share of requests)</h3>"
        out += errorRows.isEmpty ? "<p>No errors on either side.</p>"
            : HTML.table(["kind", "baseline", "what-if", "difference"], errorRows, numeric: [1, 2, 3], id: "errors", classes: "comparison")

        // Components: utilization and p99 wait, a row each.
        var componentRows: [[String]] = []
        let components = figures.filter { $0.section == .components }
        for (util, wait) in zip(components.filter { $0.unit == .utilization }, components.filter { $0.unit == .milliseconds }) {
            componentRows.append(row(util, name: "<code>\(HTML.escape(util.name))</code>") + Array(row(wait, name: "").dropFirst()))
        }
        out += "<h3>Components</h3>"
        out += HTML.table(["component", "utilization baseline", "what-if", "difference", "p99 wait ms baseline", "what-if", "difference"],
                          componentRows, numeric: [1, 2, 3, 4, 5, 6], id: "components", classes: "comparison")

        // Cost items.
        let costRows = figures.filter { $0.section == .costs }.map { row($0, name: HTML.escape($0.name)) }
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
    static func figureRow(_ name: String, _ o: RunComparison, _ f: (DiagnosedRun) -> Double, _ fmt: (Double) -> String,
                          _ direction: RunComparison.Direction, escaped: Bool = false) -> [String] {
        let b = o.estimate(.baseline, f), w = o.estimate(.other, f)
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

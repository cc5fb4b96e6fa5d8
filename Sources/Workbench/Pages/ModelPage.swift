import Notebooks

/// The Model page: every parameter with its value per configuration side by side, its unit and
/// its source or `assumption`; and what each phase overlay changes.
enum ModelPage {
    static func render(_ catalog: ModelCatalog, footer: PageFooter) -> String {
        let configs = catalog.configurations
        var body = "<h1>The model</h1>"
        body += "<p class=\"lead\">The parameters of <code>\(HTML.escape(catalog.basePath))</code> in each configuration "
            + "(each phase is the base file plus its overlays, applied in order). A value that differs from the configuration "
            + "to its left is marked. <span class=\"label sourced\">sourced</span> values give their source in the comment; "
            + "<span class=\"label assumption\">assumption</span> values have none: they are the numbers to question. "
            + "Change any of them for one run on the <a href=\"/whatif\">What-if</a> page.</p>"
        body += "<p><a class=\"button\" href=\"/model/changes\">What each phase changes</a></p>"
        let labels = catalog.parameters.map { $0.labels[0] }
        body += "<p>\(catalog.parameters.count) parameters in the base file: \(labels.filter { $0 == .sourced }.count) sourced, "
            + "\(labels.filter { $0 == .assumption }.count) assumptions, \(labels.filter { $0 == .unlabelled }.count) neither "
            + "(names, switches and structure).</p>"
        body += """
        <div class="filters" id="model-filters">
        <label>Filter <input type="search" id="parameter-filter" placeholder="key, value or comment" autocomplete="off"></label>
        <label><input type="checkbox" id="only-differing"> only parameters that differ between configurations</label>
        <label><input type="checkbox" id="only-assumptions"> only assumptions</label>
        </div>
        """
        var head = "<tr><th>parameter</th><th>unit</th>"
        for c in configs { head += "<th class=\"num\">\(HTML.escape(c.name))</th>" }
        head += "<th>source</th></tr>"
        body += "<table class=\"parameters\" id=\"parameter-table\"><thead>\(head)</thead>"
        for section in catalog.sections {
            body += "<tbody data-section=\"\(HTML.escape(section))\"><tr class=\"section\"><th colspan=\"\(configs.count + 3)\">\(HTML.escape(section))</th></tr>"
            for p in catalog.parameters where p.section == section {
                let differs = Set(p.values).count > 1
                let label = p.labels.first { $0 != .unlabelled } ?? .unlabelled
                body += "<tr class=\"parameter\" data-path=\"\(HTML.escape(p.path))\" data-differs=\"\(differs)\" data-label=\"\(label.rawValue)\">"
                body += "<td><code>\(HTML.escape(p.path))</code></td><td>\(HTML.escape(p.unit ?? ""))</td>"
                for (i, v) in p.values.enumerated() {
                    let changed = i > 0 && v != p.values[i - 1]
                    let title = changed ? " title=\"\(HTML.escape(p.origins[i] + (p.comments[i].isEmpty ? "" : ": " + p.comments[i])))\"" : ""
                    body += "<td class=\"value\(changed ? " changed" : "")\"\(title)><span title=\"\(HTML.escape(v ?? ""))\">\(HTML.escape(v.map(shorten) ?? "–"))</span></td>"
                }
                body += "<td>\(labelBadge(label))\(HTML.escape(p.comments.first { !$0.isEmpty } ?? ""))</td></tr>"
            }
            body += "</tbody>"
        }
        body += "</table>"
        return HTML.page(title: "Model", section: .model, footer: footer, body: body)
    }

    /// What each overlay changes: one table per configuration after the first.
    static func changes(_ catalog: ModelCatalog, footer: PageFooter) -> String {
        var body = "<h1>What each phase changes</h1><p class=\"lead\">Each configuration against the one before it: "
            + "the keys its overlay sets to a new value, with the overlay's comment. <a href=\"/model\">All parameters side by side</a>.</p>"
        var toc = "<ul class=\"toc\">"
        var sections = ""
        for i in 1..<max(1, catalog.configurations.count) {
            let c = catalog.configurations[i], previous = catalog.configurations[i - 1]
            let changes = catalog.changes(in: i)
            toc += "<li><a href=\"#changes-\(HTML.escape(c.name))\">\(HTML.escape(c.name))</a> (\(changes.count) changes)</li>"
            let overlay = c.overlays.last.map { " (<code>\(HTML.escape($0))</code>)" } ?? ""
            sections += "<section id=\"changes-\(HTML.escape(c.name))\"><h2>\(HTML.escape(c.name)) against \(HTML.escape(previous.name))\(overlay)</h2>"
            let rows = changes.map { ch in
                ["<code>\(HTML.escape(ch.path))</code>", HTML.escape(ch.before.map(shorten) ?? "–"), "<strong>\(HTML.escape(ch.after.map(shorten) ?? "–"))</strong>",
                 labelBadge(ch.label) + HTML.escape(ch.comment)]
            }
            sections += rows.isEmpty ? "<p>No parameter changes.</p>" : HTML.table(["parameter", previous.name, c.name, "why"], rows, classes: "changes")
            sections += "</section>"
        }
        body += toc + "</ul>" + sections
        return HTML.page(title: "What each phase changes", section: .model, footer: footer, body: body)
    }

    static func labelBadge(_ label: AssumptionIndex.Label) -> String {
        label == .unlabelled ? "" : "<span class=\"label \(label.rawValue)\">\(label.rawValue)</span> "
    }

    /// Long values (lists of 24 weights) cut for the table; the full value is in the form.
    static func shorten(_ s: String) -> String { s.count > 80 ? String(s.prefix(77)) + "…" : s }
}

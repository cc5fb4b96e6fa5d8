import Formatting
import Foundation
import Reports

/// The What-if page: the form (a configuration, a user count, what to simulate, and every
/// parameter of the model with its value in the chosen configuration), then, filled in by the
/// page's script, the analytic answer, the progress and the results.
enum WhatIfPage {
    /// The page; with `job`, its form holds that what-if and the page shows its progress or result.
    static func render(_ catalog: ModelCatalog, limits: WorkbenchLimits, job: WhatIfJob?, footer: PageFooter) -> String {
        let spec = job?.prepared.specification
        let selected = spec.flatMap { catalog.index(of: $0.configuration) } ?? catalog.index(of: "phase3") ?? 0
        var overrides: [String: String] = [:], extra: [String] = []
        let editable = catalog.editable
        let paths = Set(editable.map(\.path))
        for text in spec?.overrides ?? [] {
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            if parts.count == 2, paths.contains(key), overrides[key] == nil { overrides[key] = String(parts[1]) } else { extra.append(text) }
        }
        var body = "<h1>What if…</h1>"
        body += "<p class=\"lead\">Pick a configuration and a user count, change any parameter, and run. The queueing formulas answer at once; "
            + "then the simulation runs the unchanged configuration (the baseline) and the changed one with the same seeds "
            + "(common random numbers), so their differences are paired run by run. Bad values get the same errors as "
            + "<code>platform-sim run --set</code>, next to their field.</p>"
        body += "<form id=\"whatif-form\" novalidate>"
        body += "<fieldset class=\"run\"><legend>Run</legend><div class=\"run-fields\">"
        var options = ""
        for (i, c) in catalog.configurations.enumerated() {
            options += "<option value=\"\(HTML.escape(c.name))\"\(i == selected ? " selected" : "")>\(HTML.escape(c.name))</option>"
        }
        body += field("configuration", "Configuration", "<select name=\"configuration\" id=\"field-configuration\">\(options)</select>")
        body += field("users", "Registered users", input("users", String(spec?.users ?? limits.defaultUsers), mode: "numeric"),
                      hint: "1 to \(Format.grouped(limits.maxUsers))")
        body += field("replications", "Seeds per side", input("replications", String(spec?.replications ?? limits.defaultReplications), mode: "numeric"),
                      hint: "1 to \(limits.maxReplications); more seeds, narrower intervals")
        body += field("warmUpS", "Warm-up (s)", input("warmUpS", shown(spec?.warmUpS ?? limits.defaultWarmUpS), mode: "decimal"),
                      hint: "at most \(shown(limits.maxWarmUpS))")
        body += field("durationS", "Measured (s)", input("durationS", shown(spec?.durationS ?? limits.defaultDurationS), mode: "decimal"),
                      hint: "at most \(shown(limits.maxDurationS))")
        body += field("startHour", "Start hour", input("startHour", spec?.startHour.map(shown) ?? "", mode: "decimal", placeholder: "busiest"),
                      hint: "0-24; empty: the busiest hour")
        body += field("seed", "Seed", input("seed", String(spec?.seed ?? 1), mode: "numeric"))
        body += field("slo", "SLO", input("slo", spec?.sloText ?? WhatIfSpecification.defaultSLO, mode: "text"))
        body += "</div></fieldset>"
        body += "<div id=\"form-errors\" class=\"errors\" role=\"alert\" hidden></div>"
        body += "<fieldset class=\"parameters\"><legend>Parameters</legend>"
        body += "<div class=\"filters\"><label>Find <input type=\"search\" id=\"parameter-search\" placeholder=\"key, e.g. connectionLimit\" autocomplete=\"off\"></label> "
            + "<label><input type=\"checkbox\" id=\"show-changed\"> only changed</label></div>"
        for section in catalog.sections {
            let rows = editable.filter { $0.section == section }
            guard !rows.isEmpty else { continue }
            let open = rows.contains { overrides[$0.path] != nil }
            body += "<details class=\"section\" data-section=\"\(HTML.escape(section))\"\(open ? " open" : "")><summary>\(HTML.escape(section)) <span class=\"count\">\(rows.count)</span></summary>"
            body += "<table class=\"form-parameters\"><tbody>"
            for p in rows { body += parameterRow(p, selected: selected, override: overrides[p.path]) }
            body += "</tbody></table></details>"
        }
        body += "<label class=\"extra\">More overrides, one <code>KEY.PATH=VALUE</code> per line (keys the form does not list, such as new endpoints under an open mapping)"
            + "<textarea name=\"overrides\" id=\"field-overrides\" rows=\"3\" spellcheck=\"false\">\(HTML.escape(extra.joined(separator: "\n")))</textarea></label>"
            + "<div class=\"field-error\" data-for=\"overrides\" hidden></div>"
        body += "</fieldset>"
        // After the parameters, stuck to the bottom of the window: Run is always in reach.
        body += "<div class=\"actions\"><button type=\"submit\" id=\"run-button\">Run what-if</button> "
            + "<button type=\"button\" id=\"cancel-button\" hidden>Cancel</button> "
            + "<span id=\"changed-count\">no parameter changed</span></div>"
        body += "</form>"
        body += "<section id=\"analytic\"\(job == nil ? " hidden" : "")>\(job.map { analytic($0.prepared) } ?? "")</section>"
        body += "<section id=\"progress\" hidden><h2>Simulation</h2><div class=\"progress\"><div class=\"bar\" id=\"progress-bar\"></div></div><p id=\"progress-text\"></p></section>"
        var result = ""
        if let job, let outcome = job.outcome { result = WhatIfResultView.render(job: job, outcome: outcome) }
        body += "<section id=\"result\"\(result.isEmpty ? " hidden" : "")>\(result)</section>"
        if let job, !job.isTerminal { body += "<script>window.workbenchResume = \(jsonString(job.id));</script>" }
        else if let job, job.outcome == nil { body += "<p class=\"notice\">This what-if \(HTML.escape(job.status(position: nil).message.isEmpty ? job.phase.rawValue : job.status(position: nil).message)).</p>" }
        return HTML.page(title: "What-if", section: .whatIf, footer: footer, body: body)
    }

    static func field(_ name: String, _ label: String, _ control: String, hint: String? = nil) -> String {
        "<div class=\"field\" data-field=\"\(name)\"><label for=\"field-\(name)\">\(HTML.escape(label))</label>\(control)"
            + (hint.map { "<small>\(HTML.escape($0))</small>" } ?? "")
            + "<div class=\"field-error\" data-for=\"\(name)\" hidden></div></div>"
    }

    static func input(_ name: String, _ value: String, mode: String, placeholder: String = "") -> String {
        "<input name=\"\(name)\" id=\"field-\(name)\" value=\"\(HTML.escape(value))\" inputmode=\"\(mode)\" autocomplete=\"off\""
            + (placeholder.isEmpty ? "" : " placeholder=\"\(HTML.escape(placeholder))\"") + ">"
    }

    /// One parameter's row: its key, an input holding its value in the selected configuration
    /// (and, for the script, its value in every configuration), its unit and source.
    static func parameterRow(_ p: ModelCatalog.Parameter, selected: Int, override: String?) -> String {
        let base = p.values[selected] ?? ""
        let value = override ?? base
        let values = jsonString(array: p.values.map { $0 ?? "" })
        let id = "param-" + p.path
        var control: String
        if p.isBoolean && (value == "true" || value == "false") {
            control = "<select class=\"param\" name=\"\(HTML.escape(p.path))\" id=\"\(HTML.escape(id))\" data-values=\"\(HTML.escape(values))\">"
                + ["true", "false"].map { "<option\($0 == value ? " selected" : "")>\($0)</option>" }.joined() + "</select>"
        } else {
            control = "<input class=\"param\" name=\"\(HTML.escape(p.path))\" id=\"\(HTML.escape(id))\" value=\"\(HTML.escape(value))\" "
                + "data-values=\"\(HTML.escape(values))\" autocomplete=\"off\" spellcheck=\"false\">"
        }
        let label = p.labels[selected]
        let comment = p.comments[selected]
        return "<tr class=\"param-row\(override != nil && override != base ? " changed" : "")\" data-path=\"\(HTML.escape(p.path))\">"
            + "<th scope=\"row\"><label for=\"\(HTML.escape(id))\"><code>\(HTML.escape(p.path))</code></label></th>"
            + "<td>\(control)<div class=\"field-error\" data-for=\"\(HTML.escape(p.path))\" hidden></div></td>"
            + "<td class=\"unit\">\(HTML.escape(p.unit ?? ""))</td>"
            + "<td class=\"source\" title=\"\(HTML.escape(comment))\">\(ModelPage.labelBadge(label))\(HTML.escape(ModelPage.shorten(comment)))</td></tr>"
    }

    /// The analytic answer of both sides: each station's utilization and mean wait from
    /// queueing formulas at the window's peak rates, and the capacity each side was sized to.
    static func analytic(_ p: PreparedWhatIf) -> String {
        let s = p.specification
        var out = "<h2>At once: the queueing formulas</h2>"
        out += "<p>Each station as an M/G/1 or M/M/c queue at the window's rates, for <strong>\(HTML.escape(s.configuration))</strong> at "
            + "\(Format.grouped(s.users)) users. Capacity as the scaling rules size it: baseline \(HTML.escape(capacity(p.baseline))); "
            + "what-if \(HTML.escape(capacity(p.whatIf))). The formulas know no hard limits (pools, rate limits, timeouts): the simulation below does.</p>"
        var rows: [[String]] = []
        let names = p.baseline.stations.map(\.name) + p.whatIf.stations.map(\.name).filter { n in !p.baseline.stations.contains { $0.name == n } }
        for name in names {
            let b = p.baseline.stations.first { $0.name == name }, w = p.whatIf.stations.first { $0.name == name }
            let changed = b?.utilization != w?.utilization || b?.meanWaitMs != w?.meanWaitMs
            rows.append(["<code>\(HTML.escape(name))</code>",
                         b.map { Format.percent($0.utilization) } ?? "–", w.map { Format.percent($0.utilization) } ?? "–",
                         b.map { Format.number($0.meanWaitMs) } ?? "–",
                         (changed ? "<strong>" : "") + (w.map { Format.number($0.meanWaitMs) } ?? "–") + (changed ? "</strong>" : "")])
        }
        out += HTML.table(["station", "utilization baseline", "utilization what-if", "mean wait ms baseline", "mean wait ms what-if"], rows,
                          numeric: [1, 2, 3, 4], id: "analytic-table")
        return out
    }

    static func capacity(_ side: PreparedWhatIf.Side) -> String {
        let c = side.plan
        var parts = ["\(c.apiInstances) API instances (\(c.apiProcesses) processes)", "Postgres \(c.postgresSize)"]
        if c.replicasPerShard > 0 { parts.append("\(c.replicasPerShard) replicas") }
        if c.shards > 1 { parts.append("\(c.shards) shards") }
        if c.workerInstances > 0 { parts.append("\(c.workerInstances) workers") }
        return parts.joined(separator: ", ")
    }

    static func jsonString(_ s: String) -> String {
        let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "</", with: "<\\/")
    }

    static func jsonString(array: [String]) -> String {
        let data = (try? JSONEncoder().encode(array)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

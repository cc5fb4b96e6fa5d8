import PlatformModel
import Reports
import Formatting

/// The model's parameters that matter to this experiment, with their sources or the word
/// `assumption`, read from the model files' comments.
extension Notebook {
    func modelSection() -> String {
        var out = "Every number in the model files carries a comment with its source (a section of the seed document, a measurement on the build machine, "
        out += "vendor documentation) or the word `assumption`. This section reads those comments; a parameter without a comment of its own takes the label of the key "
        out += "that encloses it (marked _inherited_).\n\n"
        out += countsTable()
        out += changedParameters()
        out += relevantParameters()
        return out
    }

    /// Numbers per file and label, over every file the experiment's configurations read.
    func countsTable() -> String {
        var seen: [String] = []
        var rows: [(String, [AssumptionIndex.Parameter])] = []
        for c in e.configurations {
            for f in input.assumptions[c]?.byFile ?? [] where !seen.contains(f.file) {
                seen.append(f.file)
                rows.append((f.file, f.parameters))
            }
        }
        guard !rows.isEmpty else { return "" }
        let anyMeasured = rows.contains { AssumptionIndex.counts($0.1).measured > 0 }
        var t = TextTable(["file", "numbers", "sourced"] + (anyMeasured ? ["measured"] : []) + ["assumption", "neither"],
                          alignments: [.left, .right, .right] + (anyMeasured ? [.right] : []) + [.right, .right])
        var total = (0, 0, 0, 0)
        for (file, list) in rows {
            let k = AssumptionIndex.counts(list)
            total = (total.0 + k.sourced, total.1 + k.assumption, total.2 + k.unlabelled, total.3 + k.measured)
            t.add([Prose.code(file), Format.grouped(k.sourced + k.assumption + k.unlabelled + k.measured), Format.grouped(k.sourced)]
                  + (anyMeasured ? [Format.grouped(k.measured)] : []) + [Format.grouped(k.assumption), Format.grouped(k.unlabelled)])
        }
        let n = total.0 + total.1 + total.2 + total.3
        var out = "The files behind this experiment hold \(Format.grouped(n)) numbers (values that are or contain a number: \(Format.grouped(total.0)) sourced, "
        if total.3 > 0 { out += "\(Format.grouped(total.3)) measured from the platform's own telemetry, " }
        out += "\(Format.grouped(total.1)) assumptions, \(Format.grouped(total.2)) with neither — mostly query plans and step lists, whose figures are explained in the comments around them). "
        out += "An overlay's line counts in its own file.\n\n"
        return out + t.markdown() + "\n"
    }

    /// Every override of the experiment, with what the model says about the parameter it sets.
    func changedParameters() -> String {
        var items: [(text: String, by: String)] = e.overrides.map { ($0, "every run") }
        for v in e.variants { items += v.overrides.map { ($0, "variant `\(v.name)`") } }
        for c in e.cellOverrides { items += c.overrides.map { ($0, "some cells") } }
        guard !items.isEmpty, let index = input.assumptions[e.configurations[0]] else { return "" }
        var t = TextTable(["parameter", "the model says", "label", "its comment", "the experiment sets"], alignments: [.left, .left, .left, .left, .left])
        var done: [String] = []
        for item in items {
            let key = String(item.text.prefix { $0 != "=" })
            let value = String(item.text.drop { $0 != "=" }.dropFirst())
            let p = index.parameter(key)
            let row = [Prose.code(key), p.map { Prose.code($0.value) } ?? "-", p.map(labelText) ?? "-", p?.comment ?? "",
                       "\(Prose.code(value.count > 60 ? String(value.prefix(57)) + "..." : value)) (\(item.by))"]
            let id = row.joined(separator: "\u{1}")
            if done.contains(id) { continue }
            done.append(id)
            t.add(row)
        }
        return "### What this experiment changes\n\n" + t.markdown() + "\n"
    }

    func labelText(_ p: AssumptionIndex.Parameter) -> String {
        let name = p.label == .unlabelled ? "neither" : p.label.rawValue
        return p.inherited ? "\(name) (inherited)" : name
    }

    /// Key-path prefixes (ending in `.`) and exact paths that matter to this experiment.
    func relevantKeys() -> [String] {
        var keys = ["traffic.dailyActiveFraction", "traffic.sessionsPerActiveUserPerDay", "traffic.pageViewsPerSession",
                    "traffic.apiCallsPerPageView", "traffic.activityWeight", "traffic.diurnalWeights"]
        func add(_ k: String) { if !keys.contains(k) { keys.append(k) } }
        let overrides = e.overrides + e.variants.flatMap(\.overrides) + e.cellOverrides.flatMap(\.overrides)
        for o in overrides {
            let key = String(o.prefix { $0 != "=" })
            let parts = key.split(separator: ".")
            add(parts.count > 2 ? parts.dropLast().joined(separator: ".") + "." : key)
        }
        // What the results point at: errors, bottlenecks, leading gauges.
        if s.cells.contains(where: { $0.errorRateByKind.rateLimitedTotal > 0 }) {
            add("traffic.officeUserFraction"); add("traffic.officeSize")
            for l in m.lines {
                for name in m.componentNames(l.configuration, l.variant) where name.hasPrefix("ratelimit-") {
                    if m.userCounts.contains(where: { (m.component(name, l.configuration, l.variant, $0)?.limitHits ?? 0) > 0 }) {
                        add("rateLimiters.\(name.dropFirst("ratelimit-".count)).")
                    }
                }
            }
        }
        func seen(_ kind: ErrorKind) -> Bool { s.cells.contains { $0.errorRateByKind[kind] > 0 } }
        if seen(.poolTimeout) || seen(.connectionRefused) || seen(.overloaded) {
            add("database.pool."); add("database.postgres.maxConnections"); add("database.postgres.memoryPerConnectionBytes"); add("api.maxInFlightPerProcess")
        }
        if seen(.pgbouncerWaitTimeout) { add("database.pgbouncer.") }
        if seen(.upstream) { add("externalServices.") }
        var components = Set(s.cells.map(\.bottleneckComponent))
        for l in m.lines {
            for g in ExperimentCharts.leadingGauges(m, configuration: l.configuration, variant: l.variant, count: 2)
            where (g.values.filter(\.isFinite).max() ?? 0) >= 0.5 {
                components.insert(g.gauge.component)
            }
        }
        for name in components.sorted() {
            guard let kind = m.lines.lazy.compactMap({ self.kind(of: name, $0.configuration, $0.variant) }).first else { continue }
            switch kind {
            case .postgresPrimary: add("database.postgres."); add("database.tables.")
            case .postgresReplica: add("database.replicas.")
            case .storageVolume: add("database.storage."); add("database.postgres.bufferCache."); add("database.tables.")
            case .apiProcess: add("api.")
            case .redis: add("redis.")
            case .pgbouncer: add("database.pgbouncer.")
            case .connectionPool: add("database.pool.")
            case .workers: add("workers."); add("jobs.")
            case .externalService: add("externalServices.\(name).")
            case .loadBalancer, .threadPool, .rateLimiter, .cdn: break
            }
        }
        for cache in m.cacheNames where cache != "cdn-edge" { add("caches.\(cache).") }
        return keys
    }

    func relevantParameters() -> String {
        let keys = relevantKeys()
        func matches(_ path: String) -> Bool {
            keys.contains { k in k.hasSuffix(".") ? path.hasPrefix(k) : path == k || path.hasPrefix(k + ".") || path.hasPrefix(k + "[") }
        }
        // Paths in the order of the last configuration's index (it has every overlay's keys).
        let indexes = e.configurations.compactMap { c in input.assumptions[c].map { (c, $0) } }
        guard let last = indexes.last?.1 else { return "" }
        let paths = last.parameters.map(\.path).filter(matches).filter { p in
            let x = last.parameter(p)!
            // Autoscaling and faults only when the experiment sets them.
            if (p.hasPrefix("api.autoscaling.") || p.hasPrefix("faults.")) && !keys.contains(where: { p.hasPrefix($0) && $0 != "api." }) { return false }
            return x.isNumber || x.label != .unlabelled || keys.contains(p)
        }
        guard !paths.isEmpty else { return "" }
        var out = "### The parameters that matter here\n\n"
        out += "Chosen from what the experiment changes, the limits its results hit (errors and bottlenecks), the components closest to capacity, "
        out += "and the traffic figures every result scales with. Values differ by configuration where an overlay sets them.\n\n"
        var section = ""
        var t = TextTable([], alignments: [])
        func flush() { if !t.rows.isEmpty { out += "**\(section)**\n\n" + t.markdown() + "\n" } }
        var assumptions = 0
        for p in paths {
            let head = String(p.prefix { $0 != "." })
            if head != section {
                flush()
                section = head
                t = TextTable(["parameter", "value", "label", "comment", "where"], alignments: [.left, .left, .left, .left, .left])
            }
            // One entry per distinct setting across the configurations.
            var settings: [(configs: [String], p: AssumptionIndex.Parameter)] = []
            for (c, index) in indexes {
                guard let x = index.parameter(p) else { continue }
                if let i = settings.firstIndex(where: { $0.p.file == x.file && $0.p.line == x.line && $0.p.value == x.value }) {
                    settings[i].configs.append(c)
                } else {
                    settings.append(([c], x))
                }
            }
            guard let first = settings.first else { continue }
            let value = settings.count == 1 ? Prose.code(first.p.value)
                : settings.map { "\($0.configs.joined(separator: ", ")): \(Prose.code($0.p.value))" }.joined(separator: "<br>")
            let labels = Array(Set(settings.map { labelText($0.p) })).sorted()
            let comments = settings.map(\.p.comment).reduce(into: [String]()) { if !$1.isEmpty && !$0.contains($1) { $0.append($1) } }
            let whereText = settings.map { "\($0.p.file):\($0.p.line)" }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            if settings.contains(where: { $0.p.label == .assumption }) { assumptions += 1 }
            t.add([Prose.code(String(p.dropFirst(head.count + 1))), value, labels.joined(separator: ", "), comments.joined(separator: "; "), whereText.joined(separator: ", ")])
        }
        flush()
        out += "\(assumptions) of these \(paths.count) parameters are assumptions: the results above are only as good as they are, and each is a number to replace with a measurement when one exists.\n\n"
        return out
    }
}

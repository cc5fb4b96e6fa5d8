import PlatformModel
import Reports
import ResultsStore
import Formatting

typealias StoredRunAlias = StoredRun

/// Variants against the first variant, configurations against each other, costs.
extension Notebook {
    /// A figure compared between two cells: its name, the two values and whether the change matters.
    struct Delta {
        var name: String
        var a: Double
        var b: Double
        var format: (Double) -> String
        var matters: Bool
        var text: String { "\(name) \(Prose.change(a, b, format))" }
    }

    typealias Line = ExperimentMetrics.Line

    /// Figures worth comparing between two cells at one user count (two variants of a
    /// configuration, or two configurations).
    func deltas(_ la: Line, _ lb: Line, _ u: Int) -> [Delta] {
        var out: [Delta] = []
        func rel(_ a: Double, _ b: Double) -> Double { max(abs(a), abs(b)) > 0 ? abs(b - a) / max(abs(a), abs(b)) : 0 }
        func add(_ name: String, _ f: @escaping (Double) -> String, minAbs: Double, minRel: Double, _ value: (Line) -> Double?) {
            guard let a = value(la), let b = value(lb) else { return }
            out.append(Delta(name: name, a: a, b: b, format: f, matters: abs(b - a) >= minAbs && rel(a, b) >= minRel))
        }
        func comp(_ kind: ComponentKind, _ l: Line) -> ComponentMean? { m.component(kind: kind, l.configuration, l.variant, u) }
        func run(_ l: Line, _ f: (StoredRunAlias) -> Double) -> Double? { m.mean(l.configuration, l.variant, u, f) }
        add("Postgres CPU", Prose.utilization, minAbs: 0.02, minRel: 0.1) { comp(.postgresPrimary, $0)?.utilization }
        add("Postgres queries/s", Prose.number, minAbs: 1, minRel: 0.05) { comp(.postgresPrimary, $0)?.throughputPerS }
        add("Postgres vCPU", Prose.number, minAbs: 1, minRel: 0.01) { run($0) { $0.run.postgresVCPU } }
        add("API processes", Prose.number, minAbs: 1, minRel: 0.01) { run($0) { Double($0.run.apiProcesses) } }
        add("requests in flight in the API (mean)", Prose.number, minAbs: 1, minRel: 0.2) { comp(.apiProcess, $0)?.meanInSystem }
        add("mean wait for a pool connection", Prose.ms, minAbs: 1, minRel: 0.2) { comp(.connectionPool, $0)?.meanWaitMs }
        add("PgBouncer server connections busy", Prose.utilization, minAbs: 0.05, minRel: 0.1) { comp(.pgbouncer, $0)?.figure(.serverPoolUtilization) }
        add("jobs waiting in BullMQ (peak)", Prose.number, minAbs: 10, minRel: 0.2) { comp(.workers, $0)?.figure(.maxQueueDepth) }
        for cache in m.cacheNames where cache != "cdn-edge" {
            add("`\(cache)` cache hit rate", Prose.utilization, minAbs: 0.02, minRel: 0.1) { self.m.cache(cache, $0.configuration, $0.variant, u)?.hitRate ?? 0 }
        }
        if let e = endpointChangingMost(la, lb, u) {
            add("`\(e)` p99", Prose.ms, minAbs: 1, minRel: 0.15) { self.m.endpointP99(e, $0.configuration, $0.variant, u) }
        }
        add("monthly cost", Prose.usd, minAbs: 1, minRel: 0.02) { self.m.cell($0.configuration, $0.variant, u)?.monthlyCostUSD }
        return out
    }

    /// The endpoint whose p99 changes most (by ratio, and by 5 ms at least) between two cells,
    /// among those with at least 0.5% of the requests.
    func endpointChangingMost(_ la: Line, _ lb: Line, _ u: Int) -> String? {
        var best: (String, Double)?
        let runs = m.runs(la.configuration, la.variant, u)
        let total = Double(max(1, runs.reduce(0) { $0 + $1.run.requests }))
        for e in m.endpointNames {
            let share = Double(runs.reduce(0) { sum, r in sum + (r.endpoints.first { $0.endpoint == e }?.requests ?? 0) }) / total
            guard share >= 0.005, let a = m.endpointP99(e, la.configuration, la.variant, u), let b = m.endpointP99(e, lb.configuration, lb.variant, u),
                  a > 0, b > 0, abs(a - b) >= 5 else { continue }
            let r = max(a / b, b / a)
            if r > (best?.1 ?? 1.15) { best = (e, r) }
        }
        return best?.0
    }

    func variantFindings() -> [Finding] {
        guard m.hasVariants else { return [] }
        var out: [Finding] = []
        for c in s.configurations {
            let vs = variants(of: c)
            guard vs.count > 1 else { continue }
            let base = vs[0]
            var bullets: [String] = []
            for v in vs.dropFirst() {
                let common = users(c, v).filter { m.cell(c, base, $0) != nil }
                guard let u = common.last, let a = m.cell(c, base, u), let b = m.cell(c, v, u) else { continue }
                var text = "- **\(v)** at \(Prose.users(u)): p99 \(Prose.change(a.p99Ms, b.p99Ms, Prose.ms)), errors the SLO counts \(Prose.change(a.sloErrorRate, b.sloErrorRate, Prose.percent))"
                let moved = deltas(Line(c, base), Line(c, v), u).filter(\.matters)
                if !moved.isEmpty { text += "; " + moved.map(\.text).joined(separator: "; ") }
                if moved.contains(where: { $0.name == "monthly cost" }), let item = costDriver(a, b) { text += ", " + item }
                text += "."
                if common.count > 1 {
                    let seq = { (w: String) in common.map { Prose.number(self.m.cell(c, w, $0)!.p99Ms) }.joined(separator: " / ") }
                    text += " p99 at \(common.map(Prose.count).joined(separator: " / ")) users: \(seq(base)) ms in `\(base)`, \(seq(v)) ms here."
                }
                let gained = common.filter { m.cell(c, v, $0)!.meetsSLO && !m.cell(c, base, $0)!.meetsSLO }
                let lost = common.filter { !m.cell(c, v, $0)!.meetsSLO && m.cell(c, base, $0)!.meetsSLO }
                if !gained.isEmpty { text += " It meets the SLO where `\(base)` does not at \(Prose.list(gained.map(Prose.count))) users." }
                if !lost.isEmpty { text += " It fails the SLO where `\(base)` meets it at \(Prose.list(lost.map(Prose.count))) users." }
                bullets.append(text)
            }
            guard !bullets.isEmpty else { continue }
            let title = s.configurations.count == 1 ? "The variants against `\(base)`" : "The variants of `\(c)` against `\(base)`"
            out.append(Finding(title: title, text: (s.configurations.count == 1 ? "Each" : "In `\(c)`, each") + " line compares one variant with `\(base)` at the largest user count both ran (arrows go from `\(base)` to the variant; only figures that moved are listed):\n\n" + bullets.joined(separator: "\n")))
        }
        out += variantMechanisms()
        return out
    }

    /// The first configuration among the experiment's where a comparison of variants can be shown.
    var comparisonConfiguration: String? { s.configurations.first { variants(of: $0).count > 1 } }

    func configurationFindings() -> [Finding] {
        let configs = s.configurations
        guard configs.count > 1 else { return [] }
        var bullets: [String] = []
        for u in m.userCounts {
            var within: [(String, String, CellSummary)] = []
            for c in configs { for v in variants(of: c) { if let cell = m.cell(c, v, u), cell.meetsSLO { within.append((c, v, cell)) } } }
            guard let cheapest = within.min(by: { $0.2.monthlyCostUSD < $1.2.monthlyCostUSD }) else {
                bullets.append("- \(Prose.users(u)): none meets the SLO.")
                continue
            }
            let close = within.filter { $0.2.monthlyCostUSD <= cheapest.2.monthlyCostUSD * 1.01 }.count - 1
            var line = "- \(Prose.users(u)): \(name(cheapest.0, cheapest.1)), \(Prose.usd(cheapest.2.monthlyCostUSD)) a month (\(Prose.cents(cheapest.2.costPer1kUsersUSD)) per 1,000 users)"
            line += within.count > 1 ? "; \(within.count) of \(m.lines.count) lines meet it" : "; the only line that meets it"
            if close > 0 { line += ", and \(close) of them cost within 1% of it (a difference that small is noise)" }
            bullets.append(line + ".")
        }
        // The line that meets the SLO at the largest count (fewest misses below it on a tie).
        var furthest: (c: String, v: String, top: Int, misses: [Int])?
        for l in m.lines {
            let counts = users(l.configuration, l.variant)
            guard let top = counts.last(where: { m.cell(l.configuration, l.variant, $0)!.meetsSLO }) else { continue }
            let misses = counts.filter { $0 < top && !m.cell(l.configuration, l.variant, $0)!.meetsSLO }
            if furthest == nil || top > furthest!.top || (top == furthest!.top && misses.count < furthest!.misses.count) {
                furthest = (l.configuration, l.variant, top, misses)
            }
        }
        var text = "The cheapest line within the SLO at each user count:\n\n" + bullets.joined(separator: "\n")
        if let f = furthest {
            text += "\n\n\(name(f.c, f.v)) meets the SLO at the largest count, \(Prose.users(f.top))"
            text += f.misses.isEmpty ? ", and at every count below it." : " (it misses at \(Prose.list(f.misses.map(Prose.count))) users below that)."
        }
        return [Finding(title: "Which configuration to run at each size", text: text)] + configurationSteps()
    }

    /// How much traffic a registered user brings at the measured hour, from the behaviour the
    /// model files describe, set beside the public reference the model names (for comparison
    /// only: nothing in the run uses it).
    func loadFinding() -> [Finding] {
        guard s.configurations.count > 1, let c = s.configurations.first, let v = variants(of: c).first, let u = users(c, v).last,
              let model = self.model(c, v, u), let reference = model.traffic.referencePeakAPIRequestsPerSecondPer1000Users,
              let origin = m.component(kind: .loadBalancer, c, v, u)?.throughputPerS,
              let all = m.mean(c, v, u, { $0.run.throughputPerS }) else { return [] }
        let t = model.traffic
        let perThousand = origin / Double(u) * 1000
        var text = "The load is built from behaviour the model files state (each with its source or `assumption`): "
        text += "\(Format.percent(t.dailyActiveFraction, 0)) of registered users active on a day, \(Prose.number(t.sessionsPerActiveUserPerDay)) sessions each, "
        text += "\(Prose.number(t.pageViewsPerSession)) page views per session and \(t.apiCallsPerPageView) API calls per page view"
        if t.pollingCallsPerOpenTabMinute > 0 { text += ", \(Prose.number(t.pollingCallsPerOpenTabMinute)) polling calls per minute of an open tab" }
        if t.apiClientRequestsPerActiveUserPerDay > 0 { text += ", \(Prose.number(t.apiClientRequestsPerActiveUserPerDay)) requests a day from API clients" }
        text += ": about \(Prose.number(t.requestsPerActiveUserPerDay)) requests per active user per day, shaped by the hour of the day. "
        text += "In \(name(c, v)) at \(Prose.users(u)) that is \(Prose.number(all)) requests per second in the measured window, "
        if origin < 0.995 * all {
            text += "\(Prose.number(origin)) of them at the origin (the rest served by the CDN's edge): "
        } else {
            text += "all of them at the origin: "
        }
        text += "\(Prose.number(perThousand)) origin requests per second per 1,000 registered users. "
        text += "For comparison only, GitLab's reference architectures size for \(Prose.number(reference)) per 1,000 users "
        text += "(`traffic.referencePeakApiRpsPer1000Users`; developers and their automation, a heavier population than a B2B tool's users)"
        let ratio = perThousand / reference
        if ratio < 0.2 || ratio > 5 {
            text += ": a difference of \(Prose.number(ratio >= 1 ? ratio : 1 / ratio))× that decides every capacity figure in this notebook, so the behaviour figures above are the first to measure (the calibration notebook shows how)."
        } else {
            text += "."
        }
        return [Finding(title: "How much traffic a user brings", text: text)]
    }

    /// Each configuration against the one before it: what its overlay changes and what moves.
    func configurationSteps() -> [Finding] {
        let configs = s.configurations
        guard configs.count > 1 else { return [] }
        var bullets: [String] = []
        for (ca, cb) in zip(configs, configs.dropFirst()) {
            guard let va = variants(of: ca).first, let vb = variants(of: cb).first else { continue }
            let common = users(ca, va).filter { m.cell(cb, vb, $0) != nil }
            let meeting = common.filter { m.cell(ca, va, $0)!.meetsSLO || m.cell(cb, vb, $0)!.meetsSLO }
            guard let u = meeting.last ?? common.last, let a = m.cell(ca, va, u), let b = m.cell(cb, vb, u) else { continue }
            var text = "- \(name(ca, va)) → \(name(cb, vb))"
            let changed = overlayKeys(from: ca, to: cb)
            if !changed.isEmpty { text += " (" + changed.map(Prose.code).joined(separator: ", ") + ")" }
            text += ": at \(Prose.users(u)) p99 \(Prose.change(a.p99Ms, b.p99Ms, Prose.ms)), error rate \(Prose.change(a.errorRate, b.errorRate, Prose.percent))"
            let moved = deltas(Line(ca, va), Line(cb, vb), u).filter(\.matters)
            if !moved.isEmpty { text += "; " + moved.map(\.text).joined(separator: "; ") }
            text += "."
            if common.count > 1 {
                let seq = { (c: String, v: String) in common.map { Prose.number(self.m.cell(c, v, $0)!.p99Ms) }.joined(separator: " / ") }
                text += " p99 at \(common.map(Prose.count).joined(separator: " / ")) users: \(seq(ca, va)) ms, then \(seq(cb, vb)) ms."
            }
            bullets.append(text)
        }
        guard !bullets.isEmpty else { return [] }
        let intro = "Each configuration against the one before it, at the largest user count where either meets the SLO; in brackets, the keys its overlay file sets (their comments, with the seed's sections, are in the model files and in the last section below):\n\n"
        return [Finding(title: "From one configuration to the next", text: intro + bullets.joined(separator: "\n"))]
    }

    /// The key paths the overlays of `b` set that `a` does not read (an endpoint's steps as one key).
    func overlayKeys(from a: String, to b: String) -> [String] {
        let before = Set(input.configurationOverlays[a] ?? [])
        let added = (input.configurationOverlays[b] ?? []).filter { !before.contains($0) }
        var keys: [String] = []
        for f in input.assumptions[b]?.byFile ?? [] where added.contains(f.file) {
            for p in f.parameters {
                var key = p.path
                if let r = key.range(of: ".steps") { key = String(key[..<r.upperBound]) }
                if !keys.contains(key) { keys.append(key) }
            }
        }
        return keys
    }

    func costFindings() -> [Finding] {
        var bullets: [String] = []
        for c in s.configurations {
            guard let v = variants(of: c).first else { continue }
            let cells = users(c, v).compactMap { m.cell(c, v, $0) }
            guard let lo = cells.first, let hi = cells.last, lo.users != hi.users else { continue }
            var text = "- \(name(c, v)): \(Prose.cents(lo.costPer1kUsersUSD)) per 1,000 users a month at \(Prose.users(lo.users)), \(Prose.cents(hi.costPer1kUsersUSD)) at \(Prose.users(hi.users))"
            let items = hi.costByItem.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            if let top = items.first, hi.monthlyCostUSD > 0 {
                text += "; at \(Prose.users(hi.users)) the largest item is \(top.key) (\(Prose.usd(top.value)) of \(Prose.usd(hi.monthlyCostUSD)), \(Format.percent(top.value / hi.monthlyCostUSD, 0)))"
                if let basis = costBasis(c, v, hi.users, item: top.key) { text += ", \(basis)" }
            }
            if hi.errorRate >= 0.05 { text += " — cheap per user only because \(Prose.percent(hi.errorRate)) of requests fail there (failed requests send no email)" }
            bullets.append(text + ".")
        }
        guard !bullets.isEmpty else { return [] }
        return [Finding(title: "What a user costs", text: bullets.joined(separator: "\n") + "\n\n"
            + "Compute and the plan fee are mostly fixed at small sizes (the minimum of two API instances, one Redis, the smallest Postgres), so the cost per user falls as users grow; "
            + "items billed by volume (Mailgun per email, LLM tokens, egress per GB, Sentry per error and per traced request) grow with users and set the cost per user at scale. "
            + "Error volume is billed too: a configuration that fails many requests pays Sentry for each error, so failing costs money as well as users.")]
    }

    /// The cost item that changed most between two cells, when it carries most of the change.
    func costDriver(_ a: CellSummary, _ b: CellSummary) -> String? {
        let items = Set(a.costByItem.keys).union(b.costByItem.keys).sorted()
        let total = b.monthlyCostUSD - a.monthlyCostUSD
        guard let top = items.max(by: { abs((b.costByItem[$0] ?? 0) - (a.costByItem[$0] ?? 0)) < abs((b.costByItem[$1] ?? 0) - (a.costByItem[$1] ?? 0)) }) else { return nil }
        let d = (b.costByItem[top] ?? 0) - (a.costByItem[top] ?? 0)
        guard abs(total) > 0, d / total >= 0.5 else { return nil }
        var text = "mostly \(top) (\(Prose.change(a.costByItem[top] ?? 0, b.costByItem[top] ?? 0, Prose.usd)))"
        if top == "Sentry" && d > 0 { text += ", billed per error" }
        return text
    }

    /// The basis a cost item states in the first run of a cell (`41200589 emails on scale`).
    func costBasis(_ c: String, _ v: String, _ u: Int, item: String) -> String? {
        guard let basis = m.runs(c, v, u).first?.costItems.first(where: { $0.item == item })?.basis, !basis.isEmpty else { return nil }
        var text = "billed on \(Prose.groupingDigits(basis)) a month"
        // The volume per registered user, a figure a reader can check against their own platform.
        if let first = basis.split(separator: " ").first, let quantity = Double(first), u > 0 {
            let unit = basis.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            text += " (\(Prose.number(quantity / Double(u))) \(unit) per registered user)"
        }
        return text
    }
}

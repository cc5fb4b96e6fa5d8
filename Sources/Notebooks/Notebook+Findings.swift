import Analysis
import PlatformModel
import Reports
import Formatting

extension Notebook {
    /// One finding: a title and a paragraph or two, every number from the results or the model.
    struct Finding {
        var title: String
        var text: String
    }

    /// What a finding explains about failing cells: a kind of error their diagnoses name, or a
    /// p99 over the SLO (with the endpoints behind the tail).
    enum Explanation: Hashable {
        case errors(ErrorKind)
        case tail

        /// The order paragraphs come in: false 429s first (the seed's headline problem), the tail last.
        static let order: [Explanation] = [.errors(.rateLimitedFalse), .errors(.rateLimited), .errors(.connectionRefused),
                                           .errors(.poolTimeout), .errors(.pgbouncerWaitTimeout), .errors(.overloaded),
                                           .errors(.upstream), .errors(.timeout), .errors(.redisUnavailable), .tail]
    }

    func findings(recovery: [Finding]) -> String {
        var list = sloFindings()
        list += steadinessFindings()
        list += variantFindings()
        list += configurationFindings()
        list += saturationFindings()
        list += cacheFindings()
        list += jobFindings()
        list += recovery
        list += costFindings()
        list += loadFinding()
        if list.isEmpty { return "No findings: the experiment has no results.\n\n" }
        return list.enumerated().map { i, f in "### \(i + 1). \(f.title)\n\n\(f.text)\n\n" }.joined()
    }

    // MARK: The SLO, line by line

    /// Where each configuration (and variant) meets the SLO, then why the failing cells fail:
    /// one paragraph per cause, explained where it is largest.
    func sloFindings() -> [Finding] {
        var bullets: [String] = []
        var causes: [Explanation: (share: Double, c: String, v: String, u: Int)] = [:]
        for line in m.lines {
            let (c, v) = (line.configuration, line.variant)
            let cells = users(c, v).compactMap { m.cell(c, v, $0) }
            guard !cells.isEmpty else { continue }
            bullets.append("- " + name(c, v) + " " + sloSentence(cells))
            for cell in cells where !cell.meetsSLO {
                for (cause, share) in failureCauses(cell) where share > (causes[cause]?.share ?? -1) {
                    causes[cause] = (share, c, v, cell.users)
                }
            }
        }
        guard !bullets.isEmpty else { return [] }
        let slo = "p99 ≤ \(Prose.number(s.sloP99Ms)) ms and errors it counts ≤ \(Format.percent(s.sloErrorRate, 2))"
        var out = [Finding(title: "Where each configuration meets the SLO (\(slo))", text: bullets.joined(separator: "\n") + volumeText())]
        for cause in Explanation.order where causes[cause] != nil {
            let at = causes[cause]!
            guard var text = mechanism(cause, at.c, at.v, at.u) else { continue }
            if cause == .tail { text += otherTails(besides: (at.c, at.v)) }
            out.append(Finding(title: Self.title(cause), text: text))
        }
        if let f = intendedRateLimitFinding() { out.append(f) }
        return out
    }

    /// For every other line whose p99 misses: where its slowest requests come from, at its
    /// first failing user count (the tail paragraph explains only the largest miss).
    func otherTails(besides explained: (String, String)) -> String {
        var parts: [String] = []
        for line in m.lines where (line.configuration, line.variant) != explained {
            let (c, v) = (line.configuration, line.variant)
            guard let cell = users(c, v).compactMap({ m.cell(c, v, $0) }).first(where: { $0.p99Ms > s.sloP99Ms }),
                  let model = model(c, v, cell.users) else { continue }
            let tail = tailEndpoints(c, v, cell.users)
            guard !tail.isEmpty else { continue }
            let list = Prose.list(tail.map { e in
                "`\(e.name)` (p99 \(Prose.ms(e.p99))" + (waitsOn(model, endpoint: e.name).map { "; " + $0 } ?? "") + ")"
            })
            parts.append("in \(name(c, v)) at \(Prose.users(cell.users)) (p99 \(Prose.ms(cell.p99Ms))) from \(list)")
        }
        guard !parts.isEmpty else { return "" }
        return " Elsewhere the slowest requests come " + parts.joined(separator: "; ") + "."
    }

    /// The 429s the policy means (users over their own budget), explained where they are
    /// largest, when the SLO does not count them and they are at least a tenth of its budget.
    func intendedRateLimitFinding() -> Finding? {
        guard !s.sloCountsIntended429s else { return nil }
        let worst = s.cells.max { a, b in
            let x = a.errorRateByKind[.rateLimited], y = b.errorRateByKind[.rateLimited]
            return x != y ? x < y : (a.configuration, a.variant, a.users) > (b.configuration, b.variant, b.users)
        }
        guard let cell = worst, cell.errorRateByKind[.rateLimited] >= 0.1 * s.sloErrorRate,
              let model = self.model(cell.configuration, cell.variant, cell.users) else { return nil }
        return Finding(title: "429s to users over their own limits, beside the SLO", text: intendedRateLimitMechanism(model, cell))
    }

    /// Whether the experiment's SLO counts a kind of error against its budget (intended 429s
    /// only when the experiment file says `countIntended429s`).
    func counts(_ kind: ErrorKind) -> Bool { kind != .rateLimited || s.sloCountsIntended429s }

    /// `meets the SLO at every user count tested ...` / `fails it from ...`, with what fails.
    func sloSentence(_ cells: [CellSummary]) -> String {
        let passing = cells.filter(\.meetsSLO).map(\.users)
        let failing = cells.filter { !$0.meetsSLO }
        let worstP99 = cells.map(\.p99Ms).max() ?? 0, worstErrors = cells.map(\.sloErrorRate).max() ?? 0
        guard let first = failing.first else {
            var text = "meets the SLO at every user count tested, up to \(Prose.users(cells.last!.users)): p99 at most \(Prose.ms(worstP99)), "
            text += "errors the SLO counts at most \(Prose.percent(worstErrors))."
            return text + intendedText(cells)
        }
        var text: String
        if passing.isEmpty {
            text = "fails the SLO from the smallest count tested, \(Prose.users(first.users)): " + failureText(first)
        } else if passing.allSatisfy({ $0 < first.users }) {
            text = "meets the SLO up to \(Prose.users(passing.last!)) and fails it from \(Prose.users(first.users)): " + failureText(first)
        } else {
            text = "meets the SLO at \(Prose.list(passing.map(Prose.count))) users and fails it at \(Prose.list(failing.map { Prose.count($0.users) })): "
            text += "at \(Prose.users(first.users)) " + failureText(first)
        }
        if let last = failing.last, last.users != first.users, Set(failureCauses(last).map(\.0)) != Set(failureCauses(first).map(\.0)) {
            text += " At \(Prose.users(last.users)): " + failureText(last)
        }
        return text + intendedText(cells)
    }

    /// `\n\nphase2 from 300k users and phase3 from 300k users meet the SLO on data that no longer
    /// fits ...`: once, after the lines, for every line that meets the SLO on a volume its data
    /// has outgrown. The volume's size is a hard limit the simulation cannot show as latency or
    /// errors (a full volume stops writes outright), so those verdicts hold only with a larger
    /// volume or the data split. Empty when no cell meeting the SLO has it.
    func volumeText() -> String {
        var lines: [String] = []
        var components: [String] = []
        for line in m.lines {
            let (c, v) = (line.configuration, line.variant)
            let cells = users(c, v).compactMap { m.cell(c, v, $0) }
            guard let first = cells.first(where: { c in c.meetsSLO && c.causes.contains { $0.kind == .volumeFull } }),
                  let cause = first.causes.first(where: { $0.kind == .volumeFull }) else { continue }
            lines.append("\(name(c, v)) from \(Prose.users(first.users))")
            if !components.contains(cause.component) { components.append(cause.component) }
        }
        guard !lines.isEmpty else { return "" }
        return "\n\nThe data of \(Prose.list(lines)) no longer fits \(Prose.list(components.map { "`\($0)`" })) at the largest size its volume class offers "
            + "(the bottleneck table gives both sizes), where \(lines.count == 1 ? "that line meets" : "these lines meet") the SLO: a hard limit the run cannot show as latency or errors, "
            + "so the SLO holds there only if a larger volume can be had or the data is split across shards."
    }

    /// ` Beside the SLO, intended 429s (users over their own limits) are 0.02% to 0.4% of requests.`
    /// Empty when the SLO counts them or there are none.
    func intendedText(_ cells: [CellSummary]) -> String {
        guard !s.sloCountsIntended429s else { return "" }
        let shares = cells.map { $0.errorRateByKind[.rateLimited] }
        guard let hi = shares.max(), hi > 0, let lo = shares.min() else { return "" }
        let (low, high) = (Prose.percent(lo), Prose.percent(hi))
        // "under 0.01%" is already a bound: no "up to" before it, no range ending in it.
        let range = high.hasPrefix("under") ? high : lo == hi || lo == 0 || low == high ? "up to \(high)" : "\(low) to \(high)"
        return " Beside the SLO (not counted in it), 429s to users over their own limits are \(range) of requests."
    }

    /// What fails in a cell: the p99 (with a note when the miss is within noise) and the error
    /// kinds the SLO counts.
    func failureText(_ cell: CellSummary) -> String {
        var parts: [String] = []
        if cell.p99Ms > s.sloP99Ms {
            var p = "p99 \(Prose.ms(cell.p99Ms))" + (cell.p99HalfWidth.map { " ± \(Prose.ms($0))" } ?? "")
            let miss = cell.p99Ms / s.sloP99Ms - 1
            if let h = cell.p99HalfWidth {
                if cell.p99Ms - h <= s.sloP99Ms { p += " (its 95% interval reaches below the SLO: a miss the seeds do not settle)" }
            } else if miss < 0.03 {
                p += " (a miss by \(Format.percent(miss, 1)), within one seed's noise)"
            }
            parts.append(p)
        }
        if cell.sloErrorRate > s.sloErrorRate {
            let interval = cell.sloErrorRateHalfWidth.map { " ± \(Prose.percent($0))" } ?? ""
            parts.append("\(Prose.percent(cell.sloErrorRate))\(interval) of requests fail in ways the SLO counts (" + errorBreakdown(cell) + ")")
        }
        if parts.isEmpty {
            // The cell misses on background work (workers saturated or jobs lost).
            parts.append("background work does not keep up (see the jobs finding)")
        }
        return Prose.list(parts) + "."
    }

    /// `0.22% get a false 429 from an IP shared with colleagues; 0.01% get a 5xx from a provider`:
    /// the kinds the SLO counts, largest first.
    func errorBreakdown(_ cell: CellSummary) -> String {
        let k = cell.errorRateByKind
        var parts: [(share: Double, text: String)] = []
        for kind in ErrorKind.allCases where counts(kind) && k[kind] > 0 {
            parts.append((k[kind], "\(Prose.percent(k[kind])) \(Self.phrase(kind))"))
        }
        let total = parts.reduce(0.0) { $0 + $1.share }
        // The kinds that matter, largest first (ties in table order).
        let order = parts.indices.filter { parts[$0].share >= DiagnosisRules.notableErrorShare * total }
            .sorted { parts[$0].share > parts[$1].share || (parts[$0].share == parts[$1].share && $0 < $1) }
        return order.map { parts[$0].text }.joined(separator: "; ")
    }

    /// What the requests failing with a kind of error do, as a sentence continues `0.2% ...`.
    static func phrase(_ kind: ErrorKind) -> String {
        switch kind {
        case .rateLimited: "get a 429 for going over their own limit"
        case .rateLimitedFalse: "get a false 429 from an IP shared with colleagues"
        case .poolTimeout: "time out waiting for a pool connection (P2024)"
        case .connectionRefused: "are refused a database connection"
        case .pgbouncerWaitTimeout: "time out waiting for a PgBouncer server connection"
        case .upstream: "get a 5xx from a provider"
        case .timeout: "time out"
        case .overloaded: "get a 503 from a process at its in-flight cap"
        case .redisUnavailable: "fail because Redis is down"
        }
    }

    /// Why a failing cell fails, from its diagnoses: each kind of error the SLO counts that the
    /// runs name and that is at least ``DiagnosisRules/explainingErrorShare`` of the errors the
    /// SLO counts (with its share of requests), and the tail when the p99 misses (with the
    /// relative miss). Intended 429s explain nothing unless the SLO counts them; they get their
    /// own finding (``intendedRateLimitFinding()``).
    func failureCauses(_ cell: CellSummary) -> [(Explanation, Double)] {
        var causes: [(Explanation, Double)] = []
        if cell.p99Ms > s.sloP99Ms { causes.append((.tail, cell.p99Ms / s.sloP99Ms - 1)) }
        // Errors explain a failure only when the cell misses on errors.
        if cell.sloErrorRate > s.sloErrorRate {
            var byKind: [ErrorKind: Double] = [:]
            for c in cell.causes { if let k = c.kind.errorKind { byKind[k, default: 0] += c.requestShare } }
            for kind in ErrorKind.allCases where counts(kind) {
                let share = byKind[kind] ?? 0
                if share > 0 && share >= DiagnosisRules.explainingErrorShare * cell.sloErrorRate { causes.append((.errors(kind), share)) }
            }
        }
        return causes
    }

    static func title(_ cause: Explanation) -> String {
        switch cause {
        case .errors(.rateLimitedFalse): "Why false 429s: one per-IP budget shared by a whole office"
        case .errors(.rateLimited): "Why 429s: users over their own limits (counted by this experiment's SLO)"
        case .errors(.connectionRefused): "Why refused connections: pools that add up past max_connections"
        case .errors(.poolTimeout): "Why P2024: a small pool, queries that hold it"
        case .errors(.pgbouncerWaitTimeout): "Why PgBouncer wait timeouts: few server connections, long transactions"
        case .errors(.overloaded): "Why 503s: requests pile up in the process"
        case .errors(.upstream): "Why provider errors: Mailgun and the LLM fail and rate-limit"
        case .errors(.timeout): "Why timeouts"
        case .errors(.redisUnavailable): "Why Redis errors"
        case .tail: "Why the p99 misses: slow endpoints inside the request"
        }
    }
}

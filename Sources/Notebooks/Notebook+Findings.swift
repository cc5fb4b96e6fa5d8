import Reports

extension Notebook {
    /// One finding: a title and a paragraph or two, every number from the results or the model.
    struct Finding {
        var title: String
        var text: String
    }

    /// Error kinds as a sentence names them, in the tables' order.
    static let errorKinds = ["rateLimited", "rateLimitedFalse", "poolTimeout", "connectionRefused", "pgbouncerWaitTimeout",
                             "upstream", "timeout", "overloaded", "redisUnavailable"]

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
        if list.isEmpty { return "No findings: the experiment has no results.\n\n" }
        return list.enumerated().map { i, f in "### \(i + 1). \(f.title)\n\n\(f.text)\n\n" }.joined()
    }

    // MARK: The SLO, line by line

    /// Where each configuration (and variant) meets the SLO, then why the failing cells fail:
    /// one paragraph per cause, explained where it is largest.
    func sloFindings() -> [Finding] {
        var bullets: [String] = []
        var causes: [String: (share: Double, c: String, v: String, u: Int)] = [:]
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
        let slo = "p99 ≤ \(Prose.number(s.sloP99Ms)) ms and error rate ≤ \(Format.percent(s.sloErrorRate, 2))"
        var out = [Finding(title: "Where each configuration meets the SLO (\(slo))", text: bullets.joined(separator: "\n"))]
        for cause in Self.causeOrder where causes[cause] != nil {
            let at = causes[cause]!
            if let text = mechanism(cause, at.c, at.v, at.u) { out.append(Finding(title: Self.causeTitle(cause), text: text)) }
        }
        return out
    }

    /// `meets the SLO at every user count tested ...` / `fails it from ...`, with what fails.
    func sloSentence(_ cells: [CellSummary]) -> String {
        let passing = cells.filter(\.meetsSLO).map(\.users)
        let failing = cells.filter { !$0.meetsSLO }
        let worstP99 = cells.map(\.p99Ms).max() ?? 0, worstErrors = cells.map(\.errorRate).max() ?? 0
        guard let first = failing.first else {
            return "meets the SLO at every user count tested, up to \(Prose.users(cells.last!.users)): p99 at most \(Prose.ms(worstP99)), error rate at most \(Prose.percent(worstErrors))."
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
        return text
    }

    /// What fails in a cell: the p99 (with a note when the miss is within noise) and the error kinds.
    func failureText(_ cell: CellSummary) -> String {
        var parts: [String] = []
        if cell.p99Ms > s.sloP99Ms {
            var p = "p99 \(Prose.ms(cell.p99Ms))"
            let miss = cell.p99Ms / s.sloP99Ms - 1
            if miss < 0.03 { p += " (a miss by \(Format.percent(miss, 1)), within one seed's noise)" }
            parts.append(p)
        }
        if cell.errorRate > s.sloErrorRate {
            parts.append("\(Prose.percent(cell.errorRate)) of requests fail (" + errorBreakdown(cell) + ")")
        }
        return Prose.list(parts) + "."
    }

    /// `4.03% get a 429, 90% of them false; 0.01% get a 5xx from a provider`.
    func errorBreakdown(_ cell: CellSummary) -> String {
        let k = cell.errorRateByKind
        var parts: [(share: Double, text: String)] = []
        let limited = (k["rateLimited"] ?? 0) + (k["rateLimitedFalse"] ?? 0)
        if limited > 0 {
            let falseShare = (k["rateLimitedFalse"] ?? 0) / limited
            parts.append((limited, "\(Prose.percent(limited)) get a 429, \(Format.percent(falseShare, 0)) of them false, from an IP shared with colleagues"))
        }
        let phrases: [(String, String)] = [
            ("poolTimeout", "time out waiting for a pool connection (P2024)"), ("connectionRefused", "are refused a database connection"),
            ("pgbouncerWaitTimeout", "time out waiting for a PgBouncer server connection"), ("upstream", "get a 5xx from a provider"),
            ("timeout", "time out"), ("overloaded", "get a 503 from a process at its in-flight cap"), ("redisUnavailable", "fail because Redis is down"),
        ]
        for (kind, phrase) in phrases {
            let share = k[kind] ?? 0
            if share > 0 { parts.append((share, "\(Prose.percent(share)) \(phrase)")) }
        }
        let total = parts.reduce(0.0) { $0 + $1.share }
        // The kinds that matter: at least a tenth of the errors, largest first (ties in table order).
        let order = parts.indices.filter { parts[$0].share >= 0.1 * total }
            .sorted { parts[$0].share > parts[$1].share || (parts[$0].share == parts[$1].share && $0 < $1) }
        return order.map { parts[$0].text }.joined(separator: "; ")
    }

    /// Why a failing cell fails, with the share of requests (or, for the p99, the miss) each cause explains.
    func failureCauses(_ cell: CellSummary) -> [(String, Double)] {
        var causes: [(String, Double)] = []
        if cell.p99Ms > s.sloP99Ms { causes.append(("tail", cell.p99Ms / s.sloP99Ms - 1)) }
        if cell.errorRate > s.sloErrorRate {
            let k = cell.errorRateByKind
            let total = Self.errorKinds.reduce(0) { $0 + (k[$1] ?? 0) }
            for kind in Self.errorKinds where (k[kind] ?? 0) >= 0.2 * total && (k[kind] ?? 0) > 0 {
                causes.append((kind == "rateLimited" || kind == "rateLimitedFalse" ? (kind == "rateLimitedFalse" ? "falseLimited" : "limited") : kind, k[kind]!))
            }
        }
        return causes
    }

    static let causeOrder = ["falseLimited", "limited", "connectionRefused", "poolTimeout", "pgbouncerWaitTimeout", "overloaded",
                             "upstream", "timeout", "redisUnavailable", "tail"]

    static func causeTitle(_ cause: String) -> String {
        switch cause {
        case "falseLimited": return "Why false 429s: one per-IP budget shared by a whole office"
        case "limited": return "Why 429s: users over their own limits"
        case "connectionRefused": return "Why refused connections: pools that add up past max_connections"
        case "poolTimeout": return "Why P2024: a small pool, queries that hold it"
        case "pgbouncerWaitTimeout": return "Why PgBouncer wait timeouts: few server connections, long transactions"
        case "overloaded": return "Why 503s: requests pile up in the process"
        case "upstream": return "Why provider errors: Mailgun and the LLM fail and rate-limit"
        case "timeout": return "Why timeouts"
        case "redisUnavailable": return "Why Redis errors"
        default: return "Why the p99 misses: slow endpoints inside the request"
        }
    }
}

import Reports
import Formatting

/// The experiment's tables (as `report` prints them) and a few more for the notebook.
extension Notebook {
    func tables() -> String {
        var out = ""
        let tables = ExperimentTables(summary: s)
        for (_, title, table) in tables.all() {
            out += "### \(title)\n\n" + table.markdown() + "\n"
        }
        out += "### Components at a glance\n\n"
        out += "How the main components fared in each cell: the capacity the sizing rules chose and how busy it was.\n\n"
        out += glanceTable().markdown() + "\n"
        if let caches = cacheTable() { out += "### Caches\n\n" + caches.markdown() + "\n" }
        if let jobs = jobTable() { out += "### Background jobs\n\n" + jobs.markdown() + "\n" }
        return out
    }

    var leadHeaders: [String] { m.hasVariants ? ["configuration", "variant", "users"] : ["configuration", "users"] }
    func lead(_ c: String, _ v: String, _ u: Int) -> [String] { m.hasVariants ? [c, v, Format.users(u)] : [c, Format.users(u)] }

    func glanceTable() -> TextTable {
        let headers = leadHeaders + ["API processes", "event loops busy", "requests in the API", "Postgres", "Postgres CPU", "queries/s",
                                     "backends (peak)", "pool wait ms", "Redis busy", "jobs waiting (peak)"]
        var t = TextTable(headers, alignments: Array(repeating: .left, count: leadHeaders.count) + Array(repeating: .right, count: headers.count - leadHeaders.count))
        for l in m.lines {
            for u in users(l.configuration, l.variant) {
                let (c, v) = (l.configuration, l.variant)
                let api = m.component(kind: .apiProcess, c, v, u)
                let pg = m.component(kind: .postgresPrimary, c, v, u)
                let pool = m.component(kind: .connectionPool, c, v, u)
                let redis = m.component(kind: .redis, c, v, u)
                let workers = m.component(kind: .workers, c, v, u)
                t.add(lead(c, v, u) + [
                    Prose.number(m.mean(c, v, u) { Double($0.run.apiProcesses) } ?? 0),
                    api.map { Format.percent($0.utilization, 0) } ?? "-",
                    api?.meanInSystem.map(Format.number) ?? "-",
                    m.runs(c, v, u).first?.run.postgresSize ?? "-",
                    pg.map { Format.percent($0.utilization, 0) } ?? "-",
                    pg.map { Prose.number($0.throughputPerS) } ?? "-",
                    pg.map { Prose.number($0.figure(.peakBackends)) } ?? "-",
                    pool.map { Prose.number($0.meanWaitMs) } ?? "-",
                    redis.map { Format.percent($0.utilization, 1) } ?? "-",
                    workers.map { Prose.number($0.figure(.maxQueueDepth)) } ?? "-",
                ])
            }
        }
        return t
    }

    func cacheTable() -> TextTable? {
        let names = m.cacheNames
        guard !names.isEmpty else { return nil }
        var t = TextTable(leadHeaders + ["cache", "location", "lookups", "hit rate", "TTL formula"],
                          alignments: Array(repeating: .left, count: leadHeaders.count + 2) + [.right, .right, .right])
        for l in m.lines {
            for u in users(l.configuration, l.variant) {
                for name in names {
                    guard let h = m.cache(name, l.configuration, l.variant, u) else { continue }
                    t.add(lead(l.configuration, l.variant, u) + [name, h.location, Format.grouped(Int(saturating: h.lookups.rounded())), Format.percent(h.hitRate, 1),
                                                                 h.predicted > 0 ? Format.percent(h.predicted, 1) : "-"])
                }
            }
        }
        return t.rows.isEmpty ? nil : t
    }

    func jobTable() -> TextTable? {
        var t = TextTable(leadHeaders + ["job", "enqueued", "completed", "failed attempts", "dead-lettered", "p99 to completion"],
                          alignments: Array(repeating: .left, count: leadHeaders.count + 1) + Array(repeating: .right, count: 5))
        for l in m.lines {
            for u in users(l.configuration, l.variant) {
                for name in m.jobNames {
                    guard let j = m.job(name, l.configuration, l.variant, u), j.enqueued > 0 || j.deadLettered > 0 else { continue }
                    t.add(lead(l.configuration, l.variant, u) + [name, Format.grouped(j.enqueued), Format.grouped(j.completed), Format.grouped(j.failedAttempts),
                                                                 Format.grouped(j.deadLettered), j.completed > 0 ? Prose.ms(j.p99Ms) : "-"])
                }
            }
        }
        return t.rows.isEmpty ? nil : t
    }
}

import PlatformModel
import Reports

/// Why the variants differ: one paragraph per kind of change they make (a cache, the rate
/// limiters, the connection pools, indexes, an endpoint's steps), on the first configuration
/// that runs them, at its largest user count.
extension Notebook {
    /// The key paths where a variant and the first variant differ: set by one of them and not
    /// to the same value by the other.
    func changedKeys(_ variant: String) -> [String] {
        let base = e.variants.first?.overrides ?? []
        let own = e.variants.first { $0.name == variant }?.overrides ?? []
        var keys: [String] = []
        for o in own.filter({ !base.contains($0) }) + base.filter({ !own.contains($0) }) {
            let key = String(o.prefix { $0 != "=" })
            if !keys.contains(key) { keys.append(key) }
        }
        return keys
    }

    /// The kind of change a key path makes, and what it is about (the cache, the endpoint).
    static func changeKind(_ key: String) -> (kind: String, subject: String)? {
        let parts = key.split(separator: ".").map(String.init)
        guard let head = parts.first else { return nil }
        switch head {
        case "caches": return parts.count > 1 ? ("cache", parts[1]) : nil
        case "rateLimiters": return ("limiter", "")
        case "endpoints": return parts.count > 2 && parts[2] == "steps" ? ("steps", parts[1]) : nil
        case "database":
            if parts.count > 1 && parts[1] == "indexes" { return ("index", "") }
            if key.hasPrefix("database.pool") || key.hasPrefix("database.pgbouncer") || key == "database.postgres.maxConnections" { return ("pool", "") }
            return nil
        default: return nil
        }
    }

    func variantMechanisms() -> [Finding] {
        guard let c = comparisonConfiguration else { return [] }
        let vs = variants(of: c)
        guard let u = m.userCounts.last(where: { uu in vs.allSatisfy { m.cell(c, $0, uu) != nil } }) else { return [] }
        var kinds: [(String, String)] = []
        for v in vs.dropFirst() {
            for key in changedKeys(v) {
                if let k = Self.changeKind(key), !kinds.contains(where: { $0 == k }) { kinds.append(k) }
            }
        }
        var out: [Finding] = []
        // Endpoints whose steps change are explained together.
        let endpoints = kinds.filter { $0.0 == "steps" }.map(\.1)
        if let first = kinds.firstIndex(where: { $0.0 == "steps" }) {
            kinds.removeAll { $0.0 == "steps" }
            kinds.insert(("steps", endpoints.map(Prose.code).joined(separator: " and ")), at: first)
        }
        for (kind, subject) in kinds {
            let text: String?
            switch kind {
            case "cache": text = cacheVariantMechanism(c, vs, u, cache: subject)
            case "index": text = indexVariantMechanism(c, vs, u)
            case "steps": text = stepsVariantMechanism(c, vs, u, endpoints: endpoints)
            case "limiter": text = limiterVariantMechanism(c, vs, u)
            case "pool": text = poolVariantMechanism(c, vs, u)
            default: text = nil
            }
            if let text { out.append(Finding(title: Self.variantTitle(kind, subject), text: text)) }
        }
        return out
    }

    static func variantTitle(_ kind: String, _ subject: String) -> String {
        switch kind {
        case "cache": return "Why the `\(subject)` cache variants differ: TTL against each user's request rate"
        case "index": return "Why indexes matter more as tables grow: the plan each query can use"
        case "steps": return "Why moving the provider calls of \(subject) out of the request changes the API"
        case "limiter": return "What the rate-limit variants trade"
        default: return "How pool size, max_connections and PgBouncer interact"
        }
    }

    /// `process-15s 7%, process-60s 22%`: a figure per variant at one cell.
    func perVariant(_ c: String, _ vs: [String], _ u: Int, _ f: (String) -> String?) -> String {
        Prose.list(vs.compactMap { v in f(v).map { "`\(v)` \($0)" } })
    }

    func cacheVariantMechanism(_ c: String, _ vs: [String], _ u: Int, cache: String) -> String? {
        guard let base = model(c, vs[0], u), let ci = base.caches.firstIndex(where: { $0.name == cache }) else { return nil }
        var out = "The `\(cache)` cache keeps one entry per \(base.caches[ci].key == .global ? "platform (a single global key)" : "user") for its TTL; "
        out += "a lookup hits only if the same entry was filled within the last TTL seconds: in the same API process when the cache lives in the process "
        out += "(each process keeps its own copy and the balancer spreads a user's requests over the processes), anywhere when it lives in Redis. "
        out += "So the hit rate grows with the TTL, and at equal TTL it is higher in Redis. Measured at \(Prose.users(u)) in `\(c)`: "
        out += perVariant(c, vs, u) { v in
            guard let model = model(c, v, u), let cm = model.caches.first(where: { $0.name == cache }), cm.enabled, let h = m.cache(cache, c, v, u) else { return "off" }
            return "\(Prose.utilization(h.hitRate)) (\(Prose.seconds(cm.ttl)), \(cm.location.rawValue))"
        } + ". "
        if let (v, h) = vs.lazy.compactMap({ v in self.m.cache(cache, c, v, u).map { (v, $0) } }).first(where: { $0.1.predicted > 0 }) {
            out += "The TTL formula h = λT/(1+λT), fed with each user's average request rate λ, predicts much less (`\(v)`: \(Prose.utilization(h.predicted)) against \(Prose.utilization(h.hitRate)) measured): "
            out += "a user's requests come in sessions (several page views within minutes, then nothing for hours), so a short TTL catches far more than the daily average suggests. "
        }
        let missQueries = missPathQueries(base, cache: ci)
        if !missQueries.isEmpty {
            out += "Each hit skips the miss path's \(missQueries.count == 1 ? "query" : "queries") (\(missQueries.map(Prose.code).joined(separator: ", "))), which is where Postgres load is saved: "
            out += "queries per second at \(Prose.users(u)): " + perVariant(c, vs, u) { v in self.m.component(kind: .postgresPrimary, c, v, u).map { Prose.number($0.throughputPerS) } }
            out += "; Postgres CPU: " + perVariant(c, vs, u) { v in self.m.component(kind: .postgresPrimary, c, v, u).map { Prose.utilization($0.utilization) } } + ". "
        }
        // What a hit is worth depends on what a miss costs: the same TTLs in each configuration.
        var worth: [String] = []
        for config in s.configurations {
            let cvs = variants(of: config)
            guard let first = cvs.first, let best = cvs.max(by: { (m.cache(cache, config, $0, u)?.hitRate ?? 0) < (m.cache(cache, config, $1, u)?.hitRate ?? 0) }),
                  best != first, let a = m.component(kind: .postgresPrimary, config, first, u), let b = m.component(kind: .postgresPrimary, config, best, u) else { continue }
            worth.append("from \(Prose.utilization(a.utilization)) to \(Prose.utilization(b.utilization)) in `\(config)` (`\(first)` to `\(best)`)")
        }
        if worth.count > 1 {
            out += "What a hit is worth depends on what a miss costs: at \(Prose.users(u)) the best-hitting variant takes Postgres CPU " + Prose.list(worth)
            out += "; where the miss path's queries are cheap (an index-only count, ten rows through an index), the cache saves little. "
        }
        out += "The price of a longer TTL is staleness: a dashboard up to TTL seconds old."
        return out
    }

    /// Queries between a cache lookup and its fill in any endpoint: what a hit saves.
    func missPathQueries(_ model: PlatformModel, cache: Int) -> [String] {
        var names: [String] = []
        for e in model.endpoints {
            guard let start = e.steps.firstIndex(of: .cacheLookup(cache: cache)) else { continue }
            let end = e.steps.firstIndex(of: .cacheFill(cache: cache)) ?? e.steps.count
            for step in e.steps[start..<end] {
                if case .query(let q) = step, !names.contains(model.database.queries[q].name) { names.append(model.database.queries[q].name) }
            }
        }
        return names
    }

    /// The plan a query runs with the model's indexes: the first whose index exists.
    static func plan(_ model: PlatformModel, _ q: QueryModel) -> QueryPlan? {
        q.plans.first { p in p.index.map { model.database.indexes[$0].enabled } ?? true }
    }

    static func describe(_ model: PlatformModel, _ p: QueryPlan, _ q: QueryModel) -> String {
        let table = model.database.tables[q.table]
        let via = p.index.map { "index `\(model.database.indexes[$0].name)`" } ?? "no index"
        let rows: String
        switch p.rows {
        case .one: rows = "one row"
        case .fixed(let n): rows = "\(Prose.number(n)) rows"
        case .page: rows = "one page of rows"
        case .userRows:
            rows = p.scale == 1 ? "every \(table.name) row of the user (\(Prose.number(table.rowsPerUser)) on average, more for busy users)"
                : "about \(Prose.number(table.rowsPerUser * p.scale)) \(table.name) rows (the user's \(Prose.number(table.rowsPerUser)) × \(Prose.number(p.scale)))"
        case .tableRows: rows = "the whole `\(table.name)` table"
        }
        let access = p.access == .indexOnly ? "from the index alone" : p.access == .sequential ? "by a sequential scan" : "from the table's heap pages"
        return "\(rows) via \(via), \(access)"
    }

    func indexVariantMechanism(_ c: String, _ vs: [String], _ u: Int) -> String? {
        guard let a = model(c, vs[0], u) else { return nil }
        var out = "Each query runs the first plan in `database.queries.*.plans` whose index exists. "
        var changes: [String] = []
        for v in vs.dropFirst() {
            guard let b = model(c, v, u) else { continue }
            for q in a.database.queries {
                guard let pa = Self.plan(a, q), let pb = Self.plan(b, q), pa != pb, !changes.contains(where: { $0.hasPrefix("`\(q.name)`") }) else { continue }
                changes.append("`\(q.name)` reads \(Self.describe(a, pa, q)) in `\(vs[0])` but \(Self.describe(b, pb, q)) in `\(v)`")
            }
        }
        guard !changes.isEmpty else { return nil }
        out += "The variants change these plans: " + changes.joined(separator: "; ") + ". "
        out += "A row read from the heap is a page that must come from memory or, on a miss, from storage; the share of misses grows as the tables outgrow the database's memory (tables grow with users: rows per user are fixed). "
        out += "Measured at \(Prose.users(u)) in `\(c)`: Postgres CPU " + perVariant(c, vs, u) { v in self.m.component(kind: .postgresPrimary, c, v, u).map { Prose.utilization($0.utilization) } }
        out += "; page reads missing memory " + perVariant(c, vs, u) { v in self.m.component(kind: .postgresPrimary, c, v, u).map { Prose.utilization($0.figure(.cacheMissRatio)) } }
        out += "; mean query time in Postgres " + perVariant(c, vs, u) { v in self.m.component(kind: .postgresPrimary, c, v, u).flatMap(\.meanResponseMs).map(Prose.ms) }
        out += "; Postgres size " + perVariant(c, vs, u) { v in self.m.runs(c, v, u).first?.run.postgresSize } + ". "
        out += "The sizing rule moves Postgres up its ladder to keep CPU under its target, so slow plans show up as a bigger (and dearer) database first, and as latency and refused connections once the ladder ends."
        return out
    }

    func stepsVariantMechanism(_ c: String, _ vs: [String], _ u: Int, endpoints: [String]) -> String? {
        var sentences: [String] = []
        for endpoint in endpoints {
            var text: [String] = []
            for v in vs {
                guard let model = model(c, v, u), let e = model.endpoints.first(where: { $0.name == endpoint }) else { continue }
                var waits: [String] = [], jobs: [String] = []
                for step in e.steps {
                    if case .external(let s) = step { waits.append("\(ComponentGauge.displayName(model.externalServices[s].name)) (mean \(Prose.ms(model.externalServices[s].latency.mean * 1000)))") }
                    if case .enqueue(let j) = step { jobs.append("a `\(model.jobs[j].name)` job (\(model.jobs[j].maxAttempts) attempts, backoff from \(Prose.seconds(model.jobs[j].backoffBase)))") }
                }
                let what = !waits.isEmpty ? "waits for \(Prose.list(waits)) inside the request" : !jobs.isEmpty ? "adds \(Prose.list(jobs)) and answers at once" : "calls no provider"
                text.append("in `\(v)` `\(endpoint)` \(what)")
            }
            if !text.isEmpty { sentences.append(Prose.capitalized(Prose.list(text, conjunction: "while")) + ". ") }
        }
        guard !sentences.isEmpty else { return nil }
        var out = sentences.joined()
        out += "Waiting costs the event loop nothing (Node awaits the HTTP call), but the request stays in flight: by Little's law the requests in the API are their rate times their time there, "
        out += "so a slow provider inside the request multiplies them. Requests in flight in the API at \(Prose.users(u)) in `\(c)`: "
        out += perVariant(c, vs, u) { v in self.m.component(kind: .apiProcess, c, v, u)?.meanInSystem.map(Prose.number) }
        out += "; mean time in the API " + perVariant(c, vs, u) { v in self.m.component(kind: .apiProcess, c, v, u)?.meanResponseMs.map(Prose.ms) } + ". "
        out += "A queued job moves the wait and the provider's failures to the workers, which retry with backoff; what the user sees is the enqueue, and what the operator watches is the queue's depth and the jobs that run out of attempts."
        return out
    }

    func limiterVariantMechanism(_ c: String, _ vs: [String], _ u: Int) -> String? {
        var out = "The limiter variants change which requests the platform turns away. Error rate at \(Prose.users(u)) in `\(c)`: "
        out += perVariant(c, vs, u) { v in self.m.cell(c, v, u).map { Prose.percent($0.errorRate) + ($0.errorRate > 0 ? " (" + self.errorBreakdown($0) + ")" : "") } } + ". "
        out += "A 429 is cheap for the servers (it is answered after one Redis script), so removing a limit sends more work downstream: Postgres CPU "
        out += perVariant(c, vs, u) { v in self.m.component(kind: .postgresPrimary, c, v, u).map { Prose.utilization($0.utilization) } } + ". "
        out += "Whether a variant is better depends on what its extra load meets: where it only lifts false 429s, users get their answers; where the database is already the bottleneck, errors change kind instead of going away."
        return out
    }

    func poolVariantMechanism(_ c: String, _ vs: [String], _ u: Int) -> String? {
        var rows: [String] = []
        for v in vs {
            guard let model = model(c, v, u), let cell = m.cell(c, v, u) else { continue }
            let (api, workers) = processes(model, c, v, u)
            let db = model.database
            var r = "`\(v)`: \(Prose.number(api + workers)) processes × \(db.pool.effectiveLimit) = \(Prose.number((api + workers) * Double(db.pool.effectiveLimit))) possible connections"
            r += db.pgbouncer.enabled ? " to PgBouncer (max_client_conn \(db.pgbouncer.maxClientConnections), \(db.pgbouncer.defaultPoolSize) server connections)" : " to Postgres (max_connections \(db.postgres.maxConnections))"
            let k = cell.errorRateByKind
            r += "; P2024 \(Prose.percent(k[.poolTimeout])), refused \(Prose.percent(k[.connectionRefused])), PgBouncer wait timeouts \(Prose.percent(k[.pgbouncerWaitTimeout])), 503 \(Prose.percent(k[.overloaded])); p99 \(Prose.ms(cell.p99Ms))"
            rows.append("- " + r)
        }
        guard !rows.isEmpty else { return nil }
        var out = "At \(Prose.users(u)) in `\(c)`:\n\n" + rows.joined(separator: "\n") + "\n\n"
        out += "Too many connections in all and Postgres refuses the surplus (max_connections); too few per process and requests queue for them until `pool_timeout` (P2024) or until the process hits its in-flight cap (503). "
        out += "PgBouncer decouples the two: the app may hold many cheap client connections while Postgres sees only `default_pool_size` busy ones; but those few server connections are then the pipe every transaction goes through, so when transactions are slow (reads from storage) the pipe, not Postgres's CPU, is the limit."
        return out
    }
}

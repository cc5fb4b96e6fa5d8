import PlatformModel
import Reports
import Formatting

/// The mechanisms behind the failures, explained on the cell where each is largest, with the
/// model's parameters and the run's measurements.
extension Notebook {
    /// The paragraph that explains one cause, on the cell where it is largest.
    func mechanism(_ cause: Explanation, _ c: String, _ v: String, _ u: Int) -> String? {
        guard let model = model(c, v, u), let cell = m.cell(c, v, u) else { return nil }
        switch cause {
        case .errors(.rateLimitedFalse): return falseRateLimitMechanism(model, cell)
        case .errors(.rateLimited): return intendedRateLimitMechanism(model, cell)
        case .errors(.connectionRefused): return refusedMechanism(model, cell)
        case .errors(.poolTimeout): return poolMechanism(model, cell)
        case .errors(.pgbouncerWaitTimeout): return bouncerMechanism(model, cell)
        case .errors(.overloaded): return overloadMechanism(model, cell)
        case .errors(.upstream): return upstreamMechanism(model, cell)
        case .errors(.timeout):
            return "Requests that take longer than `api.requestTimeoutMs` (\(Prose.ms(model.api.requestTimeout * 1000))) are given up by the client or proxy: \(Prose.percent(cell.errorRateByKind[.timeout])) of requests in \(name(c, v)) at \(Prose.users(u)), where something they wait on is saturated (see the bottleneck table)."
        case .errors(.redisUnavailable):
            return "While Redis is down, every step that needs it (rate limiters and session checks that fail closed, BullMQ enqueues) fails after `faults.redisOutage.failureDelayMs`: \(Prose.percent(cell.errorRateByKind[.redisUnavailable])) of requests in \(name(c, v)) at \(Prose.users(u))."
        case .tail: return tailMechanism(model, cell)
        }
    }

    /// Requests per active user in one window of `seconds` at the measured hour of the day.
    func requestsPerUser(_ model: PlatformModel, window seconds: Double, hour: Double) -> Double {
        let w = model.traffic.diurnalWeights
        let mean = w.reduce(0, +) / Double(max(1, w.count))
        let weight = w.isEmpty ? 1 : w[Int(hour.rounded(.down)) % w.count] / max(1e-9, mean)
        return model.traffic.requestsPerActiveUserPerDay * weight * seconds / 86_400
    }

    /// Why users within their own budget get 429s: a per-IP window shared by an office.
    func falseRateLimitMechanism(_ model: PlatformModel, _ cell: CellSummary) -> String {
        let (c, v, u) = (cell.configuration, cell.variant, cell.users)
        let t = model.traffic
        let hour = m.runs(c, v, u).first?.run.windowStartHour ?? 14
        let perIP = model.rateLimiters.filter { $0.key == .ip && $0.scope != .unauthenticated }
        var out = ""
        if let g = perIP.first {
            let perUserWindow = requestsPerUser(model, window: g.window, hour: hour)
            let office = t.officeSize.mean
            out += "The `\(g.name)` limiter (express-rate-limit, Redis-backed) counts requests per IP address in a fixed \(Prose.seconds(g.window)) window "
            out += "and allows \(g.limit) of them in \(name(c, v))"
            out += g.scope == .authenticated ? ", for logged-in users. " : ", for every request, logged in or not. "
            out += "\(Format.percent(t.officeUserFraction, 0)) of active users work behind an office NAT, sharing one public IP with others "
            out += "(about \(Prose.number(office)) users per office on average; both figures are assumptions). "
            out += "At this hour an average active user sends about \(Prose.number(perUserWindow)) requests per window, so an average office sends about \(Prose.number(perUserWindow * office)); "
            let skew = input.assumptions[c]?.parameter("traffic.activityWeight").map { ": `traffic.activityWeight: \($0.value)`" } ?? ""
            out += "but activity is skewed (a few power users\(skew)) and one session fires "
            out += "\(Prose.number(t.pageViewsPerSession)) page views × \(t.apiCallsPerPageView) calls within minutes, so the busiest offices use up the shared budget, "
            out += "and then everyone behind that IP gets 429s until the window resets, including colleagues who sent almost nothing. "
            out += "Those are the false 429s: a user rejected although their own requests were within the limit. "
            out += "A key's window starts at its first request (`INCR`, then `PEXPIRE`), so an IP that has used its budget stays blocked for the rest of its \(Prose.seconds(g.window))."
        }
        out += " Here \(Prose.percent(cell.errorRateByKind[.rateLimitedFalse])) of requests got a false 429. " + limiterHits(c, v, u)
        // How the false share moves with users, on this line.
        let line = users(c, v).compactMap { m.cell(c, v, $0) }
        if let lo = line.first, let hi = line.last, lo.users != hi.users {
            let a = lo.errorRateByKind[.rateLimitedFalse], b = hi.errorRateByKind[.rateLimitedFalse]
            out += " Across user counts the false 429s go from \(Prose.percent(a)) of requests at \(Prose.users(lo.users)) to \(Prose.percent(b)) at \(Prose.users(hi.users))"
            if abs(b - a) <= 0.25 * max(a, b) {
                out += ": offices do not get bigger when the user base does, so the share stays roughly flat."
            } else if b > 2 * a {
                out += ": a budget this size is used up only by an office that holds one of the rare heaviest users (the activity weights have a long tail), and a larger population holds more of them."
            } else {
                out += "."
            }
        }
        // Which configurations of this experiment key their general limit on the user instead.
        let keyedOnUser = configurations { m in
            m.rateLimiters.contains { $0.key == .user && $0.endpoints.isEmpty } && !m.rateLimiters.contains { $0.key == .ip && $0.scope != .unauthenticated }
        }
        if keyedOnUser.isEmpty {
            out += " A limit keyed on the user id (the seed's tiered per-user limits) cannot produce false 429s: a colleague's usage never counts against anyone else's budget."
        } else {
            out += " A limit keyed on the user id cannot produce false 429s: \(Prose.list(keyedOnUser.map { "`\($0)`" })) key\(keyedOnUser.count == 1 ? "s" : "") logged-in traffic on the user (its overlay's `rateLimiters`), and per-IP limits there cover only unauthenticated requests."
        }
        return out
    }

    /// Why users get 429s for their own traffic: the limits the model sets per user, per IP
    /// and per endpoint, and the skew of activity that takes the heaviest users over them.
    func intendedRateLimitMechanism(_ model: PlatformModel, _ cell: CellSummary) -> String {
        let (c, v, u) = (cell.configuration, cell.variant, cell.users)
        let hour = m.runs(c, v, u).first?.run.windowStartHour ?? 14
        var out = "A 429 to a user over their own budget is the rate-limit policy doing what it was configured to do. "
        out += "In \(name(c, v)) at \(Prose.users(u)) \(Prose.percent(cell.errorRateByKind[.rateLimited])) of requests got one. "
        out += limiterHits(c, v, u, intendedOnly: true)
        let limits = model.rateLimiters.map { l -> String in
            var text = "`\(l.name)` keys on the \(l.key == .ip ? "IP" : "user")"
            if let tiers = l.limitByTier {
                text += " with " + zip(model.traffic.tiers, tiers).map { "\($0.name) \($1)" }.joined(separator: ", ")
            } else {
                text += " with \(Format.grouped(l.limit))"
            }
            text += " per \(Prose.seconds(l.window))"
            if !l.endpoints.isEmpty { text += " on " + l.endpoints.map { "`\(model.endpoints[$0].name)`" }.joined(separator: ", ") }
            if l.scope != .all { text += " (\(l.scope.rawValue) requests)" }
            return text
        }
        if !limits.isEmpty { out += " The limits here: " + Prose.list(limits) + "." }
        if let shortest = model.rateLimiters.filter({ $0.endpoints.isEmpty }).map(\.window).min() {
            let perWindow = requestsPerUser(model, window: shortest, hour: hour)
            let skew = input.assumptions[c]?.parameter("traffic.activityWeight").map { " (`traffic.activityWeight: \($0.value)`)" } ?? ""
            out += " An average active user sends about \(Prose.number(perWindow)) requests per \(Prose.seconds(shortest)) at this hour; activity is skewed\(skew), so the users refused are the heaviest few, "
            out += "whose sessions fire many times the average within one window."
        }
        out += s.sloCountsIntended429s
            ? " This experiment's SLO counts these 429s (`slo: {countIntended429s: true}`)."
            : " The SLO does not count these (an experiment can, with `slo: {countIntended429s: true}`): whether a limit should refuse them is a product decision, not a capacity."
        return out
    }

    /// The experiment's configurations whose model (first variant) satisfies a predicate.
    func configurations(where predicate: (PlatformModel) -> Bool) -> [String] {
        s.configurations.filter { c in model(c, variants(of: c).first ?? "").map(predicate) ?? false }
    }

    /// `The global limiter rejected 1,234 requests (1,100 false).`
    /// With `intendedOnly`, only the rejections of users over their own budget.
    func limiterHits(_ c: String, _ v: String, _ u: Int, intendedOnly: Bool = false) -> String {
        let limiters = m.componentNames(c, v).filter { $0.hasPrefix("ratelimit-") }.compactMap { m.component($0, c, v, u) }
            .filter { intendedOnly ? $0.limitHits - $0.figure(.falseRejected) >= 0.5 : $0.limitHits > 0 }
        guard !limiters.isEmpty else { return "" }
        let parts = limiters.map { l in
            let name = "`\(l.name.dropFirst("ratelimit-".count))`"
            if intendedOnly { return name + " \(Format.grouped(Int(saturating: (l.limitHits - l.figure(.falseRejected)).rounded())))" }
            return name + " \(Format.grouped(Int(saturating: l.limitHits.rounded())))" + (l.figure(.falseRejected) > 0 ? " (\(Format.grouped(Int(saturating: l.figure(.falseRejected).rounded()))) false)" : "")
        }
        return (intendedOnly ? "Rejections of users over their own budget by limiter in the measured window: " : "Rejections by limiter in the measured window: ") + Prose.list(parts) + "."
    }

    /// API and worker processes of a cell (each has its own Prisma pool).
    func processes(_ model: PlatformModel, _ c: String, _ v: String, _ u: Int) -> (api: Double, workers: Double) {
        let api = m.mean(c, v, u) { Double($0.run.apiProcesses) } ?? 0
        let workers = (m.mean(c, v, u) { Double($0.run.workerInstances) } ?? 0) * Double(model.workers.processesPerInstance)
        return (api, workers)
    }

    func poolLimitText(_ model: PlatformModel) -> String {
        let p = model.database.pool
        if p.connectionLimit == nil {
            return "\(p.effectiveLimit) (`connection_limit` unset: Prisma's default 2 × CPUs + 1, on a host that reports \(p.hostReportedCPUs) CPUs)"
        }
        return "\(p.effectiveLimit) (`database.pool.connectionLimit`)"
    }

    func refusedMechanism(_ model: PlatformModel, _ cell: CellSummary) -> String {
        let (c, v, u) = (cell.configuration, cell.variant, cell.users)
        let db = model.database
        let (api, workers) = processes(model, c, v, u)
        let procs = api + workers
        let limit = Double(db.pool.effectiveLimit)
        var out = "Each Node process (API and worker) keeps its own Prisma pool of up to \(poolLimitText(model)) connections. "
        out += "At \(Prose.users(u)) \(name(c, v)) runs \(Prose.number(api)) API process\(api == 1 ? "" : "es")"
        out += workers > 0 ? " and \(Prose.number(workers)) worker process\(workers == 1 ? "" : "es")" : ""
        out += ", whose pools may open up to \(Prose.number(procs * limit)) connections"
        if db.pgbouncer.enabled {
            let b = m.component(kind: .pgbouncer, c, v, u)
            out += " to PgBouncer, which accepts at most `max_client_conn` = \(db.pgbouncer.maxClientConnections) client connections per process; "
            out += "it refused \(Format.grouped(Int(saturating: (b?.figure(.refusedClients) ?? 0).rounded()))) connection attempts in the window."
        } else {
            out += " straight to Postgres, which accepts `max_connections` = \(db.postgres.maxConnections). "
            out += "Pools open connections only when queries overlap, so the limit is reached when queries slow down"
            if let pg = m.component(kind: .postgresPrimary, c, v, u) {
                out += ": Postgres held up to \(Prose.number(pg.figure(.peakBackends))) backends here, its mean query took \(Prose.ms(pg.meanResponseMs ?? 0)) of CPU time"
                out += " and \(Format.percent(pg.figure(.cacheMissRatio), 0)) of page reads missed its memory"
            }
            out += ". Every query that finds the server full fails at once. Each backend also takes about \(Prose.number(db.postgres.memoryPerConnectionBytes / 1_048_576)) MiB of the server's memory away from its page cache, so raising `max_connections` is not free."
        }
        out += " \(Prose.percent(cell.errorRateByKind[.connectionRefused])) of requests were refused. PgBouncer in transaction mode is the seed's answer: many client connections share a few server connections"
        let bounced = configurations { $0.database.pgbouncer.enabled }
        if !bounced.isEmpty {
            out += " (" + Prose.list(bounced.compactMap { b in self.model(b, variants(of: b).first ?? "").map { "`\(b)` runs it with pools of \($0.database.pool.effectiveLimit) per process" } }) + ")"
        }
        out += "."
        return out
    }

    /// Mean time a pool connection is held per query: busy connections over acquisitions (Little's law on the pool).
    func poolHoldMs(_ pool: ComponentMean, limit: Double) -> Double {
        pool.throughputPerS > 0 ? pool.utilization * limit * pool.count / pool.throughputPerS * 1000 : 0
    }

    func poolMechanism(_ model: PlatformModel, _ cell: CellSummary) -> String {
        let (c, v, u) = (cell.configuration, cell.variant, cell.users)
        let p = model.database.pool
        var out = "A request needs one of its process's \(poolLimitText(model)) pool connections for each query; when all are busy it waits in the pool's line, "
        out += "and after `pool_timeout` (\(Prose.seconds(p.poolTimeout))) it fails with P2024. "
        if let pool = m.component(kind: .connectionPool, c, v, u) {
            let hold = poolHoldMs(pool, limit: Double(p.effectiveLimit))
            out += "A connection stays taken for the query's whole round trip, about \(Prose.ms(hold)) here"
            if model.database.pgbouncer.enabled { out += " (including the wait for one of PgBouncer's server connections)" }
            out += ", so one pool passes at most about \(Prose.number(Double(p.effectiveLimit) / max(hold / 1000, 1e-9))) queries per second; "
            out += "the busiest pool was busy \(Prose.utilization(pool.maxUtilization)) of the time and requests waited \(Prose.ms(pool.meanWaitMs)) on average for a connection. "
        }
        out += "\(Prose.percent(cell.errorRateByKind[.poolTimeout])) of requests in \(name(c, v)) at \(Prose.users(u)) failed with P2024."
        if model.database.pgbouncer.enabled, let b = m.component(kind: .pgbouncer, c, v, u), b.figure(.serverPoolUtilization) >= 0.9 {
            out += " Behind the pools, " + bouncerMechanism(model, cell)
        }
        return out
    }

    func bouncerMechanism(_ model: PlatformModel, _ cell: CellSummary) -> String {
        let (c, v, u) = (cell.configuration, cell.variant, cell.users)
        let b = model.database.pgbouncer
        var out = "PgBouncer (transaction mode) passes the app's connections onto `default_pool_size` = \(b.defaultPoolSize) server connections per PgBouncer process. "
        if let bouncer = m.component(kind: .pgbouncer, c, v, u) {
            let busy = bouncer.figure(.serverPoolUtilization) * Double(b.defaultPoolSize) * bouncer.count
            let hold = bouncer.throughputPerS > 0 ? busy / bouncer.throughputPerS * 1000 : 0
            out += "A transaction keeps one for its whole round trip, about \(Prose.ms(hold)) here"
            if let pg = m.component(kind: .postgresPrimary, c, v, u), pg.figure(.cacheMissRatio) > 0.5 {
                out += ", mostly reads from storage (\(Format.percent(pg.figure(.cacheMissRatio), 0)) of page reads miss Postgres's memory on \(m.runs(c, v, u).first?.run.postgresSize ?? "the primary"))"
            }
            out += ", so the server connections carry at most about \(Prose.number(Double(b.defaultPoolSize) * bouncer.count / max(hold / 1000, 1e-9))) transactions per second; "
            out += "they were busy \(Prose.utilization(bouncer.figure(.serverPoolUtilization))) of the time and a transaction waited \(Prose.ms(bouncer.meanWaitMs)) on average for one "
            out += "(it gives up after `query_wait_timeout` = \(Prose.seconds(b.queryWaitTimeout)))."
        }
        return out
    }

    func overloadMechanism(_ model: PlatformModel, _ cell: CellSummary) -> String {
        let (c, v, u) = (cell.configuration, cell.variant, cell.users)
        var out = "Each API process answers 503 once it holds `api.maxInFlightPerProcess` = \(Format.grouped(model.api.maxInFlightPerProcess)) requests (an assumption). "
        if let api = m.component(kind: .apiProcess, c, v, u) {
            let perProcess = api.throughputPerS / max(api.count, 1)
            out += "By Little's law the requests in a process are its arrival rate times the time each spends there: at \(Prose.users(u)) a process of \(name(c, v)) completes about \(Prose.number(perProcess)) requests per second, "
            out += "so once each request spends more than about \(Prose.ms(Double(model.api.maxInFlightPerProcess) / max(perProcess, 1e-9) * 1000)) in the process the cap is reached. "
            out += "The processes held \(Prose.number((api.meanInSystem ?? 0) / max(api.count, 1))) requests each on average (peak \(Prose.number(api.figure(.peakInFlightPerProcess)))), mean time in the process \(Prose.ms(api.meanResponseMs ?? 0))"
            if let pool = m.component(kind: .connectionPool, c, v, u), pool.meanWaitMs > 100 {
                out += ", mostly waiting for a pool connection (mean wait \(Prose.ms(pool.meanWaitMs)))"
            }
            out += ". "
        }
        out += "\(Prose.percent(cell.errorRateByKind[.overloaded])) of requests got a 503. The event loop itself is not the limit here: waiting requests cost it nothing, they only count against the cap."
        return out
    }

    func upstreamMechanism(_ model: PlatformModel, _ cell: CellSummary) -> String {
        let (c, v, u) = (cell.configuration, cell.variant, cell.users)
        var parts: [String] = []
        for svc in model.externalServices {
            guard let x = m.component(svc.name, c, v, u), x.limitHits > 0 else { continue }
            var p = "\(ComponentGauge.displayName(svc.name)) fails \(Format.percent(svc.failureProbability, 1)) of calls (an assumption)"
            if let limit = svc.rateLimitPerSecond { p += " and accepts \(Prose.number(limit)) calls per second (it got \(Prose.number(x.throughputPerS)) per second here)" }
            p += ": \(Prose.count(Int(saturating: x.figure(.failures).rounded()), "failure")), \(Format.grouped(Int(saturating: x.figure(.rateLimited).rounded()))) rejected over the rate limit and \(Prose.count(Int(saturating: x.figure(.timeouts).rounded()), "timeout")) in the window"
            parts.append(p)
        }
        var out = "A request that calls a provider inside itself (`external:` steps) fails when the provider does. "
        out += parts.isEmpty ? "" : parts.map { Prose.capitalized($0) + ". " }.joined()
        if model.faults.degradedService != nil, let d = model.faults.degradation {
            let svc = model.externalServices[model.faults.degradedService!]
            out += "The experiment also degrades \(ComponentGauge.displayName(svc.name)) from \(Prose.seconds(d.start)) to \(Prose.seconds(d.end)) of the measured window: latency ×\(Prose.number(model.faults.latencyMultiplier)) and \(Format.percent(model.faults.degradedFailureProbability, 0)) of calls failing. "
        }
        out += "In \(name(c, v)) at \(Prose.users(u)) \(Prose.percent(cell.errorRateByKind[.upstream])) of requests failed this way; a call made from a background job is retried instead."
        return out
    }

    /// The endpoints whose slowest requests make the overall p99, and what they wait on.
    func tailMechanism(_ model: PlatformModel, _ cell: CellSummary) -> String {
        let (c, v, u) = (cell.configuration, cell.variant, cell.users)
        let tail = tailEndpoints(c, v, u)
        var out = "The p99 is the latency the slowest 1% of requests exceed: \(Prose.ms(cell.p99Ms)) in \(name(c, v)) at \(Prose.users(u)). "
        guard !tail.isEmpty else { return out + "No single endpoint stands out: the whole mix is slow." }
        out += "Those slowest requests come from the endpoints whose own p99 is above it: "
        var waitsOnProvider = false, readsRows = false
        let poolWait = m.component(kind: .connectionPool, c, v, u)?.meanWaitMs ?? 0
        var waitsOnPool = false
        out += Prose.list(tail.map { e in
            // A provider or bcrypt explains the tail only when its time is a fair share of it.
            var provider = waitsOn(model, endpoint: e.name)
            if provider != nil, inherentWaitMs(model, endpoint: e.name) < 0.1 * e.p99 { provider = nil }
            let rows = readsMany(model, endpoint: e.name)
            var pool: String?
            if provider == nil, rows == nil, poolWait >= 0.1 * e.p99 {
                pool = "waits for a database connection like every request here (mean wait \(Prose.ms(poolWait)))"
                waitsOnPool = true
            }
            waitsOnProvider = waitsOnProvider || provider != nil
            readsRows = readsRows || rows != nil
            return "`\(e.name)` (\(Prose.percent(e.share)) of requests, p99 \(Prose.ms(e.p99))" + ([provider, rows, pool].compactMap { $0 }.map { "; " + $0 }.joined()) + ")"
        }) + ". "
        if waitsOnPool {
            out += "Where the pools are exhausted every query waits its turn, so any endpoint that queries the database inherits the wait. "
        }
        if waitsOnProvider {
            out += "A request that waits for a provider or for bcrypt inside itself takes as long as they do, however idle the servers are; moving that wait out of the request into a queued job is what brings the p99 down, not more capacity"
            out += queuedElsewhere(model, tail.map(\.name)) + ". "
        }
        if readsRows {
            out += "A query that reads every row of the user pays one page per row, read from storage when the data does not fit in the database's memory"
            if let pg = m.component(kind: .postgresPrimary, c, v, u) { out += " (\(Prose.utilization(pg.figure(.cacheMissRatio))) of page reads missed it here, on \(m.runs(c, v, u).first?.run.postgresSize ?? "the primary"))" }
            out += "; an index that reads only the page of rows asked for or a cache in front removes that work"
            // The experiment's configurations that enable an index this one lacks (`database.indexes`).
            let off = Set(model.database.indexes.filter { !$0.enabled }.map(\.name))
            let indexed = configurations { other in other.database.indexes.contains { $0.enabled && off.contains($0.name) } }
            if !indexed.isEmpty {
                out += " (\(Prose.list(indexed.map { "`\($0)`" })) enable\(indexed.count == 1 ? "s" : "") indexes this configuration lacks, under `database.indexes`)"
            }
            out += "."
        }
        return out
    }

    /// ` (phase2 calls Mailgun for `sendEmail` from a queued job)`: the experiment's
    /// configurations where a provider the tail endpoints wait for inside the request is called
    /// from a job instead; empty when none does.
    func queuedElsewhere(_ model: PlatformModel, _ endpoints: [String]) -> String {
        var parts: [String] = []
        for c in s.configurations {
            guard let other = self.model(c, variants(of: c).first ?? "") else { continue }
            var moved: [String] = []
            for name in endpoints {
                guard let here = model.endpoints.first(where: { $0.name == name }),
                      let there = other.endpoints.first(where: { $0.name == name }) else { continue }
                let inRequest = Set(here.steps.compactMap { step -> Int? in if case .external(let x) = step { x } else { nil } })
                let stillThere = Set(there.steps.compactMap { step -> Int? in if case .external(let x) = step { x } else { nil } })
                if !inRequest.isEmpty && inRequest.isDisjoint(with: stillThere) && there.steps.contains(where: { if case .enqueue = $0 { true } else { false } }) {
                    moved.append("`\(name)`")
                }
            }
            if !moved.isEmpty { parts.append("`\(c)` enqueues a job for \(Prose.list(moved))") }
        }
        return parts.isEmpty ? "" : " (" + Prose.list(parts) + ")"
    }

    /// What an endpoint reads in Postgres when its plan touches many rows (nil: it does not).
    func readsMany(_ model: PlatformModel, endpoint: String) -> String? {
        guard let e = model.endpoints.first(where: { $0.name == endpoint }) else { return nil }
        var reads: [String] = []
        for step in e.steps {
            guard case .query(let qi) = step else { continue }
            let q = model.database.queries[qi]
            guard let plan = Self.plan(model, q) else { continue }
            switch plan.rows {
            case .userRows, .tableRows: reads.append("`\(q.name)` reads " + Self.describe(model, plan, q))
            default: break
            }
        }
        return reads.isEmpty ? nil : reads.joined(separator: ", ")
    }

    /// Endpoints with at least 0.1% of requests whose p99 is above the overall p99, by share.
    func tailEndpoints(_ c: String, _ v: String, _ u: Int) -> [(name: String, share: Double, p99: Double)] {
        let runs = m.runs(c, v, u)
        guard let cell = m.cell(c, v, u), !runs.isEmpty else { return [] }
        let total = Double(runs.reduce(0) { $0 + $1.run.requests })
        var rows: [(String, Double, Double)] = []
        for name in m.endpointNames {
            let requests = Double(runs.reduce(0) { sum, r in sum + (r.endpoints.first { $0.endpoint == name }?.requests ?? 0) })
            guard let p99 = m.endpointP99(name, c, v, u), p99 > cell.p99Ms, requests >= 0.001 * total else { continue }
            rows.append((name, requests / max(total, 1), p99))
        }
        return Array(rows.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(3))
    }

    /// Mean time an endpoint spends waiting on providers and bcrypt inside the request (ms).
    func inherentWaitMs(_ model: PlatformModel, endpoint: String) -> Double {
        guard let e = model.endpoints.first(where: { $0.name == endpoint }) else { return 0 }
        var total = 0.0
        for step in e.steps {
            if case .external(let s) = step { total += model.externalServices[s].latency.mean * 1000 }
            if case .threadPool(let d) = step { total += d.mean * 1000 }
        }
        return total
    }

    /// What an endpoint waits on inside the request: providers, bcrypt, many rows.
    func waitsOn(_ model: PlatformModel, endpoint: String) -> String? {
        guard let e = model.endpoints.first(where: { $0.name == endpoint }) else { return nil }
        var waits: [String] = []
        for step in e.steps {
            switch step {
            case .external(let s):
                let svc = model.externalServices[s]
                waits.append("waits for \(ComponentGauge.displayName(svc.name)), mean \(Prose.ms(svc.latency.mean * 1000))")
            case .threadPool(let d):
                waits.append("bcrypt on the libuv thread pool, mean \(Prose.ms(d.mean * 1000))")
            default: break
            }
        }
        return waits.isEmpty ? nil : waits.joined(separator: ", ")
    }
}

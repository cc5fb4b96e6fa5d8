import PlatformModel

/// Names the component that limits a run and why: a hard limit that produced errors (pool
/// exhausted, `max_connections`, per-IP windows, a provider's rate limit, the largest database
/// size) or, when nothing failed, the busiest fixed-capacity component.
public enum BottleneckAnalysis {
    /// Utilization at which a component counts as saturated.
    public static let saturation = 0.85

    public static func bottleneck(for r: RunResult) -> Bottleneck {
        let requests = Double(Swift.max(1, r.requests))
        func component(_ kind: String) -> ComponentMetrics? { r.components.first { $0.kind == kind } }
        func share(_ n: Int) -> String { "\(percent(Double(n) / requests)) of requests" }

        // Hard limits, by the errors they cause.
        var hard: [(count: Int, b: Bottleneck)] = []
        let e = r.errors
        if e.connectionRefused > 0 {
            let viaBouncer = (component("pgbouncer")?.details["refusedClients"] ?? 0) > 0
            let name = viaBouncer ? "pgbouncer" : (component("postgresPrimary")?.name ?? "postgres-primary")
            let u = (viaBouncer ? component("pgbouncer") : component("postgresPrimary"))?.utilization ?? 0
            hard.append((e.connectionRefused, Bottleneck(component: name, utilization: u,
                reason: viaBouncer ? "max_client_conn reached: \(share(e.connectionRefused)) refused"
                                   : "max_connections reached: \(share(e.connectionRefused)) refused a connection")))
        }
        if e.poolTimeout > 0, let pool = component("connectionPool") {
            hard.append((e.poolTimeout, Bottleneck(component: pool.name, utilization: pool.maxUtilization,
                reason: "pool exhausted: \(share(e.poolTimeout)) failed with P2024 after pool_timeout")))
        }
        if e.pgbouncerWaitTimeout > 0, let b = component("pgbouncer") {
            hard.append((e.pgbouncerWaitTimeout, Bottleneck(component: b.name, utilization: b.details["serverPoolUtilization"] ?? b.utilization,
                reason: "server pool exhausted: \(share(e.pgbouncerWaitTimeout)) hit query_wait_timeout")))
        }
        let rateLimited = e.rateLimited + e.rateLimitedFalse
        if rateLimited > 0 {
            let limiter = r.components.filter { $0.kind == "rateLimiter" }.max { $0.limitHits < $1.limitHits }
            let falseShare = Double(e.rateLimitedFalse) / Double(rateLimited)
            hard.append((rateLimited, Bottleneck(component: limiter?.name ?? "rate limiter", utilization: 0,
                reason: "429s for \(share(rateLimited)); \(percent(falseShare)) of them false (users behind a shared IP)")))
        }
        if e.upstream > 0, let s = r.components.filter({ $0.kind == "externalService" }).max(by: { $0.limitHits < $1.limitHits }) {
            hard.append((e.upstream, Bottleneck(component: s.name, utilization: s.utilization,
                reason: "upstream errors for \(share(e.upstream)) (provider rate limit or 5xx)")))
        }
        if e.redisUnavailable > 0 {
            hard.append((e.redisUnavailable, Bottleneck(component: "redis", utilization: component("redis")?.utilization ?? 0,
                reason: "Redis unavailable: \(share(e.redisUnavailable)) failed (rate limiter or queue could not reach it)")))
        }
        if e.overloaded > 0, let api = component("apiProcess") {
            hard.append((e.overloaded, Bottleneck(component: api.name, utilization: api.maxUtilization,
                reason: "processes at max in-flight: \(share(e.overloaded)) answered 503")))
        }
        if e.timeout > 0 {
            let worst = busiest(r)
            hard.append((e.timeout, Bottleneck(component: worst.name, utilization: worst.utilization,
                reason: "\(share(e.timeout)) timed out; \(worst.name) is the busiest component")))
        }
        // Errors under 0.1% of requests do not make a limit binding on their own.
        if let top = hard.max(by: { $0.count < $1.count }), Double(top.count) / requests >= 0.001 {
            return top.b
        }
        if let limit = r.capacity.limits.first(where: { $0.hasPrefix("postgres at its largest size") }), let pg = component("postgresPrimary") {
            return Bottleneck(component: pg.name, utilization: pg.maxUtilization, reason: limit)
        }
        if let redis = component("redis"), let mem = redis.details["memoryMB"], let max = redis.details["maxMemoryMB"], mem > max {
            return Bottleneck(component: "redis", utilization: redis.utilization, reason: "memory \(Int(saturating: mem)) MB over maxmemory \(Int(saturating: max)) MB: keys evicted")
        }
        if let top = hard.max(by: { $0.count < $1.count }) { return top.b }
        var tail = ""
        if let slow = tailEndpoint(for: r), slow.latencyMs.p99 > 2 * Swift.max(1, r.latencyMs.p50) {
            tail = "; p99 set by \(slow.name) (p99 \(Int(saturating: slow.latencyMs.p99.rounded())) ms)"
        }
        if let h = r.headroom, let c = r.components.first(where: { $0.name == h.component }) {
            let now = h.users == 0 ? "saturated now" : "saturates first, at about \(users(h.saturatesAt)) users"
            return Bottleneck(component: c.name, utilization: c.utilization,
                              reason: "\(now): \(percent(c.utilization)) busy, limit \(h.limit)\(tail)")
        }
        let worst = busiest(r)
        let why = worst.utilization >= saturation ? "saturated" : "busiest"
        return Bottleneck(component: worst.name, utilization: worst.utilization,
                          reason: "\(why): \(percent(worst.utilization)) \(reasonSuffix(worst))\(tail)")
    }

    /// Components whose capacity is a hard limit (single-threaded, one primary, fixed count), by utilization.
    public static func fixedCapacity(_ r: RunResult) -> [ComponentMetrics] {
        r.components.filter { ["redis", "pgbouncer", "postgresPrimary", "postgresReplica", "externalService", "apiProcess", "workers", "threadPool"].contains($0.kind) }
    }

    static func busiest(_ r: RunResult) -> ComponentMetrics {
        fixedCapacity(r).max { max($0.utilization, $0.maxUtilization * 0.9) < max($1.utilization, $1.maxUtilization * 0.9) }
            ?? ComponentMetrics(name: "none", kind: "none", count: 0, utilization: 0, maxUtilization: 0, meanQueue: 0, meanWaitMs: 0, p99WaitMs: 0, throughput: 0)
    }

    static func reasonSuffix(_ c: ComponentMetrics) -> String {
        switch c.kind {
        case "redis": return "of Redis's single thread"
        case "pgbouncer": return "of PgBouncer's single thread"
        case "postgresPrimary": return "CPU on \(Int(c.details["vcpu"] ?? 0)) vCPU (scales up only)"
        case "postgresReplica": return "CPU on the replicas"
        case "apiProcess": return "event-loop busy (scaled out to its target)"
        case "externalService": return "of the provider's rate limit"
        case "workers": return "of worker slots busy"
        default: return "busy"
        }
    }

    /// When each component would saturate as users grow, and which comes first.
    ///
    /// Load is taken to grow in proportion to users. A component saturates when its busy
    /// share reaches ``saturation`` of the most capacity its scaling rule allows: Postgres up
    /// to the largest size on its ladder, replicas, API instances and workers up to their
    /// maximum counts; Redis and PgBouncer are one thread each; an external service stops at
    /// its rate limit.
    public static func saturationPoints(for r: RunResult, model: PlatformModel) -> [(component: String, users: Double, note: String)] {
        var points: [(String, Double, String)] = []
        let users = Double(r.users)
        func add(_ name: String, busy: Double, capacity: Double, limit: Double = saturation, note: String) {
            guard busy > 0, capacity > 0 else { return }
            points.append((name, users * limit * capacity / busy, note))
        }
        func maxCount(_ rule: ScalingRule, current: Int) -> Double {
            switch rule {
            case .horizontal(_, _, let hi): return Double(Swift.max(hi, current))
            case .fixed(let n): return Double(Swift.max(n, current))
            case .vertical: return Double(current)
            }
        }
        for c in r.components {
            switch c.kind {
            case "postgresPrimary":
                let vcpu = c.details["vcpu"] ?? 1
                let largest = model.database.postgres.ladder.last?.vcpu ?? vcpu
                let top: Double
                if case .vertical = model.database.postgres.scaling { top = Swift.max(largest, vcpu) } else { top = vcpu }
                add(c.name, busy: c.utilization * vcpu, capacity: top,
                    note: top > vcpu ? "CPU, even at its largest size (\(Int(top)) vCPU)" : "CPU on \(Int(vcpu)) vCPU")
            case "postgresReplica":
                let vcpu = c.details["vcpu"] ?? 1
                let most = maxCount(model.database.replicas.scaling, current: r.capacity.replicasPerShard) * Double(r.capacity.shards)
                add(c.name, busy: c.utilization * vcpu * Double(c.count), capacity: most * vcpu, note: "CPU with the most replicas allowed")
            case "redis":
                add(c.name, busy: c.utilization, capacity: 1, note: "its single thread")
            case "pgbouncer":
                add(c.name, busy: c.maxUtilization, capacity: 1, note: "its single thread")
            case "externalService":
                add(c.name, busy: c.utilization, capacity: 1, limit: 1, note: "the provider's rate limit")
            case "apiProcess":
                let most = maxCount(model.api.scaling, current: r.capacity.apiInstances) * Double(model.api.processesPerInstance)
                add(c.name, busy: c.utilization * Double(c.count), capacity: most, note: "event loops with the most instances allowed")
            case "workers":
                let most = maxCount(model.workers.scaling, current: r.capacity.workerInstances) * Double(model.workers.processesPerInstance)
                add(c.name, busy: c.utilization * Double(c.count), capacity: most, note: "worker slots with the most instances allowed")
            default:
                break
            }
        }
        return points.sorted { $0.1 < $1.1 }
    }

    /// Users more until the first component saturates (0 when one already has).
    public static func headroom(for r: RunResult, model: PlatformModel) -> Headroom? {
        guard let first = saturationPoints(for: r, model: model).first else { return nil }
        let at = Int(saturating: first.users.rounded())
        return Headroom(users: Swift.max(0, at - r.users), saturatesAt: at, component: first.component, limit: first.note)
    }

    /// The endpoint that sets the overall p99: the slowest one with enough requests to reach
    /// the top percent (at least 1% of requests), when its own p99 is above the overall p99.
    public static func tailEndpoint(for r: RunResult) -> EndpointResult? {
        let total = Double(Swift.max(1, r.requests))
        return r.endpoints.filter { Double($0.requests) >= 0.01 * total && $0.latencyMs.p99 >= r.latencyMs.p99 }
            .max { $0.latencyMs.p99 < $1.latencyMs.p99 }
    }

    /// Bottleneck, headroom and cost of a run, filled into it.
    public static func analyse(_ r: inout RunResult, model: PlatformModel) {
        r.headroom = headroom(for: r, model: model)
        r.bottleneck = bottleneck(for: r)
        r.cost = CostModel.monthlyCost(model: model, result: r)
    }

    static func users(_ n: Int) -> String {
        if n >= 1_000_000 { return "\((Double(n) / 100_000).rounded() / 10)M" }
        if n >= 1000 { return "\(Int((Double(n) / 1000).rounded()))k" }
        return String(n)
    }

    static func percent(_ x: Double) -> String {
        let p = x * 100
        if p >= 10 { return "\(Int(saturating: p.rounded()))%" }
        return "\((p * 10).rounded() / 10)%"
    }
}

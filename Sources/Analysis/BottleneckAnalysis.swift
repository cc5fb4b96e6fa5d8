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
            return Bottleneck(component: "redis", utilization: redis.utilization, reason: "memory \(Int(mem)) MB over maxmemory \(Int(max)) MB: keys evicted")
        }
        if let top = hard.max(by: { $0.count < $1.count }) { return top.b }
        let worst = busiest(r)
        let why = worst.utilization >= saturation ? "saturated" : "busiest"
        return Bottleneck(component: worst.name, utilization: worst.utilization,
                          reason: "\(why): \(percent(worst.utilization)) \(reasonSuffix(worst))")
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

    /// Users more until the first fixed-capacity component saturates, assuming its load grows
    /// in proportion to users (API processes and workers scale out, so they are left out).
    public static func headroomUsers(for r: RunResult) -> (users: Int, component: String)? {
        let fixed = r.components.filter { ["redis", "pgbouncer", "postgresPrimary", "postgresReplica", "externalService"].contains($0.kind) && $0.utilization > 0 }
        guard let first = fixed.max(by: { $0.utilization < $1.utilization }) else { return nil }
        let u = first.utilization
        let more = u >= saturation ? 0 : Double(r.users) * (saturation / u - 1)
        return (Int(more.rounded()), first.name)
    }

    static func percent(_ x: Double) -> String {
        let p = x * 100
        if p >= 10 { return "\(Int(p.rounded()))%" }
        return "\((p * 10).rounded() / 10)%"
    }
}

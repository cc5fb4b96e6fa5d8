import PlatformModel
import SimulationEngine
import Formatting

extension Diagnosis {
    /// Diagnoses one run: the only place that decides why a run fails or what limits it.
    ///
    /// The causes, most binding first:
    /// 1. hard limits whose errors reach ``DiagnosisRules/bindingErrorShare`` of requests, the
    ///    most errors first (each kind of error is its own cause: a false 429 and an intended
    ///    one are different problems);
    /// 2. Postgres at its largest size, then Redis over `maxmemory`;
    /// 3. hard limits with fewer errors;
    /// 4. the component that saturates now or first as users grow (the headroom's), or the
    ///    busiest bounded component.
    public init(of r: RunResult, model: PlatformModel) {
        let headroom = Self.headroom(for: r, model: model)
        let tail = Self.tailEndpoint(for: r)
        var binding: [Cause] = [], minor: [Cause] = []
        for (kind, count) in r.errors.byKind where count > 0 {
            let cause = Self.errorCause(kind, count: count, in: r)
            if cause.requestShare >= DiagnosisRules.bindingErrorShare { binding.append(cause) } else { minor.append(cause) }
        }
        // Most errors first; equal counts in the kinds' order (the sort is stable).
        binding.sort { $0.requestShare > $1.requestShare }
        minor.sort { $0.requestShare > $1.requestShare }
        var causes = binding
        if let limit = r.capacity.limits.first(where: { $0.hasPrefix("postgres at its largest size") }),
           let pg = r.components.first(where: { $0.kind == .postgresPrimary }) {
            causes.append(Cause(kind: .largestDatabaseSize, component: pg.name, componentKind: .postgresPrimary,
                                utilization: pg.maxUtilization, requestShare: 0, reason: limit))
        }
        if let redis = r.components.first(where: { $0.kind == .redis }), let mem = redis.details[.memoryMB],
           let max = redis.details[.maxMemoryMB], mem > max {
            causes.append(Cause(kind: .redisMemoryFull, component: redis.name, componentKind: .redis, utilization: redis.utilization,
                                requestShare: 0, reason: "memory \(Int(saturating: mem)) MB over maxmemory \(Int(saturating: max)) MB: keys evicted"))
        }
        causes += minor
        causes.append(Self.capacityCause(r, headroom: headroom, tail: tail))
        self.init(causes: causes, headroom: headroom, tail: tail, cost: CostModel.monthlyCost(model: model, result: r))
    }

    /// The cause behind one kind of error: which component answered with it, and why.
    static func errorCause(_ kind: ErrorKind, count: Int, in r: RunResult) -> Cause {
        let share = Double(count) / Double(Swift.max(1, r.requests))
        let shown = Format.share(share) + " of requests"
        func first(_ k: ComponentKind) -> ComponentMetrics? { r.components.first { $0.kind == k } }
        func most(_ k: ComponentKind, by f: (ComponentMetrics) -> Double) -> ComponentMetrics? {
            r.components.filter { $0.kind == k }.max { f($0) < f($1) }
        }
        func cause(_ c: ComponentMetrics?, fallback: String, _ kindOf: ComponentKind?, utilization: Double? = nil, _ reason: String) -> Cause {
            Cause(kind: .errors(kind), component: c?.name ?? fallback, componentKind: c?.kind ?? kindOf,
                  utilization: utilization ?? c?.utilization ?? 0, requestShare: share, reason: reason)
        }
        switch kind {
        case .connectionRefused:
            let bouncer = first(.pgbouncer)
            if let b = bouncer, (b.details[.refusedClients] ?? 0) > 0 {
                return cause(b, fallback: "pgbouncer", .pgbouncer, "max_client_conn reached: \(shown) refused")
            }
            return cause(first(.postgresPrimary), fallback: "postgres-primary", .postgresPrimary,
                         "max_connections reached: \(shown) refused a connection")
        case .poolTimeout:
            let pool = first(.connectionPool)
            return cause(pool, fallback: "prisma-pool", .connectionPool, utilization: pool?.maxUtilization,
                         "pool exhausted: \(shown) failed with P2024 after pool_timeout")
        case .pgbouncerWaitTimeout:
            let b = first(.pgbouncer)
            return cause(b, fallback: "pgbouncer", .pgbouncer, utilization: b?.details[.serverPoolUtilization] ?? b?.utilization,
                         "server pool exhausted: \(shown) hit query_wait_timeout")
        case .rateLimited, .rateLimitedFalse:
            let falseOnes = kind == .rateLimitedFalse
            let limiter = most(.rateLimiter) { c in
                let f = c.details[.falseRejected] ?? 0
                return falseOnes ? f : Double(c.limitHits) - f
            }
            let other = falseOnes ? r.errors[.rateLimited] : r.errors[.rateLimitedFalse]
            let all = Double(count + other)
            let reason = falseOnes
                ? "false 429s for \(shown): users within their own budget refused because others behind their IP used it (\(Format.share(Double(count) / all)) of all 429s)"
                : "429s for \(shown): users or IPs over their own budget (\(Format.share(Double(count) / all)) of all 429s)"
            return cause(limiter, fallback: "rate limiter", .rateLimiter, utilization: 0, reason)
        case .upstream:
            return cause(most(.externalService) { Double($0.limitHits) }, fallback: "provider", .externalService,
                         "upstream errors for \(shown) (provider rate limit or 5xx)")
        case .redisUnavailable:
            return cause(first(.redis), fallback: "redis", .redis,
                         "Redis unavailable: \(shown) failed (rate limiter or queue could not reach it)")
        case .overloaded:
            let api = first(.apiProcess)
            return cause(api, fallback: "api", .apiProcess, utilization: api?.maxUtilization,
                         "processes at max in-flight: \(shown) answered 503")
        case .timeout:
            let worst = Self.busiest(r)
            return cause(worst, fallback: "none", worst?.kind, "\(shown) timed out; \(worst?.name ?? "no component") is the busiest component")
        }
    }

    /// Nothing binding failed (or after what did): the component that saturates now or first
    /// as users grow, else the busiest bounded one.
    static func capacityCause(_ r: RunResult, headroom: Headroom?, tail: TailEndpoint?) -> Cause {
        var suffix = ""
        if let t = tail, t.p99Ms > 2 * Swift.max(1, r.latencyMs.p50) {
            suffix = "; p99 set by \(t.endpoint) (p99 \(Int(saturating: t.p99Ms.rounded())) ms)"
        }
        if let h = headroom, let c = r.components.first(where: { $0.name == h.component }) {
            let now = h.users == 0
            let text = now ? "saturated now" : "saturates first, at about \(Format.roundedUsers(h.saturatesAt)) users"
            return Cause(kind: now ? .saturated : .saturatesFirst, component: c.name, componentKind: c.kind, utilization: c.utilization,
                         requestShare: 0, reason: "\(text): \(Format.share(c.utilization)) busy, limit \(h.limit)\(suffix)")
        }
        guard let worst = busiest(r) else {
            return Cause(kind: .busiest, component: "none", componentKind: nil, utilization: 0, requestShare: 0, reason: "nothing busy\(suffix)")
        }
        let saturated = worst.utilization >= DiagnosisRules.saturation
        return Cause(kind: saturated ? .saturated : .busiest, component: worst.name, componentKind: worst.kind, utilization: worst.utilization,
                     requestShare: 0,
                     reason: "\(saturated ? "saturated" : "busiest"): \(Format.share(worst.utilization)) \(Self.capacityPhrase(worst))\(suffix)")
    }

    /// Bounded-capacity components by how close they run to it (the busiest member counts
    /// at 90%: one hot process or shard is nearly as telling as the group's mean).
    static func busiest(_ r: RunResult) -> ComponentMetrics? {
        r.components.filter(\.kind.hasBoundedCapacity)
            .max { Swift.max($0.utilization, $0.maxUtilization * 0.9) < Swift.max($1.utilization, $1.maxUtilization * 0.9) }
    }

    /// What a component's utilization is a share of.
    static func capacityPhrase(_ c: ComponentMetrics) -> String {
        switch c.kind {
        case .redis: "of Redis's single thread"
        case .pgbouncer: "of PgBouncer's single thread"
        case .postgresPrimary: "CPU on \(Int(saturating: c.details[.vcpu] ?? 0)) vCPU (scales up only)"
        case .postgresReplica: "CPU on the replicas"
        case .apiProcess: "event-loop busy (scaled out to its target)"
        case .externalService: "of the provider's rate limit"
        case .workers: "of worker slots busy"
        case .threadPool: "of the API thread pool busy"
        case .loadBalancer, .rateLimiter, .connectionPool, .cdn: "busy"
        }
    }

    /// The endpoint that sets the overall p99 (see ``TailEndpoint``).
    public static func tailEndpoint(for r: RunResult) -> TailEndpoint? {
        let total = Double(Swift.max(1, r.requests))
        guard let e = r.endpoints.filter({ Double($0.requests) >= DiagnosisRules.tailEndpointMinimumShare * total && $0.latencyMs.p99 >= r.latencyMs.p99 })
            .max(by: { $0.latencyMs.p99 < $1.latencyMs.p99 }) else { return nil }
        return TailEndpoint(endpoint: e.name, p50Ms: e.latencyMs.p50, p99Ms: e.latencyMs.p99, requestShare: Double(e.requests) / total)
    }
}

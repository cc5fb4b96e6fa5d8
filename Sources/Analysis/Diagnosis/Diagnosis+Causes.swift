import PlatformModel
import SimulationEngine
import Formatting

extension Diagnosis {
    /// Diagnoses one run: the only place that decides why a run fails or what limits it.
    ///
    /// The causes, most binding first:
    /// 0. data that does not fit the largest volume (nothing else matters until it does);
    /// 1. hard limits whose errors reach ``DiagnosisRules/bindingErrorShare`` of requests, the
    ///    most errors first (each kind of error is its own cause: a false 429 and an intended
    ///    one are different problems);
    /// 2. Postgres at its largest size (its memory, its buffer cache or its volume's IOPS, then
    ///    its CPU), then Redis over `maxmemory`;
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
        let shortfalls = r.capacity.databaseShortfalls
        var causes = shortfalls.filter { $0.resource == .volumeSize }.map { Self.shortfallCause($0, in: r) }
        causes += binding
        causes += shortfalls.filter { $0.resource != .volumeSize }.map { Self.shortfallCause($0, in: r) }
        if let redis = r.components.first(where: { $0.kind == .redis }), let mem = redis.details[.memoryMB],
           let max = redis.details[.maxMemoryMB], mem > max {
            causes.append(Cause(kind: .redisMemoryFull, component: redis.name, componentKind: .redis, utilization: redis.utilization,
                                requestShare: 0, reason: "memory \(Int(saturating: mem)) MB over maxmemory \(Int(saturating: max)) MB: keys evicted"))
        }
        causes += minor
        causes.append(Self.capacityCause(r, headroom: headroom, tail: tail))
        self.init(causes: causes, headroom: headroom, tail: tail, cost: CostModel.monthlyCost(model: model, result: r))
    }

    /// The cause a database shortfall of the capacity plan stands for: the volume (its size or
    /// IOPS, or the buffer cache in front of it that the working set outgrows), the server's
    /// memory or the primary's cores, at the most capacity the scaling rules allow.
    static func shortfallCause(_ s: DatabaseShortfall, in r: RunResult) -> Cause {
        func busiest(_ k: ComponentKind, where f: (ComponentMetrics) -> Bool = { _ in true }) -> ComponentMetrics? {
            r.components.filter { $0.kind == k && f($0) }.max { $0.maxUtilization < $1.maxUtilization }
        }
        switch s.resource {
        case .volumeSize, .storageIOPS, .replicaIOPS, .workingSet:
            let replicas = s.resource == .replicaIOPS
            let volume = busiest(.storageVolume) { ($0.name == "replica-volumes") == replicas }
            let kind: CauseKind = switch s.resource {
            case .volumeSize: .volumeFull
            case .workingSet: .databaseMemory
            default: .storageIOPSLimit
            }
            return Cause(kind: kind, component: volume?.name ?? "postgres volume", componentKind: .storageVolume,
                         utilization: volume?.maxUtilization ?? 0, requestShare: 0, reason: s.text)
        case .memory:
            let pg = busiest(.postgresPrimary)
            return Cause(kind: .databaseMemory, component: pg?.name ?? "postgres-primary", componentKind: .postgresPrimary,
                         utilization: pg?.maxUtilization ?? 0, requestShare: 0, reason: s.text)
        case .replicaMemory:
            let pg = busiest(.postgresReplica)
            return Cause(kind: .databaseMemory, component: pg?.name ?? "postgres-replicas", componentKind: .postgresReplica,
                         utilization: pg?.maxUtilization ?? 0, requestShare: 0, reason: s.text)
        case .cpu:
            let pg = busiest(.postgresPrimary)
            return Cause(kind: .largestDatabaseSize, component: pg?.name ?? "postgres-primary", componentKind: .postgresPrimary,
                         utilization: pg?.maxUtilization ?? 0, requestShare: 0, reason: s.text)
        }
    }

    /// The volume running at or past saturation, when one does: the waits behind it (pools,
    /// PgBouncer, timeouts) are storage's.
    static func saturatedVolume(_ r: RunResult) -> ComponentMetrics? {
        r.components.filter { $0.kind == .storageVolume && $0.maxUtilization >= DiagnosisRules.saturation }
            .max { $0.maxUtilization < $1.maxUtilization }
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
            if let v = saturatedVolume(r) {
                return cause(v, fallback: v.name, .storageVolume, utilization: v.maxUtilization,
                             "pool exhausted behind the volume: \(shown) failed with P2024 while \(v.name) ran at \(Format.share(v.maxUtilization)) \(capacityPhrase(v))")
            }
            let pool = first(.connectionPool)
            return cause(pool, fallback: "prisma-pool", .connectionPool, utilization: pool?.maxUtilization,
                         "pool exhausted: \(shown) failed with P2024 after pool_timeout")
        case .pgbouncerWaitTimeout:
            if let v = saturatedVolume(r) {
                return cause(v, fallback: v.name, .storageVolume, utilization: v.maxUtilization,
                             "server pool exhausted behind the volume: \(shown) hit query_wait_timeout while \(v.name) ran at \(Format.share(v.maxUtilization)) \(capacityPhrase(v))")
            }
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
            if let v = saturatedVolume(r), (api?.maxUtilization ?? 0) < DiagnosisRules.saturation {
                // The event loops have room: requests pile up waiting for the database behind a saturated volume.
                return cause(v, fallback: v.name, .storageVolume, utilization: v.maxUtilization,
                             "processes at max in-flight behind the volume: \(shown) answered 503 while \(v.name) ran at \(Format.share(v.maxUtilization)) \(capacityPhrase(v))")
            }
            if let pool = first(.connectionPool), pool.maxUtilization >= DiagnosisRules.saturation,
               (api?.maxUtilization ?? 0) < DiagnosisRules.saturation {
                // The event loops have room: requests pile up waiting for a database connection.
                return cause(pool, fallback: "prisma-pool", .connectionPool, utilization: pool.maxUtilization,
                             "processes at max in-flight behind the connection pool: \(shown) answered 503 while the busiest pool had all \(Int(pool.details[.connectionLimit] ?? 0)) connections in use \(Format.share(pool.maxUtilization)) of the time")
            }
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
            let since = h.saturatesAt < r.users ? " (since about \(Format.roundedUsers(h.saturatesAt)) users)" : ""
            let text = now ? "saturated now\(since)" : "saturates first, at about \(Format.roundedUsers(h.saturatesAt)) users"
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
        case .storageVolume: "of the volume's \(Format.number(c.details[.iopsLimit] ?? 0)) IOPS (buffer cache hits \(Format.share(c.details[.bufferCacheHitRatio] ?? 0)) of page reads)"
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

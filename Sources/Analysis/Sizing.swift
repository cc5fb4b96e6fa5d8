import PlatformModel
import SimulationEngine

/// A service-level objective on a run: p99 latency and error rate at most these.
public struct ServiceLevelObjective: Sendable, Equatable, Codable {
    public var p99Ms: Double
    public var errorRate: Double
    public init(p99Ms: Double, errorRate: Double) { self.p99Ms = p99Ms; self.errorRate = errorRate }

    /// Parses `p99<=300ms,errors<=0.1%` (terms in any order; `s` or `ms`; `%` or a fraction).
    public init(parsing text: String) throws {
        var p99: Double?, errors: Double?
        for raw in text.split(separator: ",") {
            let term = raw.filter { $0 != " " }
            let parts = term.split(separator: "<", maxSplits: 1)
            guard parts.count == 2, parts[1].hasPrefix("=") else { throw SizingError("'\(raw)' is not a term like p99<=300ms or errors<=0.1%") }
            let name = parts[0].lowercased()
            var value = String(parts[1].dropFirst())
            var scale = 1.0
            if name == "p99" {
                if value.hasSuffix("ms") { value.removeLast(2) } else if value.hasSuffix("s") { value.removeLast(); scale = 1000 }
                guard let v = Double(value), v > 0 else { throw SizingError("p99 bound '\(parts[1].dropFirst())' must be a positive time such as 300ms") }
                p99 = v * scale
            } else if name == "errors" || name == "errorrate" {
                if value.hasSuffix("%") { value.removeLast(); scale = 0.01 }
                guard let v = Double(value), v >= 0, v * scale <= 1 else { throw SizingError("errors bound '\(parts[1].dropFirst())' must be a share such as 0.1%") }
                errors = v * scale
            } else {
                throw SizingError("unknown SLO term '\(parts[0])' (use p99 and errors)")
            }
        }
        guard let p99, let errors else { throw SizingError("the SLO needs both terms, such as p99<=300ms,errors<=0.1%") }
        self.init(p99Ms: p99, errorRate: errors)
    }

    /// p99 and error rate within bounds, and background work keeping up: the workers under
    /// saturation and jobs lost (dead-lettered) within the error budget, so capacity is not
    /// "saved" by dropping email or AI jobs the API accepted.
    public func isMet(by r: RunResult) -> Bool {
        guard r.latencyMs.p99 <= p99Ms && r.errorRate <= errorRate else { return false }
        if let w = r.components.first(where: { $0.kind == "workers" }), w.utilization > BottleneckAnalysis.saturation { return false }
        let enqueued = r.jobs.reduce(0) { $0 + $1.enqueued }, lost = r.jobs.reduce(0) { $0 + $1.deadLettered }
        return enqueued == 0 || Double(lost) / Double(enqueued) <= errorRate
    }
    public var description: String { "p99 <= \(p99Ms) ms, errors <= \(errorRate * 100)%" }

    /// What misses the objective, or nil when it is met.
    public func shortfall(_ r: RunResult) -> String? {
        var misses: [String] = []
        if r.latencyMs.p99 > p99Ms { misses.append("p99 \(Int(saturating: r.latencyMs.p99.rounded())) ms") }
        if r.errorRate > errorRate { misses.append("errors \((r.errorRate * 10_000).rounded() / 100)%") }
        if let w = r.components.first(where: { $0.kind == "workers" }), w.utilization > BottleneckAnalysis.saturation {
            misses.append("workers \(Int((w.utilization * 100).rounded()))% busy")
        }
        let enqueued = r.jobs.reduce(0) { $0 + $1.enqueued }, lost = r.jobs.reduce(0) { $0 + $1.deadLettered }
        if enqueued > 0 && Double(lost) / Double(enqueued) > errorRate { misses.append("\(lost) of \(enqueued) jobs lost") }
        return misses.isEmpty ? nil : misses.joined(separator: ", ")
    }
}

public struct SizingError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The capacity the sizing search varies: everything the configuration's scaling rules would
/// otherwise choose, plus the pools.
public struct SizingCandidate: Sendable, Hashable, Codable {
    public var apiInstances: Int
    public var workerInstances: Int
    public var postgresSizeIndex: Int
    public var replicasPerShard: Int
    public var shards: Int
    public var connectionLimit: Int
    public var pgbouncerPoolSize: Int

    /// The model with this capacity pinned (scaling rules fixed to it).
    public func apply(to model: PlatformModel) -> (PlatformModel, CapacityPlan) {
        var m = model
        m.database.pool.connectionLimit = connectionLimit
        m.database.pgbouncer.defaultPoolSize = pgbouncerPoolSize
        m.database.shards = shards
        let size = model.database.postgres.ladder[postgresSizeIndex]
        m.database.postgres.ladder = [size]
        func pinned(_ rule: ScalingRule, _ n: Int) -> ScalingRule {
            if case .horizontal(let t, _, _) = rule { return .horizontal(targetUtilization: t, min: n, max: n) }
            return .fixed(n)
        }
        m.api.scaling = pinned(model.api.scaling, apiInstances)
        m.workers.scaling = pinned(model.workers.scaling, Swift.max(1, workerInstances))
        m.database.replicas.scaling = pinned(model.database.replicas.scaling, Swift.max(1, replicasPerShard))
        return (m, m.capacityPlan(replicas: replicasPerShard, workers: workerInstances, api: apiInstances, postgresIndex: 0, original: model))
    }

    public func describe(_ model: PlatformModel) -> String {
        var parts = ["\(apiInstances) API instance\(apiInstances == 1 ? "" : "s")", "Postgres \(model.database.postgres.ladder[postgresSizeIndex].name)"]
        if shards > 1 { parts.append("\(shards) shards") }
        if model.database.replicas.enabled { parts.append("\(replicasPerShard) replica\(replicasPerShard == 1 ? "" : "s")") }
        if workerInstances > 0 { parts.append("\(workerInstances) worker\(workerInstances == 1 ? "" : "s")") }
        parts.append("pool \(connectionLimit)")
        if model.database.pgbouncer.enabled { parts.append("PgBouncer pool \(pgbouncerPoolSize)") }
        return parts.joined(separator: ", ")
    }
}

extension PlatformModel {
    /// A capacity plan with the given counts (the sizing search's candidates).
    func capacityPlan(replicas: Int, workers: Int, api: Int, postgresIndex: Int, original: PlatformModel) -> CapacityPlan {
        var plan = CapacityPlan(model: self, load: OfferedLoad(model: self, window: (0, 3600)))
        plan.apiInstances = api
        plan.apiProcesses = api * self.api.processesPerInstance
        plan.workerInstances = workers
        plan.workerProcesses = workers * self.workers.processesPerInstance
        plan.replicasPerShard = database.replicas.enabled ? replicas : 0
        plan.shards = Swift.max(1, database.shards)
        let size = database.postgres.ladder[postgresIndex]
        plan.postgresSizeIndex = postgresIndex
        plan.postgresSize = size.name
        plan.postgresVCPU = size.vcpu
        plan.postgresMemoryGB = size.memoryGB
        plan.limits = []
        return plan
    }
}

/// Finds the cheapest capacity that meets an SLO: analytic lower bounds first, then
/// simulations that add capacity where the run shows the bottleneck, then simulations that take
/// away what is not needed. Each step is logged.
public enum Sizing {
    public struct Trial: Sendable, Codable, Equatable {
        public var candidate: SizingCandidate
        public var p99Ms: Double
        public var errorRate: Double
        public var monthlyUSD: Double
        public var meets: Bool
        public var bottleneck: String
        public var note: String
    }

    public struct Outcome: Sendable {
        public var chosen: SizingCandidate?
        public var result: RunResult?
        public var trials: [Trial]
        /// Why no capacity meets the SLO, when none does.
        public var impossible: String?
    }

    /// The scaling rules' own estimate, at the SLO's utilization ceiling rather than the target.
    public static func lowerBound(model: PlatformModel, settings: RunSettings) -> SizingCandidate {
        let (load, plan) = PlatformRun.plan(model: model, settings: settings)
        let ceiling = 0.85
        let api = Swift.max(1, Int(saturating: (load.apiCPU / (ceiling * Double(model.api.processesPerInstance))).rounded(.up)))
        let shards = Swift.max(1, model.database.shards)
        let perShard = load.primaryCPU / Double(shards)
        let ladder = model.database.postgres.ladder
        let pg = ladder.firstIndex { $0.vcpu * ceiling >= perShard } ?? (ladder.count - 1)
        let replicas = model.database.replicas.enabled
            ? Swift.max(1, Int(saturating: (load.replicaCPU / (Double(shards) * ladder[pg].vcpu * ceiling)).rounded(.up))) : 0
        let slots = Double(model.workers.processesPerInstance * model.workers.concurrency)
        let workers = plan.workerInstances > 0 ? Swift.max(1, Int(saturating: (load.workerSlotSeconds / (slots * ceiling)).rounded(.up))) : 0
        return SizingCandidate(apiInstances: api, workerInstances: workers, postgresSizeIndex: pg, replicasPerShard: replicas,
                               shards: shards, connectionLimit: model.database.pool.effectiveLimit,
                               pgbouncerPoolSize: model.database.pgbouncer.defaultPoolSize)
    }

    public static func search(model: PlatformModel, slo: ServiceLevelObjective, settings: RunSettings, maxTrials: Int = 24,
                              log: (String) -> Void) -> Outcome {
        var trials: [Trial] = []
        var cache: [SizingCandidate: (RunResult, Trial)] = [:]
        func evaluate(_ c: SizingCandidate, _ note: String) -> (RunResult, Trial) {
            if let hit = cache[c] { return hit }
            let (m, plan) = c.apply(to: model)
            var r = PlatformRun.run(model: m, settings: settings, plan: plan)
            BottleneckAnalysis.analyse(&r, model: m)
            let t = Trial(candidate: c, p99Ms: r.latencyMs.p99, errorRate: r.errorRate, monthlyUSD: r.cost?.monthlyUSD ?? 0,
                          meets: slo.isMet(by: r), bottleneck: r.bottleneck?.component ?? "none", note: note)
            trials.append(t)
            cache[c] = (r, t)
            log("try \(trials.count): \(c.describe(model)) -> p99 \(round1(t.p99Ms)) ms, errors \(round2(t.errorRate * 100))%, "
                + "$\(Int(saturating: t.monthlyUSD.rounded()))/month: \(t.meets ? "meets the SLO" : "fails on \(slo.shortfall(r) ?? "?") (bottleneck \(r.bottleneck?.component ?? "?"))") [\(note)]")
            return (r, t)
        }

        var current = lowerBound(model: model, settings: settings)
        log("analytic lower bound (every station at most 85% busy): \(current.describe(model))")
        var (result, trial) = evaluate(current, "analytic lower bound")
        // Grow until the SLO is met.
        while !trial.meets {
            guard trials.count < maxTrials else {
                return Outcome(chosen: nil, result: nil, trials: trials, impossible: "no capacity met the SLO within \(maxTrials) trials")
            }
            switch grow(current, after: result, model: model, slo: slo) {
            case .next(let c, let why):
                current = c
                (result, trial) = evaluate(current, why)
            case .impossible(let why):
                log("impossible: \(why)")
                return Outcome(chosen: nil, result: result, trials: trials, impossible: why)
            }
        }
        // Shrink while it still holds: take a step off each dimension, the most expensive first.
        var improved = true
        while improved && trials.count < maxTrials {
            improved = false
            for smaller in shrinkSteps(current, model: model) {
                guard trials.count < maxTrials else { break }
                let (r, t) = evaluate(smaller.candidate, smaller.why)
                if t.meets && t.monthlyUSD <= trial.monthlyUSD {
                    current = smaller.candidate
                    result = r
                    trial = t
                    improved = true
                    break
                }
            }
        }
        return Outcome(chosen: current, result: result, trials: trials, impossible: nil)
    }

    enum Step { case next(SizingCandidate, String), impossible(String) }

    /// What to add after a failing run, from what the run shows.
    static func grow(_ c: SizingCandidate, after r: RunResult, model: PlatformModel, slo: ServiceLevelObjective) -> Step {
        var n = c
        let e = r.errors
        let requests = Double(Swift.max(1, r.requests))
        func component(_ kind: String) -> ComponentMetrics? { r.components.first { $0.kind == kind } }
        let ladder = model.database.postgres.ladder
        // Errors capacity cannot remove.
        if Double(e.rateLimited + e.rateLimitedFalse) / requests > slo.errorRate {
            return .impossible("rate limiting alone rejects \(pct(Double(e.rateLimited + e.rateLimitedFalse) / requests)) of requests (\(pct(Double(e.rateLimitedFalse) / requests)) false 429s): more capacity does not change a limit per IP or user")
        }
        if Double(e.upstream) / requests > slo.errorRate,
           let s = r.components.filter({ $0.kind == "externalService" }).max(by: { $0.limitHits < $1.limitHits }) {
            return .impossible("\(s.name) fails \(pct(Double(e.upstream) / requests)) of requests (its rate limit and failure rate are the provider's)")
        }
        if let slow = BottleneckAnalysis.tailEndpoint(for: r), slow.latencyMs.p50 > slo.p99Ms {
            return .impossible("\(slow.name) alone takes \(Int(saturating: slow.latencyMs.p50.rounded())) ms at its median (\(pct(Double(slow.requests) / requests)) of requests): a call inside the request that capacity cannot speed up")
        }
        // Hard limits.
        if e.connectionRefused > 0 {
            if model.database.pgbouncer.enabled {
                return .impossible("PgBouncer's max_client_conn (\(model.database.pgbouncer.maxClientConnections)) refuses connections: raise it in the model")
            }
            let processes = (c.apiInstances * model.api.processesPerInstance + c.workerInstances * model.workers.processesPerInstance)
            let fit = Swift.max(1, model.database.postgres.maxConnections / Swift.max(1, processes))
            if fit < c.connectionLimit { n.connectionLimit = fit; return .next(n, "max_connections refused: pool \(fit) per process so all fit") }
            return .impossible("\(processes) processes need more connections than max_connections (\(model.database.postgres.maxConnections)) even at a pool of 1: PgBouncer is the fix")
        }
        if e.pgbouncerWaitTimeout > 0 {
            n.pgbouncerPoolSize = Int((Double(c.pgbouncerPoolSize) * 1.5).rounded(.up))
            return .next(n, "PgBouncer wait timeouts: bigger server pool")
        }
        if e.poolTimeout > 0, let pool = component("connectionPool"), pool.maxUtilization > 0.5 {
            let cap = model.database.pgbouncer.enabled ? c.connectionLimit * 2
                : Swift.max(1, model.database.postgres.maxConnections / Swift.max(1, c.apiInstances * model.api.processesPerInstance + c.workerInstances))
            if cap > c.connectionLimit { n.connectionLimit = Swift.min(cap, c.connectionLimit * 2); return .next(n, "P2024 pool timeouts: bigger pool") }
        }
        // The busiest component that can grow.
        var options: [(util: Double, apply: () -> (SizingCandidate, String)?)] = []
        if let api = component("apiProcess") {
            options.append((Swift.max(api.utilization, api.maxUtilization), {
                var m = c; m.apiInstances = Swift.max(c.apiInstances + 1, Int((Double(c.apiInstances) * 1.25).rounded(.up)))
                return (m, "API event loops \(pct(api.utilization)) busy: more instances")
            }))
        }
        if let pg = component("postgresPrimary") {
            options.append((pg.utilization, {
                var m = c
                if c.postgresSizeIndex + 1 < ladder.count { m.postgresSizeIndex += 1; return (m, "Postgres \(pct(pg.utilization)) busy: next size up") }
                if model.database.shards > 1 { m.shards += 1; return (m, "Postgres at its largest size: one more shard") }
                return nil
            }))
        }
        if let rep = component("postgresReplica") {
            options.append((rep.utilization, { var m = c; m.replicasPerShard += 1; return (m, "replicas \(pct(rep.utilization)) busy: one more") }))
        }
        if let w = component("workers") {
            let lost = r.jobs.reduce(0) { $0 + $1.deadLettered }
            options.append((lost > 0 ? 1 : w.utilization, {
                var m = c; m.workerInstances = Swift.max(c.workerInstances + 1, Int((Double(c.workerInstances) * 1.25).rounded(.up)))
                return (m, "worker slots \(pct(w.utilization)) busy: more workers")
            }))
        }
        for option in options.sorted(by: { $0.util > $1.util }) where option.util > 0.5 {
            if let (m, why) = option.apply() { return .next(m, why) }
        }
        if let pg = component("postgresPrimary"), pg.utilization > 0.5 {
            return .impossible("Postgres at its largest size (\(ladder.last!.name)) is \(pct(pg.utilization)) busy and the configuration does not shard")
        }
        // Nothing is busy, yet the SLO fails: latency comes from waits capacity does not shorten.
        return .impossible("no component is more than half busy, yet p99 is \(Int(saturating: r.latencyMs.p99.rounded())) ms: the latency is in the path itself (calls and queries in series), not in queueing")
    }

    static func shrinkSteps(_ c: SizingCandidate, model: PlatformModel) -> [(candidate: SizingCandidate, why: String)] {
        var steps: [(SizingCandidate, String)] = []
        if c.postgresSizeIndex > 0 { var m = c; m.postgresSizeIndex -= 1; steps.append((m, "one Postgres size down")) }
        if c.replicasPerShard > 1 { var m = c; m.replicasPerShard -= 1; steps.append((m, "one replica fewer")) }
        if c.apiInstances > 1 { var m = c; m.apiInstances -= 1; steps.append((m, "one API instance fewer")) }
        if c.workerInstances > 1 { var m = c; m.workerInstances -= 1; steps.append((m, "one worker fewer")) }
        return steps
    }

    static func pct(_ x: Double) -> String { "\(round2(x * 100))%" }
    static func round1(_ x: Double) -> String { String((x * 10).rounded() / 10) }
    static func round2(_ x: Double) -> String { String((x * 100).rounded() / 100) }

    /// The overlay that pins a candidate's capacity, for `run --overlay FILE`.
    public static func overlay(_ c: SizingCandidate, model: PlatformModel, command: String) -> String {
        let size = model.database.postgres.ladder[c.postgresSizeIndex]
        func number(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
        var lines = [
            "# Capacity chosen by `\(command)`.",
            "# Apply it with `platform-sim run ... --overlay THIS_FILE` (same window and seed) to get the same result.",
            "api:", "  scaling:", "    min: \(c.apiInstances)", "    max: \(c.apiInstances)",
            "database:", "  pool:", "    connectionLimit: \(c.connectionLimit)",
            "  pgbouncer:", "    defaultPoolSize: \(c.pgbouncerPoolSize)",
            "  postgres:", "    ladder:", "      - {name: \(size.name), vcpu: \(number(size.vcpu)), memoryGB: \(number(size.memoryGB))}",
        ]
        if model.database.replicas.enabled {
            lines += ["  replicas:", "    scaling:", "      min: \(c.replicasPerShard)", "      max: \(c.replicasPerShard)"]
        }
        lines.append("  shards: \(c.shards)")
        if c.workerInstances > 0 {
            lines += ["workers:", "  scaling:", "    min: \(c.workerInstances)", "    max: \(c.workerInstances)"]
        }
        let out = lines.joined(separator: "\n") + "\n"
        return out
    }
}

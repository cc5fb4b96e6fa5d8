import PlatformModel
import SimulationEngine
import Formatting

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
        m.database.sharding = .fixed(shards)
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
        plan.shards = Swift.max(1, database.sharding.fixedCount ?? 1)
        let size = database.postgres.ladder[postgresIndex]
        plan.postgresSizeIndex = postgresIndex
        plan.postgresSize = size.name
        plan.postgresVCPU = size.vcpu
        plan.postgresMemoryGB = size.memoryGB
        // Pinned to one size, "largest size" shortfalls are the candidate's, not the ladder's; a
        // volume too small for the data is real whatever the size.
        plan.databaseShortfalls = plan.databaseShortfalls.filter { $0.resource == .volumeSize }
        plan.limits = plan.databaseShortfalls.map(\.text)
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
        /// The chosen candidate's run (or, when none meets the SLO, the last run tried).
        public var run: DiagnosedRun?
        public var trials: [Trial]
        /// Why no capacity meets the SLO, when none does.
        public var impossible: String?
    }

    /// The scaling rules' own estimate, at the SLO's utilization ceiling rather than the target.
    public static func lowerBound(model: PlatformModel, settings: RunSettings) -> SizingCandidate {
        let (load, plan) = PlatformRun.plan(model: model, settings: settings)
        let ceiling = DiagnosisRules.saturation
        var api = Swift.max(1, Int(saturating: (load.apiCPU / (ceiling * Double(model.api.processesPerInstance))).rounded(.up)))
        let shards = plan.shards
        let ladder = model.database.postgres.ladder
        // The smallest size whose CPU, memory and volume's IOPS hold at the ceiling (the
        // database's own rules on the whole ladder, at the plan's shard count).
        var atCeiling = model
        atCeiling.database.storage.targetUtilization = Swift.max(atCeiling.database.storage.targetUtilization, ceiling)
        atCeiling.database.postgres.scaling = .vertical(targetUtilization: ceiling)
        atCeiling.database.sharding = .fixed(shards)
        let database = DatabaseSizing(model: atCeiling, load: load, processes: plan.apiProcesses + plan.workerProcesses,
                                      pgbouncerProcesses: plan.pgbouncerProcesses)
        let pg = database.sizeIndex
        // Replicas for their CPU at the ceiling, and at least as many as their volumes' IOPS need.
        let replicas = model.database.replicas.enabled
            ? Swift.max(1, database.replicasPerShard, Int(saturating: (load.replicaCPU / (Double(shards) * ladder[pg].vcpu * ceiling)).rounded(.up))) : 0
        // The API's pools at the ceiling too: each process's connections held for the
        // transaction's statements and its reads at that size (CapacityPlan's rule).
        if load.apiTransactions > 0 {
            let hold = CapacityPlan.connectionHoldTime(model: model, load: load, sizeIndex: pg, shards: shards, replicasPerShard: plan.replicasPerShard,
                                                       volume: plan.volume, processes: plan.apiProcesses + plan.workerProcesses,
                                                       pgbouncerProcesses: plan.pgbouncerProcesses)
            let perProcess = Double(model.database.pool.effectiveLimit * shards) * ceiling
            let processes = load.apiTransactions * hold / perProcess
            api = Swift.max(api, Int(saturating: (processes / Double(model.api.processesPerInstance)).rounded(.up)))
        }
        let slots = Double(model.workers.processesPerInstance * model.workers.concurrency)
        let workers = plan.workerInstances > 0 ? Swift.max(1, Int(saturating: (load.workerSlotSeconds / (slots * ceiling)).rounded(.up))) : 0
        return SizingCandidate(apiInstances: api, workerInstances: workers, postgresSizeIndex: pg, replicasPerShard: replicas,
                               shards: shards, connectionLimit: model.database.pool.effectiveLimit,
                               pgbouncerPoolSize: model.database.pgbouncer.defaultPoolSize)
    }

    public static func search(model: PlatformModel, slo: ServiceLevelObjective, settings: RunSettings, maxTrials: Int = 24,
                              log: (String) -> Void) -> Outcome {
        var trials: [Trial] = []
        var cache: [SizingCandidate: (DiagnosedRun, Trial)] = [:]
        func evaluate(_ c: SizingCandidate, _ note: String) -> (DiagnosedRun, Trial) {
            if let hit = cache[c] { return hit }
            let (m, plan) = c.apply(to: model)
            let r = DiagnosedRun.run(model: m, settings: settings, plan: plan)
            let verdict = slo.verdict(r.result)
            let t = Trial(candidate: c, p99Ms: r.result.latencyMs.p99, errorRate: verdict.countedErrorRate, monthlyUSD: r.diagnosis.cost.monthlyUSD,
                          meets: verdict.meets, bottleneck: r.diagnosis.bottleneck.component, note: note)
            trials.append(t)
            cache[c] = (r, t)
            log("try \(trials.count): \(c.describe(model)) -> p99 \(round1(t.p99Ms)) ms, errors \(round2(t.errorRate * 100))%, "
                + "$\(Int(saturating: t.monthlyUSD.rounded()))/month: \(t.meets ? "meets the SLO" : "fails on \(verdict.shortfall ?? "?") (bottleneck \(t.bottleneck))") [\(note)]")
            return (r, t)
        }

        var current = lowerBound(model: model, settings: settings)
        log("analytic lower bound (every station at most 85% busy): \(current.describe(model))")
        var (result, trial) = evaluate(current, "analytic lower bound")
        // Grow until the SLO is met.
        while !trial.meets {
            guard trials.count < maxTrials else {
                return Outcome(chosen: nil, run: nil, trials: trials, impossible: "no capacity met the SLO within \(maxTrials) trials")
            }
            switch grow(current, after: result, model: model, slo: slo) {
            case .next(let c, let why):
                current = c
                (result, trial) = evaluate(current, why)
            case .impossible(let why):
                log("impossible: \(why)")
                return Outcome(chosen: nil, run: result, trials: trials, impossible: why)
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
        return Outcome(chosen: current, run: result, trials: trials, impossible: nil)
    }

    enum Step { case next(SizingCandidate, String), impossible(String) }

    /// What to add after a failing run: the diagnosis' causes in order, each turned into a
    /// step (more of the component behind it) or into the reason no capacity can help.
    static func grow(_ c: SizingCandidate, after run: DiagnosedRun, model: PlatformModel, slo: ServiceLevelObjective) -> Step {
        var n = c
        let r = run.result
        let d = run.diagnosis
        let ladder = model.database.postgres.ladder
        func component(_ kind: ComponentKind) -> ComponentMetrics? { r.components.first { $0.kind == kind } }
        func saturated(_ kinds: Set<ComponentKind>) -> Bool {
            r.components.contains { kinds.contains($0.kind) && $0.maxUtilization >= DiagnosisRules.saturation }
        }
        // Every process holds a pool; the largest pool per process the server side allows: twice
        // this one behind PgBouncer, else max_connections shared by every process's pool.
        let processes = c.apiInstances * model.api.processesPerInstance + c.workerInstances * model.workers.processesPerInstance
        let poolCap = model.database.pgbouncer.enabled ? c.connectionLimit * 2 : model.database.postgres.maxConnections / Swift.max(1, processes)
        // Errors capacity cannot remove: the policy's and the providers'.
        let limited = d.errorCauses.filter { $0.kind.errorKind.map(slo.counts) == true && $0.kind.errorKind!.isRateLimit }
        let limitedShare = limited.reduce(0) { $0 + $1.requestShare }
        if limitedShare > slo.errorRate {
            return .impossible("rate limiting alone rejects \(pct(limitedShare)) of requests counted against the SLO "
                + "(\(limited.map { $0.reason }.joined(separator: "; "))): more capacity does not change a limit per IP or user")
        }
        if let upstream = d.errorCauses.first(where: { $0.kind == .errors(.upstream) }), upstream.requestShare > slo.errorRate {
            return .impossible("\(upstream.component) fails \(pct(upstream.requestShare)) of requests (its rate limit and failure rate are the provider's)")
        }
        // A slow endpoint is a call capacity cannot speed up only when nothing it waits on is
        // saturated (behind a saturated volume or pool, its median is queueing).
        if let slow = d.tail, slow.p50Ms > slo.p99Ms,
           !saturated([.apiProcess, .connectionPool, .postgresPrimary, .postgresReplica, .storageVolume, .workers, .pgbouncer]) {
            return .impossible("\(slow.endpoint) alone takes \(Int(saturating: slow.p50Ms.rounded())) ms at its median (\(pct(slow.requestShare)) of requests): a call inside the request that capacity cannot speed up")
        }
        // Hard limits, in the diagnosis' order.
        for cause in d.errorCauses {
            switch cause.kind.errorKind {
            case .connectionRefused:
                if model.database.pgbouncer.enabled {
                    return .impossible("PgBouncer's max_client_conn (\(model.database.pgbouncer.maxClientConnections)) refuses connections: raise it in the model")
                }
                let fit = Swift.max(1, model.database.postgres.maxConnections / Swift.max(1, processes))
                if fit < c.connectionLimit { n.connectionLimit = fit; return .next(n, "max_connections refused: pool \(fit) per process so all fit") }
                return .impossible("\(processes) processes need more connections than max_connections (\(model.database.postgres.maxConnections)) even at a pool of 1: PgBouncer is the fix")
            case .pgbouncerWaitTimeout:
                n.pgbouncerPoolSize = Int((Double(c.pgbouncerPoolSize) * 1.5).rounded(.up))
                return .next(n, "PgBouncer wait timeouts: bigger server pool")
            case .poolTimeout:
                guard cause.utilization > DiagnosisRules.growableUtilization else { continue }
                // Pools that wait on a saturated volume: a bigger pool only queues more on it.
                if saturated([.storageVolume]) { continue }
                if poolCap > c.connectionLimit { n.connectionLimit = Swift.min(poolCap, c.connectionLimit * 2); return .next(n, "P2024 pool timeouts: bigger pool") }
            default:
                continue
            }
        }
        // The busiest component that can grow.
        var options: [(util: Double, apply: () -> (SizingCandidate, String)?)] = []
        if let api = component(.apiProcess) {
            options.append((Swift.max(api.utilization, api.maxUtilization), {
                var m = c; m.apiInstances = Swift.max(c.apiInstances + 1, Int((Double(c.apiInstances) * 1.25).rounded(.up)))
                return (m, "API event loops \(pct(api.utilization)) busy: more instances")
            }))
        }
        if let pool = component(.connectionPool) {
            // A pool busy all the time holds requests until the in-flight cap answers 503: a
            // bigger pool where the server side allows it (behind PgBouncer, or within
            // max_connections), else more processes, each with its own pool.
            options.append((pool.maxUtilization, {
                var m = c
                if poolCap > c.connectionLimit {
                    m.connectionLimit = Swift.min(poolCap, c.connectionLimit * 2)
                    return (m, "busiest connection pool \(pct(pool.maxUtilization)) busy: bigger pool")
                }
                m.apiInstances = Swift.max(c.apiInstances + 1, Int((Double(c.apiInstances) * 1.25).rounded(.up)))
                return (m, "busiest connection pool \(pct(pool.maxUtilization)) busy: more instances, each with its pool")
            }))
        }
        if let pg = component(.postgresPrimary) {
            options.append((pg.utilization, {
                var m = c
                if c.postgresSizeIndex + 1 < ladder.count { m.postgresSizeIndex += 1; return (m, "Postgres \(pct(pg.utilization)) busy: next size up") }
                if model.database.sharding != .fixed(1) { m.shards += 1; return (m, "Postgres at its largest size: one more shard") }
                return nil
            }))
        }
        for volume in r.components where volume.kind == .storageVolume {
            // More RAM caches more of the reads; past the largest size, another shard splits
            // them. The replicas' volumes: one more replica splits the reads too.
            let replicaSide = volume.name.hasPrefix("replica")
            options.append((volume.maxUtilization, {
                var m = c
                if replicaSide && c.replicasPerShard > 0 {
                    m.replicasPerShard = Swift.max(c.replicasPerShard + 1, Int((Double(c.replicasPerShard) * 1.25).rounded(.up)))
                    return (m, "replica volumes \(pct(volume.maxUtilization)) of their IOPS busy: more replicas")
                }
                if c.postgresSizeIndex + 1 < ladder.count { m.postgresSizeIndex += 1; return (m, "volume \(pct(volume.maxUtilization)) of its IOPS busy: next Postgres size up (more buffer cache)") }
                if model.database.sharding != .fixed(1) { m.shards += 1; return (m, "volume at its IOPS with the largest size: one more shard") }
                return nil
            }))
        }
        if let rep = component(.postgresReplica) {
            options.append((rep.utilization, { var m = c; m.replicasPerShard += 1; return (m, "replicas \(pct(rep.utilization)) busy: one more") }))
        }
        if let w = component(.workers) {
            let lost = r.jobs.reduce(0) { $0 + $1.deadLettered }
            options.append((lost > 0 ? 1 : w.utilization, {
                var m = c; m.workerInstances = Swift.max(c.workerInstances + 1, Int((Double(c.workerInstances) * 1.25).rounded(.up)))
                return (m, "worker slots \(pct(w.utilization)) busy: more workers")
            }))
        }
        for option in options.sorted(by: { $0.util > $1.util }) where option.util > DiagnosisRules.growableUtilization {
            if let (m, why) = option.apply() { return .next(m, why) }
        }
        if let pg = component(.postgresPrimary), pg.utilization > DiagnosisRules.growableUtilization {
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

    static func pct(_ x: Double) -> String { Format.percent(x, 2) }
    static func round1(_ x: Double) -> String { Format.fixed(x, 1) }
    static func round2(_ x: Double) -> String { Format.fixed(x, 2) }

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
        lines += ["  sharding:", "    rule: fixed", "    count: \(c.shards)"]
        if c.workerInstances > 0 {
            lines += ["workers:", "  scaling:", "    min: \(c.workerInstances)", "    max: \(c.workerInstances)"]
        }
        let out = lines.joined(separator: "\n") + "\n"
        return out
    }
}

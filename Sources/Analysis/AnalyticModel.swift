import PlatformModel
import SimulationEngine

/// Each station's figures from queueing formulas, with the arrival rates the model implies
/// (``OfferedLoad``): an answer in milliseconds, for a first look and for checking the
/// simulation. Stations are treated as independent with Poisson arrivals:
///
/// - API event loop, Redis thread, PgBouncer thread: M/G/1 (Pollaczek-Khinchine) with the mean
///   service time of their jobs and a squared coefficient of variation of 1 (a mixture of
///   request types, close to exponential);
/// - app pools, PgBouncer server pools, Postgres cores and worker slots: M/M/c (Erlang C);
///   Postgres uses the plain core count, so contention past the best concurrency is not in it;
/// - external services: M/G/infinity (calls in flight = rate x latency) against their rate limit.
public struct AnalyticStation: Sendable, Equatable, Codable {
    public var name: String
    public var kind: String
    /// Servers per member (cores, connections, slots; 1 for a single thread).
    public var servers: Int
    /// Members of the group (processes, pools).
    public var count: Int
    /// Arrivals per second to each member.
    public var arrivalRate: Double
    public var meanServiceMs: Double
    public var utilization: Double
    public var meanWaitMs: Double
    /// Waiting, summed over the group (as the simulation reports it).
    public var meanQueue: Double
    public var meanInSystem: Double
}

public enum AnalyticModel {
    /// The stations of a configuration sized by `plan` under `load`.
    public static func stations(model: PlatformModel, plan: CapacityPlan, load: OfferedLoad) -> [AnalyticStation] {
        var out: [AnalyticStation] = []
        func mg1(_ name: String, _ kind: String, count: Int, lambda: Double, service s: Double, scv: Double = 1) {
            let rho = lambda * s
            let wq = QueueingFormulas.pollaczekKhinchineMeanWait(arrivalRate: lambda, meanService: s, scv: scv)
            out.append(AnalyticStation(name: name, kind: kind, servers: 1, count: count, arrivalRate: lambda, meanServiceMs: s * 1000,
                                       utilization: Swift.min(rho, 1), meanWaitMs: wq * 1000,
                                       meanQueue: Double(count) * lambda * wq, meanInSystem: Double(count) * lambda * (wq + s)))
        }
        func mmc(_ name: String, _ kind: String, count: Int, servers c: Int, lambda: Double, service s: Double) {
            guard s > 0, c > 0 else { return }
            let wq = QueueingFormulas.mmcMeanWait(arrivalRate: lambda, serviceRate: 1 / s, servers: c)
            out.append(AnalyticStation(name: name, kind: kind, servers: c, count: count, arrivalRate: lambda, meanServiceMs: s * 1000,
                                       utilization: Swift.min(lambda * s / Double(c), 1), meanWaitMs: wq * 1000,
                                       meanQueue: Double(count) * lambda * wq, meanInSystem: Double(count) * lambda * (wq + s)))
        }

        let processes = Swift.max(1, plan.apiProcesses)
        if load.apiSegments > 0 {
            mg1("api", "apiProcess", count: processes, lambda: load.apiSegments / Double(processes), service: load.apiCPU / load.apiSegments)
        }
        if load.redisRoundTrips > 0 {
            // Each command is a call of its own: its time inside plus the call's read and reply.
            let perTrip = load.redisCommands / load.redisRoundTrips * (model.redis.commandTime.mean + model.redis.callCPU.mean)
            mg1("redis", "redis", count: 1, lambda: load.redisRoundTrips, service: perTrip)
        }
        let db = model.database
        let shards = Double(plan.shards)
        let pools = (plan.apiProcesses + plan.workerProcesses) * plan.shards
        let clients = plan.apiProcesses + plan.workerProcesses
        let size = db.postgres.ladder[plan.postgresSizeIndex]
        func storage(_ role: StorageDemand.Role) -> StorageDemand {
            StorageDemand(model: model, load: load, size: size, processes: clients, pgbouncerProcesses: plan.pgbouncerProcesses,
                          shards: plan.shards, replicasPerShard: plan.replicasPerShard, role: role, volume: plan.volume)
        }
        let primaryStorage = storage(.primary)
        // A transaction's I/O time on an idle volume, on average, joins its connection hold time.
        let hold = CapacityPlan.connectionHoldTime(model: model, load: load, sizeIndex: plan.postgresSizeIndex, shards: plan.shards,
                                                   replicasPerShard: plan.replicasPerShard, volume: plan.volume,
                                                   processes: clients, pgbouncerProcesses: plan.pgbouncerProcesses)
        if load.transactions > 0 && pools > 0 {
            mmc("prisma-pool", "connectionPool", count: pools, servers: db.pool.effectiveLimit,
                lambda: load.transactions / Double(pools), service: hold)
        }
        if plan.pgbouncerProcesses > 0 && load.primaryTransactions > 0 {
            let n = plan.pgbouncerProcesses * plan.shards
            let perProcess = load.primaryTransactions / Double(n)
            mg1("pgbouncer", "pgbouncer", count: n, lambda: perProcess, service: db.pgbouncer.cpuPerStatement.mean)
        }
        if load.primaryTransactions > 0 {
            let lambda = load.primaryTransactions / shards
            mmc(plan.shards > 1 ? "postgres-shard0" : "postgres-primary", "postgresPrimary", count: 1,
                servers: Swift.max(1, Int(plan.postgresVCPU.rounded(.up))), lambda: lambda, service: load.primaryCPU / load.primaryTransactions)
        }
        if plan.replicasPerShard > 0 && load.replicaTransactions > 0 {
            let n = plan.replicasPerShard * plan.shards
            mmc("postgres-replicas", "postgresReplica", count: n, servers: Swift.max(1, Int(plan.postgresVCPU.rounded(.up))),
                lambda: load.replicaTransactions / Double(n), service: load.replicaCPU / load.replicaTransactions)
        }
        // Volumes: each I/O unit as a customer of a c-server queue, c = IOPS left by the
        // background x the unloaded I/O time (processor sharing has M/M/c's mean queue).
        func volume(_ name: String, count: Int, _ d: StorageDemand) {
            let v = plan.volume
            let foreground = v.separateReadWriteIOPS ? d.readIOPS : d.readIOPS + d.walIOPS
            let background = v.separateReadWriteIOPS ? d.backgroundReadIOPS : d.backgroundReadIOPS + d.backgroundWriteIOPS
            guard foreground > 0, v.ioLatency > 0 else { return }
            let paces = StorageVolume.paces(iops: v.iops, background: background, latency: v.ioLatency)
            let c = Swift.max(1, Int(paces.rounded()))
            let wq = QueueingFormulas.mmcMeanWait(arrivalRate: foreground, serviceRate: 1 / v.ioLatency, servers: c)
            // Busy share as the simulation reports it: the side's I/O with its background, over the IOPS limit.
            let busy = Swift.min(1, (foreground + background) / v.iops)
            out.append(AnalyticStation(name: name, kind: "storageVolume", servers: c, count: count, arrivalRate: foreground,
                                       meanServiceMs: v.ioLatency * 1000, utilization: busy, meanWaitMs: wq * 1000,
                                       meanQueue: Double(count) * foreground * wq, meanInSystem: Double(count) * foreground * (wq + v.ioLatency)))
        }
        volume(plan.shards > 1 ? "postgres-shard0-volume" : "postgres-primary-volume", count: 1, primaryStorage)
        if plan.replicasPerShard > 0 { volume("replica-volumes", count: plan.replicasPerShard * plan.shards, storage(.replica)) }
        let jobs = load.jobRate.reduce(0, +)
        if plan.workerProcesses > 0 && jobs > 0 {
            mmc("workers", "workers", count: 1, servers: plan.workerProcesses * model.workers.concurrency, lambda: jobs, service: load.jobSlotTime)
        }
        for s in model.externalServices where load.externalCalls[s.index] > 0 {
            let lambda = load.externalCalls[s.index]
            let latency = s.latency.mean
            out.append(AnalyticStation(name: s.name, kind: "externalService", servers: 0, count: 1, arrivalRate: lambda,
                                       meanServiceMs: latency * 1000, utilization: s.rateLimitPerSecond.map { lambda / $0 } ?? 0,
                                       meanWaitMs: 0, meanQueue: 0, meanInSystem: lambda * latency))
        }
        return out
    }

    /// One row of the comparison: a station's simulated and analytic figures.
    public struct Comparison: Sendable, Equatable, Codable {
        public var name: String
        public var simulatedUtilization: Double
        public var analyticUtilization: Double
        public var simulatedWaitMs: Double
        public var analyticWaitMs: Double
        /// Largest relative difference of utilization and (when not both negligible) wait.
        public var difference: Double
        public var flagged: Bool
        public var likelyReason: String
    }

    /// Waits below this (ms) are too small to compare relatively.
    static let negligibleWaitMs = 0.05

    /// Sets the analytic stations beside the simulation's components and flags those that
    /// differ by more than `threshold` (relative; ignoring differences under 2 points of
    /// utilization or 0.05 ms of wait), with the likely reason.
    public static func compare(_ analytic: [AnalyticStation], with r: RunResult, model: PlatformModel, threshold: Double = 0.10) -> [Comparison] {
        analytic.compactMap { a in
            guard let c = r.components.first(where: { $0.name == a.name }) else { return nil }
            func relative(_ x: Double, _ y: Double) -> Double {
                let m = Swift.max(abs(x), abs(y))
                return m > 0 ? abs(x - y) / m : 0
            }
            // A difference counts when it is over the threshold relatively and not negligible
            // absolutely (2 points of utilization, 0.05 ms of wait): 0.2% against 0.1% is noise.
            let du = relative(c.utilization, a.utilization)
            let dw = relative(c.meanWaitMs, a.meanWaitMs)
            let utilizationDiffers = du > threshold && abs(c.utilization - a.utilization) >= 0.02
            let waitDiffers = dw > threshold && abs(c.meanWaitMs - a.meanWaitMs) >= negligibleWaitMs
            let d = Swift.max(du, Swift.max(c.meanWaitMs, a.meanWaitMs) >= negligibleWaitMs ? dw : 0)
            let flagged = utilizationDiffers || waitDiffers || !a.meanWaitMs.isFinite
            return Comparison(name: a.name, simulatedUtilization: c.utilization, analyticUtilization: a.utilization,
                              simulatedWaitMs: c.meanWaitMs, analyticWaitMs: a.meanWaitMs, difference: d, flagged: flagged,
                              likelyReason: flagged ? reason(a, c, r, model: model) : "")
        }
    }

    static func reason(_ a: AnalyticStation, _ c: ComponentMetrics, _ r: RunResult, model: PlatformModel) -> String {
        var reasons: [String] = []
        if !a.meanWaitMs.isFinite || a.utilization >= 0.999 { reasons.append("unstable in the formula (load at or over capacity): the simulation's timeouts and limits bound it") }
        if c.limitHits > 0 { reasons.append("finite pool or limit: \(c.limitHits) timeouts, refusals or rejections cut the queue") }
        if model.traffic.retries.maxRetries > 0 && r.errorRate > 0 { reasons.append("client retries feed errors back as arrivals") }
        switch a.kind {
        case "apiProcess":
            reasons.append("bursts: a page view fires its calls together, so arrivals are not Poisson")
        case "postgresPrimary", "postgresReplica":
            reasons.append("processor sharing with contention past the best concurrency, and user-dependent query sizes")
        case "storageVolume":
            reasons.append("the formula counts single I/Os; a query's page reads arrive together, and the buffer cache's hits emerge from sessions rather than Che's estimate")
        case "connectionPool":
            reasons.append("holding times include waits for PgBouncer and the database, which the formula leaves out")
        case "workers":
            reasons.append("jobs arrive in bursts with their requests and retries with backoff")
        case "redis":
            reasons.append("cache hit rates differ from the TTL estimate (sessions make a user's requests bursty)")
        default:
            break
        }
        if c.utilization > 0.9 || a.utilization > 0.9 { reasons.append("near saturation: a small rate difference moves waits a lot") }
        return reasons.first ?? "model approximation"
    }
}

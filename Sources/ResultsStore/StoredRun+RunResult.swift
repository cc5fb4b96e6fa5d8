import Analysis
import PlatformModel

/// What made a run, stored with it.
public struct RunProvenance: Sendable, Equatable {
    /// The model and pricing files as the experiment names them, and their SHA-256 (the model's
    /// covers its overlays and the overrides too; see `ModelDocument.sourceHash`).
    public var modelFile: String
    public var modelSHA256: String
    public var pricingFile: String
    public var pricingSHA256: String
    public var overrides: [String]
    public var programVersion: String

    public init(modelFile: String, modelSHA256: String, pricingFile: String, pricingSHA256: String, overrides: [String], programVersion: String) {
        self.modelFile = modelFile; self.modelSHA256 = modelSHA256; self.pricingFile = pricingFile
        self.pricingSHA256 = pricingSHA256; self.overrides = overrides; self.programVersion = programVersion
    }
}

extension StoredRun {
    /// The rows of one finished, diagnosed run. NaN (a figure with nothing to measure) is
    /// stored as 0, since SQLite would turn it into NULL.
    public init(key k: RunKey, run diagnosed: DiagnosedRun, provenance p: RunProvenance) {
        func f(_ x: Double) -> Double { x.isNaN ? 0 : x }
        let r = diagnosed.result
        let d = diagnosed.diagnosis
        let bottleneck = d.bottleneck
        let c = r.capacity
        run = RunRecord(
            experiment: k.experiment, configuration: k.configuration, variant: k.variant, users: k.users, seed: k.seed, replication: k.replication,
            activeUsers: r.activeUsers, modelFile: p.modelFile, modelSHA256: p.modelSHA256, pricingFile: p.pricingFile,
            pricingSHA256: p.pricingSHA256, overrides: TextList.encode(p.overrides), programVersion: p.programVersion,
            windowStartHour: f(r.windowStartHour), warmUpS: f(r.warmUpSeconds), simulatedS: f(r.simulatedSeconds), wallS: f(r.wallSeconds),
            events: r.events, requests: r.requests, throughputPerS: f(r.throughput),
            p50Ms: f(r.latencyMs.p50), p95Ms: f(r.latencyMs.p95), p99Ms: f(r.latencyMs.p99), meanMs: f(r.latencyMs.mean), maxMs: f(r.latencyMs.max),
            errorRate: f(r.errorRate), errors: r.errors.total,
            bottleneckComponent: bottleneck.component, bottleneckReason: bottleneck.reason, bottleneckUtilization: f(bottleneck.utilization),
            bottleneckCause: bottleneck.kind.name, causes: TextList.json(d.causes), tailEndpoint: d.tail.map(TextList.json),
            headroomUsers: d.headroom?.users, headroomComponent: d.headroom?.component,
            costProvider: d.cost.provider, monthlyCostUSD: f(d.cost.monthlyUSD), costPer1kUsersUSD: f(d.cost.perThousandUsersUSD),
            apiInstances: c.apiInstances, apiProcesses: c.apiProcesses, workerInstances: c.workerInstances, postgresSize: c.postgresSize,
            postgresVCPU: f(c.postgresVCPU), replicasPerShard: c.replicasPerShard, shards: c.shards, pgbouncerProcesses: c.pgbouncerProcesses,
            capacityLimits: TextList.encode(c.limits))
        components = r.components.enumerated().map { i, m in
            ComponentMetricRecord(
                experiment: k.experiment, configuration: k.configuration, variant: k.variant, users: k.users, seed: k.seed, replication: k.replication,
                component: m.name, position: i, kind: m.kind.rawValue, count: m.count, utilization: f(m.utilization), maxUtilization: f(m.maxUtilization),
                meanQueue: f(m.meanQueue), meanWaitMs: f(m.meanWaitMs), p99WaitMs: f(m.p99WaitMs), throughputPerS: f(m.throughput),
                meanInSystem: m.meanInSystem.map(f), meanResponseMs: m.meanResponseMs.map(f), limitHits: m.limitHits,
                details: TextList.encode(m.details))
        }
        endpoints = r.endpoints.enumerated().map { i, e in
            EndpointLatencyRecord(
                experiment: k.experiment, configuration: k.configuration, variant: k.variant, users: k.users, seed: k.seed, replication: k.replication,
                endpoint: e.name, position: i, requests: e.requests, errors: e.errors, p50Ms: f(e.latencyMs.p50), p95Ms: f(e.latencyMs.p95),
                p99Ms: f(e.latencyMs.p99), meanMs: f(e.latencyMs.mean), maxMs: f(e.latencyMs.max))
        }
        let requests = Double(Swift.max(1, r.requests))
        errors = r.errors.byKind.enumerated().map { i, kv in
            ErrorCountRecord(
                experiment: k.experiment, configuration: k.configuration, variant: k.variant, users: k.users, seed: k.seed, replication: k.replication,
                kind: kv.kind.name, position: i, description: kv.kind.meaning, count: kv.count,
                shareOfRequests: Double(kv.count) / requests)
        }
        costItems = d.cost.items.enumerated().map { i, item in
            CostItemRecord(
                experiment: k.experiment, configuration: k.configuration, variant: k.variant, users: k.users, seed: k.seed, replication: k.replication,
                item: item.name, position: i, monthlyUSD: f(item.monthlyUSD), basis: item.basis)
        }
        caches = r.cache.enumerated().map { i, c in
            CacheHitRateRecord(
                experiment: k.experiment, configuration: k.configuration, variant: k.variant, users: k.users, seed: k.seed, replication: k.replication,
                cache: c.name, position: i, location: c.location, lookups: c.lookups, hits: c.hits, hitRate: f(c.hitRate),
                predictedHitRate: f(c.predictedHitRate))
        }
        jobs = r.jobs.enumerated().map { i, j in
            JobRecord(
                experiment: k.experiment, configuration: k.configuration, variant: k.variant, users: k.users, seed: k.seed, replication: k.replication,
                job: j.name, position: i, enqueued: j.enqueued, completed: j.completed, failedAttempts: j.failedAttempts,
                deadLettered: j.deadLettered, p50Ms: f(j.latencyMs.p50), p95Ms: f(j.latencyMs.p95), p99Ms: f(j.latencyMs.p99))
        }
        timeSeries = r.timeSeries.map { t in
            TimeSeriesRecord(
                experiment: k.experiment, configuration: k.configuration, variant: k.variant, users: k.users, seed: k.seed, replication: k.replication,
                tS: f(t.t), throughputPerS: f(t.throughput), p99Ms: f(t.p99Ms), errors: t.errors, apiUtilization: f(t.apiUtilization),
                databaseActive: f(t.databaseActive), poolWaiting: t.poolWaiting, jobQueueDepth: t.jobQueueDepth)
        }
        let bucket = r.timeSeries.count > 1 ? r.timeSeries[1].t - r.timeSeries[0].t : 10
        componentSeries = r.bucketSeries.enumerated().map { i, s in
            ComponentSeriesRecord(
                experiment: k.experiment, configuration: k.configuration, variant: k.variant, users: k.users, seed: k.seed, replication: k.replication,
                subject: s.subject.rawValue, name: s.name, metric: s.metric.rawValue, position: i, bucketS: f(bucket),
                bucketValues: ComponentSeriesRecord.encode(s.values))
        }
    }
}

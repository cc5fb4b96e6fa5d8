/// The capacity chosen for one run by each component's scaling rule, from the offered load:
/// stateless parts scale out to their target utilization, Postgres moves up its size
/// ladder, the rest stays as declared. What it cannot fix (the largest database size is not
/// enough) is recorded as a hard limit for the bottleneck table.
public struct CapacityPlan: Sendable, Equatable, Codable {
    public var apiInstances: Int
    public var apiProcesses: Int
    public var workerInstances: Int
    public var workerProcesses: Int
    /// Index into the Postgres ladder and the chosen size's name.
    public var postgresSizeIndex: Int
    public var postgresSize: String
    public var postgresVCPU: Double
    public var postgresMemoryGB: Double
    /// Replicas per shard.
    public var replicasPerShard: Int
    public var shards: Int
    public var pgbouncerProcesses: Int
    /// Limits the scaling rules ran into, e.g. "postgres at its largest size".
    public var limits: [String]

    public init(model: PlatformModel, load: OfferedLoad) {
        var limits: [String] = []
        func horizontal(_ rule: ScalingRule, demand: Double, perUnit: Double, name: String) -> Int {
            switch rule {
            case .fixed(let n): return n
            case .vertical: return 1
            case .horizontal(let target, let lo, let hi):
                let need = Int(saturating: (demand / (perUnit * target)).rounded(.up))
                if need > hi { limits.append("\(name) capped at \(hi) (needs \(need))") }
                return Swift.min(hi, Swift.max(lo, need))
            }
        }
        let api = model.api
        apiInstances = horizontal(api.scaling, demand: load.apiCPU, perUnit: Double(api.processesPerInstance), name: "api instances")
        apiProcesses = apiInstances * api.processesPerInstance

        let w = model.workers
        let jobsPresent = load.jobRate.contains { $0 > 0 }
        if jobsPresent {
            let perInstance = Double(w.processesPerInstance * w.concurrency)
            workerInstances = Swift.max(1, horizontal(w.scaling, demand: load.workerSlotSeconds, perUnit: perInstance, name: "workers"))
        } else {
            workerInstances = 0
        }
        workerProcesses = workerInstances * w.processesPerInstance

        let db = model.database
        shards = Swift.max(1, db.shards)
        let ladder = db.postgres.ladder
        var sizeIndex = ladder.count - 1
        switch db.postgres.scaling {
        case .vertical(let target):
            let perShard = load.primaryCPU / Double(shards)
            if let i = ladder.firstIndex(where: { $0.vcpu * target >= perShard }) {
                sizeIndex = i
            } else {
                limits.append("postgres at its largest size (\(ladder[sizeIndex].name)) but needs \((perShard / target * 10).rounded() / 10) vCPU per shard")
            }
        case .fixed(let i):
            sizeIndex = Swift.min(Swift.max(0, i), ladder.count - 1)
        case .horizontal:
            sizeIndex = 0
        }
        postgresSizeIndex = sizeIndex
        postgresSize = ladder[sizeIndex].name
        postgresVCPU = ladder[sizeIndex].vcpu
        postgresMemoryGB = ladder[sizeIndex].memoryGB

        if db.replicas.enabled {
            replicasPerShard = Swift.max(1, horizontal(db.replicas.scaling, demand: load.replicaCPU / Double(shards), perUnit: ladder[sizeIndex].vcpu, name: "replicas"))
        } else {
            replicasPerShard = 0
        }
        pgbouncerProcesses = db.pgbouncer.enabled ? db.pgbouncer.processes : 0
        self.limits = limits
    }
}

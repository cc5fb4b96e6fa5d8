/// The capacity chosen for one run by each component's scaling rule, from the offered load:
/// stateless parts scale out to their target utilization, Postgres moves up its size ladder
/// on CPU, memory and IOPS together (``DatabaseSizing``) and shards when its rule says so, the
/// rest stays as declared. What it cannot fix (the largest database size is not enough) is
/// recorded as a hard limit for the bottleneck table.
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
    /// The volume each database server (primary, replica, shard) has.
    public var volume: VolumeSpec
    /// What the database's largest size still lacks (CPU, IOPS, volume size), most binding first.
    public var databaseShortfalls: [DatabaseShortfall]
    /// Limits the scaling rules ran into, as sentences (the database's shortfalls among them).
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

        pgbouncerProcesses = model.database.pgbouncer.enabled ? model.database.pgbouncer.processes : 0
        let database = DatabaseSizing(model: model, load: load, processes: apiProcesses + workerProcesses,
                                      pgbouncerProcesses: pgbouncerProcesses)
        shards = database.shards
        postgresSizeIndex = database.sizeIndex
        let size = model.database.postgres.ladder[database.sizeIndex]
        postgresSize = size.name
        postgresVCPU = size.vcpu
        postgresMemoryGB = size.memoryGB
        replicasPerShard = database.replicasPerShard
        volume = database.volume
        databaseShortfalls = database.shortfalls
        limits += database.shortfalls.map(\.text) + database.replicaLimits
        self.limits = limits
    }
}

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
        var database = DatabaseSizing(model: model, load: load, processes: apiProcesses + workerProcesses,
                                      pgbouncerProcesses: pgbouncerProcesses)
        // A process's connection pool is part of its capacity: `connectionLimit` connections
        // each held for the transaction's time (its statements, round trips and its waits on the
        // volume at the chosen size) serve at most limit / hold transactions a second. The API
        // scales out until its pools, too, are at the scaling target (seed §1's "1-2 connections
        // per app instance" assumes as many instances as the load needs); the database is sized
        // again for the processes this adds (their backends take memory). Not when the primary
        // itself falls short of CPU or I/O: more pools would only queue more queries on it (and
        // open more connections towards max_connections); its shortfall is the answer then.
        // Overloaded means past its cores or its volume's IOPS, not past the scaling targets
        // (a stricter target must not turn this rule off while the primary still copes).
        let primaryShort = Self.primaryOverloaded(model: model, load: load, database: database,
                                                  processes: apiProcesses + workerProcesses, pgbouncerProcesses: pgbouncerProcesses)
        if case .horizontal(let target, _, let hi) = api.scaling, load.transactions > 0, target > 0, !primaryShort {
            let hold = Self.connectionHoldTime(model: model, load: load, sizeIndex: database.sizeIndex, shards: database.shards,
                                               replicasPerShard: database.replicasPerShard, volume: database.volume,
                                               processes: apiProcesses + workerProcesses, pgbouncerProcesses: pgbouncerProcesses)
            let perProcess = Double(model.database.pool.effectiveLimit * database.shards) * target
            // The API's transactions over its processes' pools (a process has a pool per shard,
            // each shard taking its share); the workers' jobs use the workers' own pools.
            let processes = (load.apiTransactions * hold / perProcess).rounded(.up)
            let needed = Int(saturating: (processes / Double(Swift.max(1, api.processesPerInstance))).rounded(.up))
            if needed > apiInstances {
                if needed > hi { limits.append("api instances capped at \(hi) (their connection pools need \(needed))") }
                apiInstances = Swift.min(hi, needed)
                apiProcesses = apiInstances * api.processesPerInstance
                database = DatabaseSizing(model: model, load: load, processes: apiProcesses + workerProcesses,
                                          pgbouncerProcesses: pgbouncerProcesses)
            }
        }
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

    /// Whether a primary at the chosen size is asked for more than it has: its CPU past its
    /// cores, or its volume's I/O past the IOPS limit (the buffer cache of that size in front,
    /// the plan's replicas taking their share of the reads).
    public static func primaryOverloaded(model: PlatformModel, load: OfferedLoad, database: DatabaseSizing,
                                  processes: Int, pgbouncerProcesses: Int) -> Bool {
        let size = model.database.postgres.ladder[database.sizeIndex]
        let shards = Double(Swift.max(1, database.shards))
        if load.primaryCPU / shards > size.vcpu { return true }
        let d = StorageDemand(model: model, load: load, size: size, processes: processes, pgbouncerProcesses: pgbouncerProcesses,
                              shards: database.shards, replicasPerShard: database.replicasPerShard, role: .primary, volume: database.volume)
        let asked = database.volume.separateReadWriteIOPS ? Swift.max(d.readSideIOPS, d.writeSideIOPS) : d.totalIOPS
        return asked > database.volume.iops
    }

    /// Mean time a transaction holds its pool connection: its statements and round trips
    /// (``OfferedLoad/connectionHoldTime``) plus its reads and WAL flushes on an idle volume at
    /// the database's chosen size, on the primary and the replicas alike.
    public static func connectionHoldTime(model: PlatformModel, load: OfferedLoad, sizeIndex: Int, shards: Int, replicasPerShard: Int,
                                          volume: VolumeSpec, processes: Int, pgbouncerProcesses: Int) -> Double {
        guard load.transactions > 0 else { return load.connectionHoldTime }
        let size = model.database.postgres.ladder[sizeIndex]
        func storage(_ role: StorageDemand.Role) -> StorageDemand {
            StorageDemand(model: model, load: load, size: size, processes: processes, pgbouncerProcesses: pgbouncerProcesses,
                          shards: shards, replicasPerShard: replicasPerShard, role: role, volume: volume)
        }
        let primary = storage(.primary)
        var units = (primary.readIOPS + primary.walIOPS) * Double(shards)
        if model.database.replicas.enabled && replicasPerShard > 0 {
            units += storage(.replica).readIOPS * Double(replicasPerShard * shards)
        }
        return load.connectionHoldTime + units / load.transactions * volume.ioLatency
    }
}

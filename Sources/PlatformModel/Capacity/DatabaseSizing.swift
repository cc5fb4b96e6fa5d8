import Formatting

/// A resource the database's sizing can run out of.
public enum DatabaseResource: String, Sendable, Codable, CaseIterable {
    /// Cores: CPU per shard over the largest size's vCPU at the target.
    case cpu
    /// RAM: what a server must keep apart (shared_buffers, the backends' memory, the OS) does
    /// not fit the largest size (GB needed and available).
    case memory
    /// The buffer cache: the working set outgrows the largest size's cache, and the reads it
    /// misses need more IOPS than the volume gives, although the volume would hold with the
    /// working set in memory (IOPS needed and available). More RAM, or more shards, would do.
    case workingSet
    /// The volume's IOPS: the reads the buffer cache misses, the commits' WAL flushes and the
    /// background writes, over the most IOPS the volume class gives at the target.
    case storageIOPS
    /// The volume's size: a shard's data over the largest volume the class gives.
    case volumeSize
    /// The read replicas' volumes' IOPS with the most replicas allowed.
    case replicaIOPS
    /// The read replicas' RAM: what they keep apart does not fit their size.
    case replicaMemory
}

/// What the database's largest size (or the most replicas) still lacks.
public struct DatabaseShortfall: Sendable, Codable, Equatable {
    public var resource: DatabaseResource
    /// What one server needs and what the most capacity gives, in the resource's unit
    /// (vCPU, IOPS, GB), the need already divided by the target utilization.
    public var needed: Double
    public var available: Double
    /// The sentence the scaling limits and the diagnosis show.
    public var text: String
    public init(resource: DatabaseResource, needed: Double, available: Double, text: String) {
        self.resource = resource; self.needed = needed; self.available = available; self.text = text
    }
}

/// The database's scaling rules applied together: how many shards, which size on the ladder
/// (the smallest that holds the CPU at its target, keeps its memory apart and leaves the volume
/// no more I/O than it carries), which volume class with how many IOPS, and how many replicas.
///
/// A size holds when its cores carry a shard's CPU at the ladder's target; its RAM holds what
/// Postgres keeps apart (shared_buffers, every backend's memory, the OS), the rest being page
/// cache; and its volume carries the shard's I/O at the storage target (the reads its buffer
/// cache misses: more RAM caches more of the working set, fewer reads; see ``StorageDemand``).
/// The shard's data must fit the volume class. Sharding by load adds clusters until one would
/// need at most `largestSizeShare` of the largest size. Read replicas take the reads that go to
/// them, each with its own buffer cache and volume, and hold at the same size.
///
/// When no size holds, the shortfalls name the resource: CPU, memory, the volume's size, or its
/// IOPS, told apart from the working set: when the volume would hold the I/O with the whole
/// working set in memory, the buffer cache is what is short (``DatabaseResource/workingSet``).
public struct DatabaseSizing: Sendable {
    public var shards: Int
    public var sizeIndex: Int
    public var replicasPerShard: Int
    public var volume: VolumeSpec
    /// What the largest size lacks, most binding first (empty when a size holds).
    public var shortfalls: [DatabaseShortfall]
    /// Replicas capped by their rule on CPU (sentences, as the other horizontal rules give).
    public var replicaLimits: [String]

    /// Server connections open on a database server: PgBouncer's server pools in front of a
    /// primary, or every process's pool, capped by `max_connections` (their memory is not cache).
    public static func backends(model: PlatformModel, processes: Int, pgbouncerProcesses: Int, role: StorageDemand.Role) -> Double {
        let db = model.database
        let open = db.pgbouncer.enabled && role == .primary ? pgbouncerProcesses * db.pgbouncer.defaultPoolSize : processes * db.pool.effectiveLimit
        return Double(Swift.min(db.postgres.maxConnections, open))
    }

    /// One candidate: a shard count, a size and a volume class.
    struct Trial {
        var demand: StorageDemand
        var volume: VolumeSpec
        var neededIOPS: Double
        var cpuNeeded: Double
        var dataGB: Double
        var cpuHolds: Bool { cpuNeeded <= cpuAvailable }
        var cpuAvailable: Double
        /// RAM the size needs for what Postgres keeps apart, and what it has (GB).
        var memoryNeededGB: Double
        var memoryGB: Double
        var memoryHolds: Bool { memoryNeededGB <= memoryGB * (1 + 1e-9) }
        var iopsHolds: Bool { neededIOPS <= volume.iops * (1 + 1e-9) }
        var sizeHolds: Bool { dataGB <= volume.maxSizeGB }
        /// Whether the size holds: its cores, its memory and its volume's IOPS (the data's fit is
        /// the volume class's, the same at every size, and reported apart).
        var holds: Bool { cpuHolds && memoryHolds && iopsHolds }
    }

    /// RAM (GB) a server needs for what it keeps apart from the page cache: shared_buffers (a
    /// share of the RAM itself), the backends' memory and the OS's: (OS + backends) / (1 - share).
    public static func memoryNeededGB(model: PlatformModel, backends: Double) -> Double {
        let pg = model.database.postgres
        let fixed = pg.bufferCache.osReservedBytes + backends * pg.memoryPerConnectionBytes
        return fixed / Swift.max(1e-9, 1 - pg.bufferCache.sharedBuffersFraction) / 1e9
    }

    /// RAM (GB) at which a server's distinct cached pages equal `cacheBytes` (the inverse of
    /// ``BufferCacheModel/cacheBytes(memoryGB:backends:bytesPerBackend:)``).
    static func memoryGB(model: PlatformModel, cacheBytes: Double, backends: Double) -> Double {
        let pg = model.database.postgres
        let b = pg.bufferCache
        let fixed = b.osReservedBytes + backends * pg.memoryPerConnectionBytes
        return (cacheBytes + fixed) / Swift.max(1e-9, 1 - b.sharedBuffersFraction * b.sharedBuffersAlsoInPageCache) / 1e9
    }

    public init(model: PlatformModel, load: OfferedLoad, processes: Int, pgbouncerProcesses: Int) {
        let db = model.database
        let ladder = db.postgres.ladder
        let storage = db.storage
        let cpuTarget: Double
        switch db.postgres.scaling {
        case .vertical(let t): cpuTarget = t
        case .horizontal(let t, _, _): cpuTarget = t
        case .fixed: cpuTarget = 1
        }
        let primaryBackends = Self.backends(model: model, processes: processes, pgbouncerProcesses: pgbouncerProcesses, role: .primary)
        let primaryMemory = Self.memoryNeededGB(model: model, backends: primaryBackends)
        let classes: [VolumeClass]
        switch storage.volumeClass {
        case .firstThatHolds: classes = model.pricing.volumeClasses
        case .named(let n): classes = model.pricing.volumeClasses.filter { $0.name == n }
        }
        func sideLoad(_ d: StorageDemand, _ v: VolumeSpec) -> Double {
            v.separateReadWriteIOPS ? Swift.max(d.readSideIOPS, d.writeSideIOPS) : d.totalIOPS
        }
        /// The first class (in catalog order) that holds, else the last; the volume provisioned for the need.
        func trial(shards k: Int, size i: Int) -> Trial {
            var last: Trial?
            for c in classes {
                let probe = Self.volumeProbe(c)
                let d = StorageDemand(model: model, load: load, memoryGB: ladder[i].memoryGB, backends: primaryBackends, shards: k,
                                      replicasPerShard: 0, role: .primary, volume: probe)
                let need = sideLoad(d, probe) / storage.targetUtilization
                let t = Trial(demand: d, volume: Self.provision(c, storage: storage, need: need), neededIOPS: need, cpuNeeded: load.primaryCPU / Double(k) / cpuTarget,
                              dataGB: d.dataBytes / 1e9, cpuAvailable: ladder[i].vcpu, memoryNeededGB: primaryMemory, memoryGB: ladder[i].memoryGB)
                if t.iopsHolds && t.sizeHolds { return t }
                last = t
            }
            return last!
        }
        precondition(!classes.isEmpty, "the schema checks the volume class against the pricing catalog")

        // Shards: fixed, or as few as keep one within the share of the largest size.
        var k = db.sharding.fixedCount ?? 1
        if case .byLoad(let share, let most) = db.sharding {
            while k < most {
                let top = trial(shards: k, size: ladder.count - 1)
                let fits = top.cpuNeeded <= share * top.cpuAvailable && top.neededIOPS <= share * top.volume.iops
                    && top.dataGB <= share * top.volume.maxSizeGB
                if fits { break }
                k += 1
            }
        }
        shards = k

        // Replicas at a size: enough for their CPU at the target, and for their volumes' IOPS
        // (each has its own buffer cache and volume; more replicas split the reads, but each
        // caches less of them and every one applies every write).
        let replicaBackends = Self.backends(model: model, processes: processes, pgbouncerProcesses: pgbouncerProcesses, role: .replica)
        let replicaMemory = Self.memoryNeededGB(model: model, backends: replicaBackends)
        func replicaPlan(size: InstanceSize, volumeClass c: VolumeClass) -> (count: Int, need: Double, cappedAt: (Int, Int)?, holds: Bool) {
            var byCPU = 1, hi = 1, capped: (Int, Int)?
            switch db.replicas.scaling {
            case .horizontal(let target, let min, let max):
                let need = Int((load.replicaCPU / Double(k) / (size.vcpu * target)).rounded(.up))
                if need > max { capped = (max, need) }
                byCPU = Swift.min(max, Swift.max(min, need)); hi = Swift.max(1, max)
            case .fixed(let n): byCPU = Swift.max(1, n); hi = byCPU
            case .vertical: break
            }
            var r = Swift.max(1, byCPU)
            let probe = Self.volumeProbe(c)
            while true {
                let d = StorageDemand(model: model, load: load, memoryGB: size.memoryGB, backends: replicaBackends, shards: k,
                                      replicasPerShard: r, role: .replica, volume: probe)
                let need = (probe.separateReadWriteIOPS ? Swift.max(d.readSideIOPS, d.writeSideIOPS) : d.totalIOPS) / storage.targetUtilization
                let holds = need <= Self.provision(c, storage: storage, need: need).iops * (1 + 1e-9)
                if holds || r >= hi { return (r, need, capped, holds) }
                r += 1
            }
        }
        func volumeClass(_ t: Trial) -> VolumeClass {
            model.pricing.volumeClasses.first { $0.name == t.volume.className } ?? classes[0]
        }

        // The smallest size whose primary and replicas hold (sizes past a fixed rule's are not tried).
        var chosen: Int?
        var candidates = Array(ladder.indices)
        switch db.postgres.scaling {
        case .fixed(let i): candidates = [Swift.min(Swift.max(0, i), ladder.count - 1)]
        case .horizontal: candidates = [0]
        case .vertical: break
        }
        for i in candidates {
            let t = trial(shards: k, size: i)
            guard t.holds else { continue }
            if db.replicas.enabled && (replicaMemory > ladder[i].memoryGB * (1 + 1e-9)
                                       || !replicaPlan(size: ladder[i], volumeClass: volumeClass(t)).holds) { continue }
            chosen = i
            break
        }
        let index = chosen ?? candidates[candidates.count - 1]
        let atLargest = chosen == nil && candidates.count > 1
        let primary = trial(shards: k, size: index)
        sizeIndex = index
        var shortfalls: [DatabaseShortfall] = []
        let where_ = k > 1 ? " per shard" : ""
        let size = ladder[index]
        if !primary.sizeHolds {
            shortfalls.append(DatabaseShortfall(
                resource: .volumeSize, needed: primary.dataGB, available: primary.volume.maxSizeGB,
                text: "data does not fit the volume: \(Format.number(primary.dataGB)) GB\(where_), \(primary.volume.className) holds at most \(Format.number(primary.volume.maxSizeGB)) GB"))
        }
        let sizeWords = atLargest ? "its largest size" : "its size"
        if !primary.memoryHolds {
            shortfalls.append(DatabaseShortfall(
                resource: .memory, needed: primary.memoryNeededGB, available: size.memoryGB,
                text: "postgres memory short at \(sizeWords) (\(size.name), \(Format.number(size.memoryGB)) GB): shared_buffers (\(Format.share(db.postgres.bufferCache.sharedBuffersFraction)) of RAM), \(Int(primaryBackends)) backends and the OS need \(Format.number(primary.memoryNeededGB)) GB"))
        }
        if !primary.iopsHolds {
            let d = primary.demand
            let pages = "working set \(Format.number(d.workingSetPages * StorageDemand.pageBytes / 1e9)) GB\(where_), buffer cache \(Format.number(d.cachePages * StorageDemand.pageBytes / 1e9)) GB"
            // With the whole working set in memory, would the volume hold? Then the cache is short.
            let c = volumeClass(primary)
            var fitNeed = Double.infinity
            if d.workingSetPages > d.cachePages {
                let ram = Self.memoryGB(model: model, cacheBytes: d.workingSetPages * StorageDemand.pageBytes, backends: primaryBackends)
                let probe = Self.volumeProbe(c)
                let fit = StorageDemand(model: model, load: load, memoryGB: ram, backends: primaryBackends, shards: k,
                                        replicasPerShard: 0, role: .primary, volume: probe)
                fitNeed = sideLoad(fit, probe) / storage.targetUtilization
            }
            if fitNeed <= Self.provision(c, storage: storage, need: fitNeed).iops * (1 + 1e-9) {
                shortfalls.append(DatabaseShortfall(
                    resource: .workingSet, needed: primary.neededIOPS, available: primary.volume.iops,
                    text: "postgres buffer cache short at \(sizeWords) (\(size.name), \(Format.number(size.memoryGB)) GB RAM; \(pages), hit \(Format.share(d.predictedHitRatio))): the misses need \(Format.number(primary.neededIOPS)) IOPS\(where_) at \(Format.share(storage.targetUtilization)) busy, \(primary.volume.className) gives \(Format.number(primary.volume.iops)); with the working set in memory \(Format.number(fitNeed)) would do"))
            } else {
                shortfalls.append(DatabaseShortfall(
                    resource: .storageIOPS, needed: primary.neededIOPS, available: primary.volume.iops,
                    text: "postgres volume short of IOPS at \(sizeWords) (\(size.name), buffer-cache hit \(Format.share(d.predictedHitRatio)), \(pages)): needs \(Format.number(primary.neededIOPS)) IOPS\(where_) at \(Format.share(storage.targetUtilization)) busy, \(primary.volume.className) gives \(Format.number(primary.volume.iops))"))
            }
        }
        if !primary.cpuHolds {
            shortfalls.append(DatabaseShortfall(
                resource: .cpu, needed: primary.cpuNeeded, available: size.vcpu,
                text: "postgres at its largest size (\(size.name)) but needs \((primary.cpuNeeded * 10).rounded() / 10) vCPU\(where_)"))
        }

        // One class and one provisioning for every volume: the larger of the primary's and the replicas' needs.
        var volume = primary.volume
        var replicas = 0
        var replicaLimits: [String] = []
        if db.replicas.enabled {
            let c = volumeClass(primary)
            let plan = replicaPlan(size: size, volumeClass: c)
            replicas = plan.count
            if let (most, need) = plan.cappedAt { replicaLimits.append("replicas capped at \(most) (needs \(need))") }
            let replicaVolume = Self.provision(c, storage: storage, need: plan.need)
            if replicaVolume.iops > volume.iops { volume = replicaVolume }
            if replicaMemory > size.memoryGB * (1 + 1e-9) {
                shortfalls.append(DatabaseShortfall(
                    resource: .replicaMemory, needed: replicaMemory, available: size.memoryGB,
                    text: "replica memory short at \(sizeWords) (\(size.name), \(Format.number(size.memoryGB)) GB): shared_buffers, \(Int(replicaBackends)) backends and the OS need \(Format.number(replicaMemory)) GB"))
            }
            if !plan.holds {
                shortfalls.append(DatabaseShortfall(
                    resource: .replicaIOPS, needed: plan.need, available: volume.iops,
                    text: "replica volumes short of IOPS with \(plan.count) replica\(plan.count == 1 ? "" : "s")\(where_)\(atLargest ? " at the largest size (\(size.name))" : ""): each needs \(Format.number(plan.need)) IOPS at \(Format.share(storage.targetUtilization)) busy, \(volume.className) gives \(Format.number(volume.iops))"))
            }
        }
        self.volume = volume
        replicasPerShard = replicas
        self.replicaLimits = replicaLimits
        self.shortfalls = shortfalls
    }

    /// A class's volume at its most IOPS (to measure the load against before provisioning).
    static func volumeProbe(_ c: VolumeClass) -> VolumeSpec {
        VolumeSpec(volumeClass: c, iops: c.maxIOPS, throughputMBps: c.throughputMBps(wanted: nil, iops: c.maxIOPS))
    }

    /// A class's volume provisioned for `need` IOPS by the model's rules.
    static func provision(_ c: VolumeClass, storage: StorageModel, need: Double) -> VolumeSpec {
        let iopsWanted: Double?
        switch storage.provisionedIOPS { case .toLoad: iopsWanted = need; case .fixed(let v): iopsWanted = v }
        let iops = c.iops(wanted: iopsWanted)
        let throughputWanted: Double?
        switch storage.provisionedThroughputMBps { case .toLoad: throughputWanted = nil; case .fixed(let v): throughputWanted = v }
        return VolumeSpec(volumeClass: c, iops: iops, throughputMBps: c.throughputMBps(wanted: throughputWanted, iops: iops))
    }
}

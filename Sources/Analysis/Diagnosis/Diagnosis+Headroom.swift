import PlatformModel
import Formatting
import SimulationEngine
#if canImport(Glibc)
import Glibc
#endif

extension Diagnosis {
    /// When each component would saturate as users grow, first first.
    ///
    /// Load is taken to grow in proportion to users. A component saturates when its busy
    /// share reaches ``DiagnosisRules/saturation`` of the most capacity its scaling rule allows:
    /// Postgres up to the largest size on its ladder, replicas, API instances and workers up to
    /// their maximum counts; Redis and PgBouncer are one thread each; an external service stops
    /// at its rate limit.
    public static func saturationPoints(for r: RunResult, model: PlatformModel)
        -> [(component: String, kind: ComponentKind, users: Double, note: String)] {
        var points: [(String, ComponentKind, Double, String)] = []
        let users = Double(r.users)
        func add(_ c: ComponentMetrics, busy: Double, capacity: Double, limit: Double = DiagnosisRules.saturation, note: String) {
            guard busy > 0, capacity > 0 else { return }
            points.append((c.name, c.kind, users * limit * capacity / busy, note))
        }
        func maxCount(_ rule: ScalingRule, current: Int) -> Double {
            switch rule {
            case .horizontal(_, _, let hi): return Double(Swift.max(hi, current))
            case .fixed(let n): return Double(Swift.max(n, current))
            case .vertical: return Double(current)
            }
        }
        for c in r.components {
            switch c.kind {
            case .postgresPrimary:
                let vcpu = c.details[.vcpu] ?? 1
                let largest = model.database.postgres.ladder.last?.vcpu ?? vcpu
                let top: Double
                if case .vertical = model.database.postgres.scaling { top = Swift.max(largest, vcpu) } else { top = vcpu }
                add(c, busy: c.utilization * vcpu, capacity: top,
                    note: top > vcpu ? "CPU, even at its largest size (\(Int(saturating: top)) vCPU)" : "CPU on \(Int(saturating: vcpu)) vCPU")
            case .postgresReplica:
                let vcpu = c.details[.vcpu] ?? 1
                let most = maxCount(model.database.replicas.scaling, current: r.capacity.replicasPerShard) * Double(r.capacity.shards)
                add(c, busy: c.utilization * vcpu * Double(c.count), capacity: most * vcpu, note: "CPU with the most replicas allowed")
            case .redis:
                add(c, busy: c.utilization, capacity: 1, note: "its single thread")
            case .pgbouncer:
                add(c, busy: c.maxUtilization, capacity: 1, note: "its single thread")
            case .externalService:
                add(c, busy: c.utilization, capacity: 1, limit: 1, note: "the provider's rate limit")
            case .apiProcess:
                let most = maxCount(model.api.scaling, current: r.capacity.apiInstances) * Double(model.api.processesPerInstance)
                add(c, busy: c.utilization * Double(c.count), capacity: most, note: "event loops with the most instances allowed")
            case .workers:
                let most = maxCount(model.workers.scaling, current: r.capacity.workerInstances) * Double(model.workers.processesPerInstance)
                add(c, busy: c.utilization * Double(c.count), capacity: most, note: "worker slots with the most instances allowed")
            case .storageVolume:
                // The shards' volumes grow alike: the busiest stands for them (the analytic growth is not free).
                let primaries = r.components.filter { $0.kind == .storageVolume && $0.name != "replica-volumes" }
                if c.name == "replica-volumes" || c.name == primaries.max(by: { $0.maxUtilization < $1.maxUtilization })?.name {
                    points += storagePoints(c, in: r, model: model)
                }
            case .loadBalancer, .threadPool, .rateLimiter, .connectionPool, .cdn:
                break
            }
        }
        return points.sorted { $0.2 < $1.2 }
    }

    /// When a volume saturates as users grow, at the most its rules allow: a primary's volume
    /// at the ladder's largest size (the most buffer cache) with its class's most IOPS, and at
    /// the most shards its rule allows; the replicas' volumes with the most replicas. The
    /// primary's I/O does not grow in proportion to users (the working set grows, the hit ratio
    /// falls), so the measured busy share is carried forward by the analytic model's growth
    /// (``StorageDemand``): measured x demand(N', largest) / demand(N, as run); a volume measured
    /// at its limit by the analytic demand alone. A volume saturated even with the most capacity
    /// gives the user count where it began to be. A volume also runs out when a shard's data
    /// outgrows the class's largest volume.
    static func storagePoints(_ c: ComponentMetrics, in r: RunResult, model: PlatformModel) -> [(String, ComponentKind, Double, String)] {
        guard let iops = c.details[.iopsLimit], iops > 0 else { return [] }
        let users = Double(r.users)
        let volumeClass = model.pricing.volumeClasses.first { $0.name == r.capacity.volume.className }
        let most = volumeClass?.maxIOPS ?? iops
        var out: [(String, ComponentKind, Double, String)] = []
        if c.name == "replica-volumes" {
            var replicas = Double(r.capacity.replicasPerShard)
            if case .horizontal(_, _, let hi) = model.database.replicas.scaling { replicas = Swift.max(replicas, Double(hi)) }
            let capacity = most / iops * replicas / Double(Swift.max(1, r.capacity.replicasPerShard))
            if c.maxUtilization > 0 {
                out.append((c.name, c.kind, users * DiagnosisRules.saturation * capacity / c.maxUtilization,
                            "the replicas' volumes' IOPS with the most replicas (\(Int(replicas))) at \(Format.number(most)) IOPS each"))
            }
            return out
        }
        var shards = r.capacity.shards
        if case .byLoad(_, let maxShards) = model.database.sharding { shards = Swift.max(shards, maxShards) }
        // The volume's size: data grows with users.
        if let data = c.details[.dataGB], data > 0 {
            let largest = volumeClass?.maxSizeGB ?? (c.details[.maxVolumeGB] ?? data)
            out.append((c.name, c.kind, users * largest / data * Double(shards) / Double(r.capacity.shards),
                        "the volume's size (\(Format.number(largest)) GB per \(shards > 1 ? "shard" : "volume"))"))
        }
        guard c.maxUtilization > 0, let cls = volumeClass else { return out }
        let window = (start: r.windowStartHour * 3600, end: r.windowStartHour * 3600 + r.simulatedSeconds)
        let ladder = model.database.postgres.ladder
        // The load at this run's users, grown in proportion (the premise of every saturation
        // point; the load at each user count again would estimate the CDN's catalogue anew at
        // every step of the bisection).
        let base = OfferedLoad(model: model, window: window)
        func demand(users n: Double, size: InstanceSize, shards k: Int, volume: VolumeSpec) -> Double {
            var m = model
            m.traffic.users = Swift.max(1, Int(Swift.min(n, 2e9)))
            let load = base.scaled(by: Double(m.traffic.users) / Double(Swift.max(1, model.traffic.users)))
            let backends = DatabaseSizing.backends(model: m, processes: r.capacity.apiProcesses + r.capacity.workerProcesses,
                                                   pgbouncerProcesses: r.capacity.pgbouncerProcesses, role: .primary)
            let d = StorageDemand(model: m, load: load, memoryGB: size.memoryGB, backends: backends, shards: k,
                                  replicasPerShard: 0, role: .primary, volume: volume)
            return volume.separateReadWriteIOPS ? Swift.max(d.readSideIOPS, d.writeSideIOPS) : d.totalIOPS
        }
        let asRun = r.capacity.volume
        let now = demand(users: users, size: InstanceSize(name: r.capacity.postgresSize, vcpu: r.capacity.postgresVCPU,
                                                          memoryGB: r.capacity.postgresMemoryGB), shards: r.capacity.shards, volume: asRun)
        guard now > 0 else { return out }
        let top = ladder[ladder.count - 1]
        var best = asRun
        best.iops = most
        best.throughputMBps = cls.throughputMBps(wanted: cls.maxThroughputMBps, iops: most)
        // Busy share at n users with the most capacity: measured x growth of the I/O, over the
        // most IOPS. A volume measured at its limit shows what it served, not what was asked of
        // it: then the analytic I/O alone.
        let measuredAtLimit = c.maxUtilization >= 0.99
        func busy(_ n: Double) -> Double {
            let asked = demand(users: n, size: top, shards: shards, volume: best)
            return measuredAtLimit ? asked / most : c.maxUtilization * iops / most * asked / now
        }
        let note = "the volume's IOPS (\(Format.number(most)) at most on \(cls.name), with \(top.name)'s buffer cache\(shards > 1 ? " and \(shards) shards" : ""))"
        // Saturated already even with the most capacity: the user count where it began (down to
        // a thousandth of this run's), so the headroom says at how many users storage ran out.
        var lo: Double, hi: Double
        if busy(users) >= DiagnosisRules.saturation {
            (lo, hi) = (log(1e-3), 0)
            guard busy(users * exp(lo)) < DiagnosisRules.saturation else {
                out.append((c.name, c.kind, users * exp(lo), note))
                return out
            }
        } else {
            (lo, hi) = (0, log(1e10 / Swift.max(1, users)))
            guard busy(users * exp(hi)) >= DiagnosisRules.saturation else { return out }
        }
        for _ in 0..<30 {
            let mid = (lo + hi) / 2
            if busy(users * exp(mid)) < DiagnosisRules.saturation { lo = mid } else { hi = mid }
        }
        out.append((c.name, c.kind, users * exp(hi), note))
        return out
    }

    /// Users more until the first component saturates (0 when one already has).
    public static func headroom(for r: RunResult, model: PlatformModel) -> Headroom? {
        guard let first = saturationPoints(for: r, model: model).first else { return nil }
        let at = first.users.isFinite ? Int(Swift.min(first.users.rounded(), Double(Int32.max))) : Int(Int32.max)
        return Headroom(users: Swift.max(0, at - r.users), saturatesAt: at, component: first.component, componentKind: first.kind, limit: first.note)
    }
}

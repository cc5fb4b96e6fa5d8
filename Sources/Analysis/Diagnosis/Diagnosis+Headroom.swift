import PlatformModel
import SimulationEngine

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
            case .loadBalancer, .threadPool, .rateLimiter, .connectionPool, .cdn:
                break
            }
        }
        return points.sorted { $0.2 < $1.2 }
    }

    /// Users more until the first component saturates (0 when one already has).
    public static func headroom(for r: RunResult, model: PlatformModel) -> Headroom? {
        guard let first = saturationPoints(for: r, model: model).first else { return nil }
        let at = first.users.isFinite ? Int(Swift.min(first.users.rounded(), Double(Int32.max))) : Int(Int32.max)
        return Headroom(users: Swift.max(0, at - r.users), saturatesAt: at, component: first.component, componentKind: first.kind, limit: first.note)
    }
}

import PlatformModel

/// A measure of how close one component is to its capacity, named for a reader: the event
/// loops' busy share, Postgres cores occupied, a single thread's busy share, the busiest pool's
/// connections in use, a provider's calls against its rate limit. Rate limiters, the load
/// balancer and the CDN have none (a limiter is hit or not).
public struct ComponentGauge: Sendable, Hashable {
    /// The component (as the results name it).
    public var component: String
    public var label: String
    public var measure: Measure

    /// Which figure of the component the gauge reads.
    public enum Measure: Sendable, Hashable {
        case utilization
        /// The busiest member of the group.
        case maxUtilization
        case detail(ComponentMetric)
    }

    /// The gauge's reading (nil when the component does not report the figure).
    public func value(_ m: ComponentMean) -> Double? {
        switch measure {
        case .utilization: m.utilization
        case .maxUtilization: m.maxUtilization
        case .detail(let metric): m.detail(metric)
        }
    }

    /// The gauges of one component (none for components without a capacity).
    public static func gauges(for name: String, kind: ComponentKind) -> [ComponentGauge] {
        switch kind {
        case .apiProcess: [.init(component: name, label: "API event loops (mean busy)", measure: .utilization)]
        case .threadPool: [.init(component: name, label: "API thread pool (bcrypt)", measure: .utilization)]
        case .redis: [.init(component: name, label: "Redis (one thread)", measure: .utilization)]
        case .connectionPool: [.init(component: name, label: "Prisma pool (busiest process)", measure: .maxUtilization)]
        case .pgbouncer:
            [.init(component: name, label: "PgBouncer (one thread)", measure: .maxUtilization),
             .init(component: name, label: "PgBouncer server connections", measure: .detail(.serverPoolUtilization))]
        case .postgresPrimary:
            [.init(component: name, label: name == "postgres-primary" ? "Postgres primary CPU" : "\(name) CPU", measure: .utilization)]
        case .postgresReplica: [.init(component: name, label: "Postgres replicas CPU", measure: .utilization)]
        case .storageVolume:
            [.init(component: name, label: name == "replica-volumes" ? "Replica volumes IOPS (busiest)" : "\(name.replacingOccurrences(of: "-volume", with: "")) volume IOPS",
                   measure: .maxUtilization)]
        case .workers: [.init(component: name, label: "BullMQ worker slots", measure: .utilization)]
        case .externalService: [.init(component: name, label: "\(displayName(name)) rate limit used", measure: .utilization)]
        case .loadBalancer, .rateLimiter, .cdn: []
        }
    }

    /// `mailgun` -> `Mailgun`, `llm` -> `LLM`.
    public static func displayName(_ service: String) -> String {
        switch service {
        case "llm": return "LLM"
        case "mailgun": return "Mailgun"
        default: return service.prefix(1).uppercased() + service.dropFirst()
        }
    }
}

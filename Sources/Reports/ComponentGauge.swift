/// A measure of how close one component is to its capacity, named for a reader: the event
/// loops' busy share, Postgres cores occupied, a single thread's busy share, the busiest pool's
/// connections in use, a provider's calls against its rate limit. Rate limiters, the load
/// balancer and the CDN have none (a limiter is hit or not).
public struct ComponentGauge: Sendable, Hashable {
    /// The component (as the results name it) and, for a second gauge of the same component, a suffix.
    public var component: String
    public var label: String
    /// `utilization`, `maxUtilization` or a details key.
    public var measure: String

    public func value(_ m: ComponentMean) -> Double {
        switch measure {
        case "utilization": return m.utilization
        case "maxUtilization": return m.maxUtilization
        default: return m.detail(measure)
        }
    }

    /// The gauges of one component (none for components without a capacity).
    public static func gauges(for name: String, kind: String) -> [ComponentGauge] {
        switch kind {
        case "apiProcess": return [.init(component: name, label: "API event loops (mean busy)", measure: "utilization")]
        case "threadPool": return [.init(component: name, label: "API thread pool (bcrypt)", measure: "utilization")]
        case "redis": return [.init(component: name, label: "Redis (one thread)", measure: "utilization")]
        case "connectionPool": return [.init(component: name, label: "Prisma pool (busiest process)", measure: "maxUtilization")]
        case "pgbouncer":
            return [.init(component: name, label: "PgBouncer (one thread)", measure: "maxUtilization"),
                    .init(component: name, label: "PgBouncer server connections", measure: "serverPoolUtilization")]
        case "postgresPrimary":
            return [.init(component: name, label: name == "postgres-primary" ? "Postgres primary CPU" : "\(name) CPU", measure: "utilization")]
        case "postgresReplica": return [.init(component: name, label: "Postgres replicas CPU", measure: "utilization")]
        case "workers": return [.init(component: name, label: "BullMQ worker slots", measure: "utilization")]
        case "externalService": return [.init(component: name, label: "\(displayName(name)) rate limit used", measure: "utilization")]
        default: return []
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

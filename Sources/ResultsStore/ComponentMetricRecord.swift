import GRDB
import PlatformModel

/// A row of `component_metrics`: one component (or group of identical ones) over a run's
/// measured window.
public struct ComponentMetricRecord: RunKeyed, Sendable, Equatable {
    public var experiment: String
    public var configuration: String
    public var variant: String
    public var users: Int
    public var seed: Int
    public var replication: Int
    public var component: String
    /// Order in the run's report (0, 1, ...).
    public var position: Int
    public var kind: String
    public var count: Int
    public var utilization: Double
    public var maxUtilization: Double
    public var meanQueue: Double
    public var meanWaitMs: Double
    public var p99WaitMs: Double
    public var throughputPerS: Double
    public var meanInSystem: Double?
    public var meanResponseMs: Double?
    public var limitHits: Int
    /// JSON object of component-specific figures (`backends`, `memoryMB`, ...).
    public var details: String

    /// The component-specific figures, typed (a name this program does not know is left out).
    public var detailValues: ComponentDetails {
        var d = ComponentDetails()
        for (k, v) in TextList.decodeMap(details) { if let m = ComponentMetric(rawValue: k) { d[m] = v } }
        return d
    }

    /// The kind, typed (nil for a kind this program does not know).
    public var componentKind: ComponentKind? { ComponentKind(rawValue: kind) }
}

extension ComponentMetricRecord: Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "component_metrics"

    enum CodingKeys: String, CodingKey {
        case experiment, configuration, variant, users, seed, replication
        case component, position, kind, count, utilization
        case maxUtilization = "max_utilization"
        case meanQueue = "mean_queue"
        case meanWaitMs = "mean_wait_ms"
        case p99WaitMs = "p99_wait_ms"
        case throughputPerS = "throughput_per_s"
        case meanInSystem = "mean_in_system"
        case meanResponseMs = "mean_response_ms"
        case limitHits = "limit_hits"
        case details
    }
}

import Analysis
import Foundation
import GRDB

/// A row of `runs`: one simulation of one cell of an experiment, with what made it (model and
/// pricing hashes, overrides, program version), its headline figures, the bottleneck, the
/// headroom, the monthly cost and the capacity the scaling rules chose.
///
/// No start time is kept: the rows of an experiment are the same whatever the number of jobs
/// or the day it ran, except `wall_s`, the only measurement of the machine.
public struct RunRecord: RunKeyed, Sendable, Equatable {
    public var experiment: String
    public var configuration: String
    public var variant: String
    public var users: Int
    public var seed: Int
    public var replication: Int

    public var activeUsers: Int
    public var modelFile: String
    public var modelSHA256: String
    public var pricingFile: String
    public var pricingSHA256: String
    /// JSON array of the `KEY.PATH=VALUE` overrides applied, in order.
    public var overrides: String
    public var programVersion: String

    public var windowStartHour: Double
    public var warmUpS: Double
    public var simulatedS: Double
    public var wallS: Double
    public var events: Int
    public var requests: Int
    public var throughputPerS: Double
    public var p50Ms: Double
    public var p95Ms: Double
    public var p99Ms: Double
    public var meanMs: Double
    public var maxMs: Double
    public var errorRate: Double
    public var errors: Int

    public var bottleneckComponent: String
    public var bottleneckReason: String
    public var bottleneckUtilization: Double
    /// The bottleneck's ``CauseKind/name`` (`errors.poolTimeout`, `saturatesFirst`, ...).
    public var bottleneckCause: String
    /// JSON array of the diagnosis' causes, most binding first (``Cause``: kind, component,
    /// componentKind, utilization, requestShare, reason).
    public var causes: String
    /// JSON object of the endpoint that sets the p99 (``TailEndpoint``), or nil.
    public var tailEndpoint: String?
    /// Users more until the first fixed-capacity component saturates (nil: none is loaded).
    public var headroomUsers: Int?
    public var headroomComponent: String?

    public var costProvider: String
    public var monthlyCostUSD: Double
    public var costPer1kUsersUSD: Double

    public var apiInstances: Int
    public var apiProcesses: Int
    public var workerInstances: Int
    public var postgresSize: String
    public var postgresVCPU: Double
    public var replicasPerShard: Int
    public var shards: Int
    public var pgbouncerProcesses: Int
    /// JSON array of the limits the scaling rules ran into.
    public var capacityLimits: String

    public var overrideList: [String] { TextList.decode(overrides) }
    /// The diagnosis' causes, typed (empty for a row this program cannot read).
    public var causeList: [Cause] { (try? JSONDecoder().decode([Cause].self, from: Data(causes.utf8))) ?? [] }
    public var tail: TailEndpoint? { tailEndpoint.flatMap { try? JSONDecoder().decode(TailEndpoint.self, from: Data($0.utf8)) } }
    public var bottleneckCauseKind: CauseKind? { CauseKind(name: bottleneckCause) }
    public var capacityLimitList: [String] { TextList.decode(capacityLimits) }
}

extension RunRecord: Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "runs"

    enum CodingKeys: String, CodingKey {
        case experiment, configuration, variant, users, seed, replication
        case activeUsers = "active_users"
        case modelFile = "model_file"
        case modelSHA256 = "model_sha256"
        case pricingFile = "pricing_file"
        case pricingSHA256 = "pricing_sha256"
        case overrides
        case programVersion = "program_version"
        case windowStartHour = "window_start_hour"
        case warmUpS = "warm_up_s"
        case simulatedS = "simulated_s"
        case wallS = "wall_s"
        case events, requests
        case throughputPerS = "throughput_per_s"
        case p50Ms = "p50_ms"
        case p95Ms = "p95_ms"
        case p99Ms = "p99_ms"
        case meanMs = "mean_ms"
        case maxMs = "max_ms"
        case errorRate = "error_rate"
        case errors
        case bottleneckComponent = "bottleneck_component"
        case bottleneckReason = "bottleneck_reason"
        case bottleneckUtilization = "bottleneck_utilization"
        case bottleneckCause = "bottleneck_cause"
        case causes
        case tailEndpoint = "tail_endpoint"
        case headroomUsers = "headroom_users"
        case headroomComponent = "headroom_component"
        case costProvider = "cost_provider"
        case monthlyCostUSD = "monthly_cost_usd"
        case costPer1kUsersUSD = "cost_per_1k_users_usd"
        case apiInstances = "api_instances"
        case apiProcesses = "api_processes"
        case workerInstances = "worker_instances"
        case postgresSize = "postgres_size"
        case postgresVCPU = "postgres_vcpu"
        case replicasPerShard = "replicas_per_shard"
        case shards
        case pgbouncerProcesses = "pgbouncer_processes"
        case capacityLimits = "capacity_limits"
    }

    public enum Columns {
        public static let experiment = Column(CodingKeys.experiment)
        public static let configuration = Column(CodingKeys.configuration)
        public static let variant = Column(CodingKeys.variant)
        public static let users = Column(CodingKeys.users)
        public static let seed = Column(CodingKeys.seed)
        public static let replication = Column(CodingKeys.replication)
    }
}

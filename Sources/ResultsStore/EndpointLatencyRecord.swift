import GRDB

/// A row of `endpoint_latency`: one API endpoint's requests, errors and latency percentiles.
public struct EndpointLatencyRecord: RunKeyed, Sendable, Equatable {
    public var experiment: String
    public var configuration: String
    public var variant: String
    public var users: Int
    public var seed: Int
    public var replication: Int
    public var endpoint: String
    public var position: Int
    public var requests: Int
    public var errors: Int
    public var p50Ms: Double
    public var p95Ms: Double
    public var p99Ms: Double
    public var meanMs: Double
    public var maxMs: Double
}

extension EndpointLatencyRecord: Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "endpoint_latency"

    enum CodingKeys: String, CodingKey {
        case experiment, configuration, variant, users, seed, replication
        case endpoint, position, requests, errors
        case p50Ms = "p50_ms"
        case p95Ms = "p95_ms"
        case p99Ms = "p99_ms"
        case meanMs = "mean_ms"
        case maxMs = "max_ms"
    }
}

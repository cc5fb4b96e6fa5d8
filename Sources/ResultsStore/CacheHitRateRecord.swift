import GRDB

/// A row of `cache_hit_rates`: one cache's lookups and hit rate, beside the TTL formula's prediction.
public struct CacheHitRateRecord: RunKeyed, Sendable, Equatable {
    public var experiment: String
    public var configuration: String
    public var variant: String
    public var users: Int
    public var seed: Int
    public var replication: Int
    public var cache: String
    public var position: Int
    public var location: String
    public var lookups: Int
    public var hits: Int
    public var hitRate: Double
    public var predictedHitRate: Double
}

extension CacheHitRateRecord: Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cache_hit_rates"

    enum CodingKeys: String, CodingKey {
        case experiment, configuration, variant, users, seed, replication
        case cache, position, location, lookups, hits
        case hitRate = "hit_rate"
        case predictedHitRate = "predicted_hit_rate"
    }
}

import GRDB

/// A row of `cost_items`: one line of a run's monthly cost, and what it is based on.
public struct CostItemRecord: RunKeyed, Sendable, Equatable {
    public var experiment: String
    public var configuration: String
    public var variant: String
    public var users: Int
    public var seed: Int
    public var replication: Int
    /// `API compute`, `Postgres primary`, `read replicas`, `shards`, `PgBouncer`, `Redis`,
    /// `workers`, `Mailgun`, `dedicated IPs`, `LLM tokens`, `Sentry`, `CDN`, `egress`, `platform plan`.
    public var item: String
    public var position: Int
    public var monthlyUSD: Double
    public var basis: String
}

extension CostItemRecord: Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cost_items"

    enum CodingKeys: String, CodingKey {
        case experiment, configuration, variant, users, seed, replication
        case item, position
        case monthlyUSD = "monthly_usd"
        case basis
    }
}

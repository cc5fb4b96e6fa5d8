import GRDB
import PlatformModel

/// A row of `errors`: error responses of one kind in a run (every kind, zeros included).
public struct ErrorCountRecord: RunKeyed, Sendable, Equatable {
    /// The kind, typed (nil for a kind this program does not know).
    public var errorKind: ErrorKind? { ErrorKind(name: kind) }

    public var experiment: String
    public var configuration: String
    public var variant: String
    public var users: Int
    public var seed: Int
    public var replication: Int
    /// ``PlatformModel/ErrorKind/name``: `rateLimited`, `rateLimitedFalse`, `poolTimeout`, ...
    public var kind: String
    public var position: Int
    /// What the kind means, for a person reading the table.
    public var description: String
    public var count: Int
    /// count / the run's requests.
    public var shareOfRequests: Double
}

extension ErrorCountRecord: Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "errors"

    enum CodingKeys: String, CodingKey {
        case experiment, configuration, variant, users, seed, replication
        case kind, position, description, count
        case shareOfRequests = "share_of_requests"
    }

}

import Foundation
import GRDB
import PlatformModel

/// A row of `component_series`: one figure of one component, cache or endpoint, bucket by
/// bucket over a run's measured window (see ``BucketSeries``), as a JSON array aligned with the
/// run's `time_series` rows (`null` where a bucket has nothing to measure).
public struct ComponentSeriesRecord: RunKeyed, Sendable, Equatable {
    public var experiment: String
    public var configuration: String
    public var variant: String
    public var users: Int
    public var seed: Int
    public var replication: Int
    /// What the series follows: `database`, `redis`, `cache`, `externalService`, `endpoint`.
    public var subject: String
    /// The component's, cache's or endpoint's name in the run.
    public var name: String
    /// The figure, with its unit in its name (``SeriesMetric``): `queriesPerSecond`, `hitRate`, `p99Ms`.
    public var metric: String
    public var position: Int
    /// The width of a bucket in seconds; bucket `i` starts at `i * bucket_s` into the measured window.
    public var bucketS: Double
    /// The values, a JSON array of numbers and nulls.
    public var bucketValues: String

    /// The series as the simulation made it; nil for a row naming a subject or metric this
    /// program does not know.
    public var series: BucketSeries? {
        guard let s = SeriesSubject(rawValue: subject), let m = SeriesMetric(rawValue: metric) else { return nil }
        return BucketSeries(subject: s, name: name, metric: m, values: values)
    }

    /// The values (nil for a null; none when the text is not a JSON array of numbers).
    public var values: [Double?] {
        (try? JSONDecoder().decode([Double?].self, from: Data(bucketValues.utf8))) ?? []
    }

    /// `[1.5,null,2]`: shortest round-trip digits.
    static func encode(_ values: [Double?]) -> String {
        "[" + values.map { v in v.map { $0.isFinite ? "\($0)" : "null" } ?? "null" }.joined(separator: ",") + "]"
    }
}

extension ComponentSeriesRecord: Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "component_series"

    enum CodingKeys: String, CodingKey {
        case experiment, configuration, variant, users, seed, replication
        case subject, name, metric, position
        case bucketS = "bucket_s"
        case bucketValues = "bucket_values"
    }
}

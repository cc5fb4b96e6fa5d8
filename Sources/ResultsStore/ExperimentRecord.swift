import Analysis
import GRDB

/// A row of `experiments`: what a sweep was asked to run, so that a report can be made from the
/// database alone (the question, the grid's order, the SLO).
public struct ExperimentRecord: Sendable, Equatable {
    public var name: String
    public var question: String
    /// The experiment file as given, and the SHA-256 of its bytes.
    public var experimentFile: String
    public var experimentSHA256: String
    /// The model and pricing files as the experiment names them (pricing nil: the model's own).
    public var modelFile: String
    public var pricingFile: String?
    /// JSON arrays, in the experiment file's order.
    public var configurations: String
    public var variants: String
    public var users: String
    public var sloP99Ms: Double
    public var sloErrorRate: Double
    /// Whether the SLO's error budget counts intended 429s (stored as 0 or 1).
    public var sloCountsIntended429s: Bool
    public var warmUpS: Double
    public var durationS: Double
    public var startHour: Double?

    public init(name: String, question: String, experimentFile: String, experimentSHA256: String, modelFile: String,
                pricingFile: String?, configurations: [String], variants: [String], users: [Int], sloP99Ms: Double,
                sloErrorRate: Double, sloCountsIntended429s: Bool = false, warmUpS: Double, durationS: Double, startHour: Double?) {
        self.name = name; self.question = question; self.experimentFile = experimentFile
        self.experimentSHA256 = experimentSHA256; self.modelFile = modelFile; self.pricingFile = pricingFile
        self.configurations = TextList.encode(configurations); self.variants = TextList.encode(variants)
        self.users = TextList.encode(users)
        self.sloP99Ms = sloP99Ms; self.sloErrorRate = sloErrorRate; self.sloCountsIntended429s = sloCountsIntended429s
        self.warmUpS = warmUpS; self.durationS = durationS; self.startHour = startHour
    }

    public var configurationList: [String] { TextList.decode(configurations) }
    public var variantList: [String] { TextList.decode(variants) }
    public var userList: [Int] { TextList.decodeIntegers(users) }

    /// The experiment's SLO, as the analysis judges it.
    public var slo: ServiceLevelObjective {
        ServiceLevelObjective(p99Ms: sloP99Ms, errorRate: sloErrorRate, countsIntendedRateLimits: sloCountsIntended429s)
    }
}

extension ExperimentRecord: Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "experiments"

    enum CodingKeys: String, CodingKey {
        case name, question
        case experimentFile = "experiment_file"
        case experimentSHA256 = "experiment_sha256"
        case modelFile = "model_file"
        case pricingFile = "pricing_file"
        case configurations, variants, users
        case sloP99Ms = "slo_p99_ms"
        case sloErrorRate = "slo_error_rate"
        case sloCountsIntended429s = "slo_counts_intended_429s"
        case warmUpS = "warm_up_s"
        case durationS = "duration_s"
        case startHour = "start_hour"
    }

    public enum Columns {
        public static let name = Column(CodingKeys.name)
    }
}

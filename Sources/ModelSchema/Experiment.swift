import ModelFiles

/// One experiment: a grid of runs (configurations x variants x user counts x seeds or
/// replications) over one model, with the overrides, window and SLO they share. Read from
/// `Experiments/*.yaml` by ``ExperimentFile``.
public struct Experiment: Sendable, Equatable {
    /// What the experiment is called in the results database (letters, digits, `.`, `_`, `-`).
    public var name: String
    /// The question it answers, for the notebook.
    public var question: String
    /// The experiment file as given, and the SHA-256 of its bytes.
    public var file: String
    public var fileHash: String
    /// The model file as written in the experiment (relative to the project root), and where it was found.
    public var model: String
    public var modelPath: String
    /// The pricing file as written and where it was found; nil for the one the model names.
    public var pricing: String?
    public var pricingPath: String?
    /// Extra overlay files applied after each configuration's own overlays (and before the
    /// overrides), as written (relative to the project root) and where they were found.
    public var overlays: [String] = []
    public var overlayPaths: [String] = []
    /// In file order.
    public var configurations: [String]
    public var users: [Int]
    /// The (seed, replication) pairs every cell runs: `seeds: [1, 2]` gives (1, 0), (2, 0);
    /// `replications: 3` with `seed: 7` gives (7, 0), (7, 1), (7, 2).
    public var seeds: [SeedReplication]
    public var window: Window
    /// `KEY.PATH=VALUE` overrides for every cell.
    public var overrides: [String]
    /// Named sets of overrides; every cell runs once per variant. One variant named `default`
    /// with no overrides when the file has none.
    public var variants: [Variant]
    /// Extra overrides for some cells, applied after `set` and the variant's, in file order.
    public var cellOverrides: [CellOverrides]
    public var slo: ServiceLevelObjective
    /// Where each override text was written, so that a model error about it can point there.
    public var overrideLocations: [String: ModelLocation]
    /// Whether each seed or replication draws the measured parameters (`calibration.measured` of
    /// an overlay written by `calibrate`) anew: the n-th seed or replication of a cell takes joint
    /// draw n (`parameterUncertainty: true` in the file).
    public var parameterUncertainty = false

    public struct SeedReplication: Sendable, Hashable {
        public var seed: Int
        public var replication: Int
        public init(seed: Int, replication: Int) { self.seed = seed; self.replication = replication }
    }

    public struct Window: Sendable, Equatable {
        public var warmUpS: Double
        public var durationS: Double
        /// Hour of the day the measured window starts; nil for the busiest hour.
        public var startHour: Double?
        public init(warmUpS: Double, durationS: Double, startHour: Double?) {
            self.warmUpS = warmUpS; self.durationS = durationS; self.startHour = startHour
        }
    }

    public struct Variant: Sendable, Equatable {
        public var name: String
        public var overrides: [String]
        public init(name: String, overrides: [String]) { self.name = name; self.overrides = overrides }
    }

    /// Overrides for the cells matching all the lists given (a nil list matches everything).
    public struct CellOverrides: Sendable, Equatable {
        public var configurations: [String]?
        public var users: [Int]?
        public var variants: [String]?
        public var overrides: [String]

        public func matches(configuration: String, users n: Int, variant: String) -> Bool {
            (configurations?.contains(configuration) ?? true) && (users?.contains(n) ?? true)
                && (variants?.contains(variant) ?? true)
        }
    }

    public struct ServiceLevelObjective: Sendable, Equatable {
        public var p99Ms: Double
        public var errorRate: Double
        /// Whether intended 429s (users over their own limits) count against the error budget;
        /// by default they are reported beside it (`slo: {countIntended429s: true}` to count them).
        public var countsIntended429s: Bool
        public init(p99Ms: Double, errorRate: Double, countsIntended429s: Bool = false) {
            self.p99Ms = p99Ms; self.errorRate = errorRate; self.countsIntended429s = countsIntended429s
        }
    }

    /// The name of the only variant of an experiment that declares none.
    public static let defaultVariant = "default"

    /// Every override of one cell, in the order they apply: `set`, the variant's, then the
    /// matching `cells` entries.
    public func overrides(configuration: String, users n: Int, variant: String) -> [String] {
        var result = overrides
        result += variants.first { $0.name == variant }?.overrides ?? []
        for c in cellOverrides where c.matches(configuration: configuration, users: n, variant: variant) {
            result += c.overrides
        }
        return result
    }
}

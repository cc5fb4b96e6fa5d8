/// The natural key of one run: which experiment, configuration, variant, user count, seed and
/// replication. Every table of a run's rows starts with these six columns, so the rows of an
/// experiment are the same whatever order its runs finished in.
public struct RunKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var experiment: String
    public var configuration: String
    public var variant: String
    public var users: Int
    public var seed: Int
    public var replication: Int

    public init(experiment: String, configuration: String, variant: String, users: Int, seed: Int, replication: Int) {
        self.experiment = experiment; self.configuration = configuration; self.variant = variant
        self.users = users; self.seed = seed; self.replication = replication
    }

    public static func < (a: RunKey, b: RunKey) -> Bool {
        (a.experiment, a.configuration, a.variant, a.users, a.seed, a.replication)
            < (b.experiment, b.configuration, b.variant, b.users, b.seed, b.replication)
    }

    /// `roadmap/phase2/default/100000/seed 1/rep 0`.
    public var description: String {
        "\(experiment)/\(configuration)/\(variant)/\(users)/seed \(seed)/rep \(replication)"
    }

    /// The six key columns, in the order of every table's primary key.
    public static let columnNames = ["experiment", "configuration", "variant", "users", "seed", "replication"]
}

/// A row that belongs to one run: it carries the run's six key columns.
public protocol RunKeyed {
    var experiment: String { get }
    var configuration: String { get }
    var variant: String { get }
    var users: Int { get }
    var seed: Int { get }
    var replication: Int { get }
}

extension RunKeyed {
    public var runKey: RunKey {
        RunKey(experiment: experiment, configuration: configuration, variant: variant, users: users, seed: seed, replication: replication)
    }
}

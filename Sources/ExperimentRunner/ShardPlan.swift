/// How an experiment's grid splits into shards, for `platform-sim plan`: the runs of each
/// shard, their expected cost and share of the work, and how much sooner N machines can
/// finish than one, so that a user can choose N before submitting an array job.
public struct ShardPlan: Sendable {
    public struct Shard: Sendable {
        public var spec: ShardSpec
        /// In key order.
        public var cells: [SweepCell]
        /// The sum of the cells' expected costs, and its share of the whole grid's.
        public var cost: Double
        public var share: Double
        /// The shard's most expensive run (nil for an empty shard).
        public var heaviest: SweepCell?
    }

    public var experiment: String
    public var runs: Int
    public var totalCost: Double
    public var shards: [Shard]

    public init(_ plan: SweepPlan, shards count: Int) {
        experiment = plan.experiment.name
        runs = plan.cells.count
        totalCost = plan.expectedCost
        let total = totalCost
        shards = plan.shardCells(count: count).enumerated().map { i, cells in
            let cost = cells.reduce(0) { $0 + $1.weight }
            // The first of the heaviest, in key order.
            let heaviest = cells.reduce(nil as SweepCell?) { best, c in (best.map { c.weight > $0.weight } ?? true) ? c : best }
            return Shard(spec: ShardSpec(validIndex: i + 1, count: count), cells: cells, cost: cost,
                         share: total > 0 ? cost / total : 0, heaviest: heaviest)
        }
    }

    /// The largest shard's cost: the wall time of a sharded sweep goes with it.
    public var largestCost: Double { shards.map(\.cost).max() ?? 0 }

    /// How many times sooner the shards finish, each on a machine like the one the whole sweep
    /// would run on, than the whole sweep on one: the total cost over the largest shard's. An
    /// upper bound: it leaves out starting each shard and merging, and no run is ever split,
    /// so it never exceeds the total over the heaviest single run.
    public var speedUp: Double { largestCost > 0 ? totalCost / largestCost : 1 }

    /// The cost of the single heaviest run, which bounds every shard from below.
    public static func heaviestRunCost(_ plan: SweepPlan) -> Double { plan.cells.map(\.weight).max() ?? 0 }

    /// Shard counts worth printing for `plan`: powers of two up to the number of runs, and `count`.
    public static func comparedCounts(runs: Int, count: Int) -> [Int] {
        var counts: [Int] = []
        var n = 1
        while n <= max(1, runs) && n <= ShardSpec.maxCount {
            counts.append(n)
            n *= 2
        }
        if !counts.contains(count) { counts.append(count) }
        return counts.sorted()
    }
}

import ResultsStore

/// One part of a sharded sweep: the `index`-th (from 1) of `count` disjoint parts of an
/// experiment's grid, as `sweep --shard K/N` names it and a Slurm array task or a Kubernetes
/// completion index chooses it.
public struct ShardSpec: Sendable, Hashable, CustomStringConvertible {
    /// From 1 to `count`.
    public var index: Int
    public var count: Int

    /// The largest number of shards: beyond it every shard of any real grid is empty.
    public static let maxCount = 100_000

    public init(index: Int, count: Int) throws(ShardSpecError) {
        guard count >= 1, count <= Self.maxCount else { throw .countOutOfRange(count) }
        guard index >= 1, index <= count else { throw .indexOutOfRange(index, count) }
        self.index = index; self.count = count
    }

    /// A shard known to be valid (1 <= index <= count).
    init(validIndex index: Int, count: Int) {
        self.index = index; self.count = count
    }

    /// The whole grid: shard 1 of 1.
    public static let whole = ShardSpec(validIndex: 1, count: 1)

    /// Reads `K/N`, such as `2/4`.
    public init(parsing text: String) throws(ShardSpecError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else { throw .malformed(text) }
        try self.init(index: k, count: n)
    }

    /// `2/4`.
    public var description: String { "\(index)/\(count)" }
}

/// Why a `K/N` shard is not one.
public enum ShardSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case countOutOfRange(Int)
    case indexOutOfRange(Int, Int)

    public var description: String {
        switch self {
        case .malformed(let text): "a shard is written K/N, such as 2/4 (the second of four parts), got '\(text)'"
        case .countOutOfRange(let n): "the number of shards must be between 1 and \(ShardSpec.maxCount), got \(n)"
        case .indexOutOfRange(let k, let n): "the shard must be between 1 and \(n) in K/\(n), got \(k)"
        }
    }
}

extension SweepPlan {
    /// The cells of each of `count` shards, each list in the plan's key order.
    ///
    /// Every cell goes to exactly one shard, so the union of the shards is the grid whatever
    /// `count` is. The assignment depends only on the cells' keys and expected costs, so every
    /// machine of a cluster computes the same one from the same experiment without talking to the
    /// others. Cells are taken heaviest first (equal costs in the order of a stable hash of
    /// their natural key, not the file's order), each given to the shard with the least
    /// expected cost so far (fewest cells, then lowest index, on a tie): Graham's
    /// longest-processing-time rule, whose largest shard is within 4/3 of the best possible.
    /// The heaviest cells (the 3M-user runs) thus go to different shards instead of the first.
    ///
    /// - Complexity: O(c log c + c n) for c cells and n shards.
    public func shardCells(count: Int) -> [[SweepCell]] {
        precondition(count >= 1, "at least one shard")
        let order = cells.indices.sorted { a, b in
            let (ca, cb) = (cells[a], cells[b])
            if ca.weight != cb.weight { return ca.weight > cb.weight }
            let (ha, hb) = (ca.key.stableHash, cb.key.stableHash)
            if ha != hb { return ha < hb }
            return a < b
        }
        var load = [Double](repeating: 0, count: count)
        var members = [[Int]](repeating: [], count: count)
        for i in order {
            var best = 0
            for s in 1..<count where (load[s], members[s].count) < (load[best], members[best].count) { best = s }
            load[best] += cells[i].weight
            members[best].append(i)
        }
        return members.map { $0.sorted().map { cells[$0] } }
    }

    /// The plan of one shard: the same experiment, only that shard's cells (in key order).
    public func shard(_ spec: ShardSpec) -> SweepPlan {
        var part = self
        part.cells = shardCells(count: spec.count)[spec.index - 1]
        return part
    }

    /// The sum of the cells' expected costs.
    public var expectedCost: Double { cells.reduce(0) { $0 + $1.weight } }

    /// The `shards` row for a sweep of `spec`'s part of this plan (1/1: the whole grid): which
    /// part, how many runs of how many, and every cell of the grid with the hashes of the model
    /// and pricing files that made it, so that `merge` can tell shards of one grid from shards
    /// made from other files.
    public func shardRecord(_ spec: ShardSpec, programVersion: String) -> ShardRecord {
        let part = spec.count == 1 ? self : shard(spec)
        var seen = Set<String>()
        var grid: [ShardRecord.GridCell] = []
        for c in cells {
            let cell = ShardRecord.GridCell(configuration: c.key.configuration, variant: c.key.variant, users: c.key.users,
                                            modelSHA256: c.provenance.modelSHA256, pricingSHA256: c.provenance.pricingSHA256)
            if seen.insert(cell.name).inserted { grid.append(cell) }
        }
        return ShardRecord(experiment: experiment.name, shardIndex: spec.index, shardCount: spec.count,
                           programVersion: programVersion, gridRuns: cells.count, shardRuns: part.cells.count,
                           gridCost: expectedCost, shardCost: part.expectedCost, grid: grid)
    }
}

extension RunKey {
    /// FNV-1a (64 bits) of the key's fields: the same on every machine and in every process
    /// (Swift's `Hasher` is seeded per process, so it cannot order cells across a cluster).
    /// Written here because it is six lines and only orders cells of equal cost.
    var stableHash: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let text = [experiment, configuration, variant, String(users), String(seed), String(replication)].joined(separator: "\u{1F}")
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01b3
        }
        return h
    }
}

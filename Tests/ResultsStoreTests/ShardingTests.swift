import ExperimentRunner
import Foundation
import ModelSchema
import ResultsStore
import Testing

/// `sweep --shard K/N`: the split of a grid into disjoint, balanced parts.
@Suite struct ShardingTests {
    /// A grid of `count` cells made from the tiny plan's first cell, with user counts drawn by a
    /// repeatable generator from a wide range (so costs differ by orders of magnitude, with ties).
    static func grid(_ count: Int, seed: UInt64) throws -> SweepPlan {
        var plan = try Fixtures.tinyPlan(users: [300])
        let template = plan.cells[0]
        var rng = SplitMix(seed)
        let sizes = [300, 1_000, 10_000, 100_000, 1_000_000, 3_000_000]
        plan.cells = (0..<count).map { i in
            var c = template
            c.key.users = sizes[Int(rng.next() % UInt64(sizes.count))]
            c.key.configuration = "c\(i % 5)"
            c.key.seed = i
            return c
        }
        return plan
    }

    @Test func theShardsPartitionTheGridWhateverTheirNumber() throws {
        for seed in UInt64(1)...8 {
            let plan = try Self.grid(Int(seed) * 7, seed: seed)
            let keys = plan.cells.map(\.key)
            for n in [1, 2, 3, 4, 5, 7, 16, keys.count, keys.count + 3] {
                let shards = plan.shardCells(count: n)
                #expect(shards.count == n)
                let all = shards.flatMap { $0.map(\.key) }
                #expect(all.count == keys.count, "seed \(seed), \(n) shards: a cell in two shards or in none")
                #expect(Set(all) == Set(keys))
                // Each shard keeps the plan's key order.
                for s in shards {
                    let positions = s.map { k in keys.firstIndex(of: k.key)! }
                    #expect(positions == positions.sorted())
                }
                // `shard(_:)` is the same split, one part at a time.
                for k in 1...n {
                    #expect(plan.shard(try ShardSpec(index: k, count: n)).cells.map(\.key) == shards[k - 1].map(\.key))
                }
            }
        }
    }

    /// Graham's bound for any list schedule: the largest shard is at most the mean plus the
    /// heaviest run (times 1 - 1/n); and no shard holds two of the heaviest runs while another
    /// shard holds none of them.
    @Test func theShardsAreBalancedByExpectedCost() throws {
        for seed in UInt64(1)...8 {
            let plan = try Self.grid(40, seed: seed)
            let total = plan.expectedCost
            let heaviest = plan.cells.map(\.weight).max()!
            for n in [2, 3, 4, 6, 10] {
                let costs = plan.shardCells(count: n).map { $0.reduce(0) { $0 + $1.weight } }
                #expect(costs.max()! <= total / Double(n) + heaviest * (1 - 1 / Double(n)) + 1e-6, "seed \(seed), \(n) shards: \(costs)")
                let heavy = plan.shardCells(count: n).map { $0.filter { $0.weight == heaviest }.count }
                #expect(heavy.max()! - heavy.min()! <= 1, "seed \(seed), \(n) shards: heaviest runs per shard \(heavy)")
            }
        }
    }

    @Test func theSplitDependsOnTheCellsNotOnTheirOrderInTheFile() throws {
        let plan = try Self.grid(30, seed: 3)
        var reversed = plan
        reversed.cells.reverse()
        for n in [2, 4, 7] {
            let a = plan.shardCells(count: n).map { Set($0.map(\.key)) }
            let b = reversed.shardCells(count: n).map { Set($0.map(\.key)) }
            #expect(a == b)
            #expect(a == plan.shardCells(count: n).map { Set($0.map(\.key)) })
        }
    }

    /// The roadmap's largest runs (3M users) are most of its work: whatever the number of
    /// shards, they are spread so that no shard holds two more of them than another.
    @Test func theRoadmapsLargestRunsGoToDifferentShards() throws {
        let experiment = try ExperimentFile.load(Fixtures.projectRoot + "/Experiments/roadmap.yaml")
        let plan = try SweepPlan.prepare(experiment, programVersion: "test")
        let largest = try #require(plan.cells.map(\.key.users).max())
        let count = plan.cells.filter { $0.key.users == largest }.count
        #expect(count >= 5)
        for n in [4, 5, 8, count] {
            let big = plan.shardCells(count: n).map { $0.filter { $0.key.users == largest }.count }
            #expect(big.reduce(0, +) == count)
            #expect(big.max()! - big.min()! <= 1, "\(n) shards: \(big)")
        }
        let split = ShardPlan(plan, shards: 4)
        #expect(split.shards.map(\.cells.count).reduce(0, +) == plan.cells.count)
        #expect(abs(split.shards.map(\.share).reduce(0, +) - 1) < 1e-9)
        #expect(split.speedUp > 3 && split.speedUp <= 4)
    }

    @Test func aShardIsWrittenKSlashN() throws {
        #expect(try ShardSpec(parsing: "2/4") == ShardSpec(index: 2, count: 4))
        #expect(try ShardSpec(parsing: "1/1").description == "1/1")
        let bad: [(String, ShardSpecError)] = [
            ("0/4", .indexOutOfRange(0, 4)), ("5/4", .indexOutOfRange(5, 4)), ("2/0", .countOutOfRange(0)),
            ("2", .malformed("2")), ("2/4/8", .malformed("2/4/8")), ("a/4", .malformed("a/4")), ("", .malformed("")),
            ("1/100001", .countOutOfRange(100_001)),
        ]
        for (text, error) in bad {
            #expect(throws: error) { try ShardSpec(parsing: text) }
        }
        #expect(ShardSpecError.indexOutOfRange(5, 4).description == "the shard must be between 1 and 4 in K/4, got 5")
    }

    @Test func theShardRecordDescribesTheWholeGrid() throws {
        let plan = try Fixtures.tinyPlan()
        let record = plan.shardRecord(try ShardSpec(index: 2, count: 3), programVersion: "test")
        #expect(record.shardName == "2/3")
        #expect(record.gridRuns == plan.cells.count)
        #expect(record.shardRuns == plan.shard(try ShardSpec(index: 2, count: 3)).cells.count)
        #expect(record.grid.map(\.name) == ["current/default/300", "current/default/600", "phase2/default/300", "phase2/default/600"])
        #expect(record.grid.allSatisfy { $0.modelSHA256.count == 64 })
        // Every shard of one grid records the same grid, byte for byte.
        #expect(plan.shardRecord(try ShardSpec(index: 1, count: 3), programVersion: "test").gridCells == record.gridCells)
    }
}

/// SplitMix64: a repeatable generator for test data.
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

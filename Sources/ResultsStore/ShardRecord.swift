import Foundation
import GRDB

/// A row of `shards`: which part of an experiment's grid the runs in this database were made as
/// (`sweep --shard K/N`; an unsharded sweep is shard 1 of 1), with the whole grid's cells and
/// the hashes of the files that made each, so that `merge` can refuse shards of different model
/// or experiment files even when they share no run, and say when the merged grid is complete.
///
/// A sweep's database holds one row per experiment; a merged database one per shard merged.
public struct ShardRecord: Sendable, Equatable {
    public var experiment: String
    /// From 1 to `shardCount`.
    public var shardIndex: Int
    public var shardCount: Int
    public var programVersion: String
    /// Runs in the whole grid, and in this shard.
    public var gridRuns: Int
    public var shardRuns: Int
    /// Expected cost (the cells' weights: users x simulated hours + a fixed cost per run) of the
    /// whole grid and of this shard.
    public var gridCost: Double
    public var shardCost: Double
    /// JSON array of the grid's cells in the plan's order, each with its model and pricing hashes.
    public var gridCells: String

    /// One cell of the grid (a configuration, variant and user count; every seed and
    /// replication of it shares the model).
    public struct GridCell: Sendable, Hashable, Codable {
        public var configuration: String
        public var variant: String
        public var users: Int
        public var modelSHA256: String
        public var pricingSHA256: String

        public init(configuration: String, variant: String, users: Int, modelSHA256: String, pricingSHA256: String) {
            self.configuration = configuration; self.variant = variant; self.users = users
            self.modelSHA256 = modelSHA256; self.pricingSHA256 = pricingSHA256
        }

        /// `phase3/default/1000000`.
        public var name: String { "\(configuration)/\(variant)/\(users)" }

        enum CodingKeys: String, CodingKey {
            case configuration, variant, users
            case modelSHA256 = "model_sha256"
            case pricingSHA256 = "pricing_sha256"
        }

        /// The object as JSON with its keys sorted, the same bytes every time.
        var json: String {
            "{\"configuration\":\(TextList.quote(configuration)),\"model_sha256\":\(TextList.quote(modelSHA256)),"
                + "\"pricing_sha256\":\(TextList.quote(pricingSHA256)),\"users\":\(users),\"variant\":\(TextList.quote(variant))}"
        }
    }

    public init(experiment: String, shardIndex: Int, shardCount: Int, programVersion: String, gridRuns: Int, shardRuns: Int,
                gridCost: Double, shardCost: Double, grid: [GridCell]) {
        self.experiment = experiment; self.shardIndex = shardIndex; self.shardCount = shardCount
        self.programVersion = programVersion; self.gridRuns = gridRuns; self.shardRuns = shardRuns
        self.gridCost = gridCost; self.shardCost = shardCost
        self.gridCells = "[" + grid.map(\.json).joined(separator: ",") + "]"
    }

    /// The grid's cells (empty if the column was edited into something else than the JSON written).
    public var grid: [GridCell] {
        (try? JSONDecoder().decode([GridCell].self, from: Data(gridCells.utf8))) ?? []
    }

    /// `2/4`.
    public var shardName: String { "\(shardIndex)/\(shardCount)" }
}

extension ShardRecord: Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "shards"

    enum CodingKeys: String, CodingKey {
        case experiment
        case shardIndex = "shard_index"
        case shardCount = "shard_count"
        case programVersion = "program_version"
        case gridRuns = "grid_runs"
        case shardRuns = "shard_runs"
        case gridCost = "grid_cost"
        case shardCost = "shard_cost"
        case gridCells = "grid_cells"
    }

    public enum Columns {
        public static let experiment = Column(CodingKeys.experiment)
        public static let shardIndex = Column(CodingKeys.shardIndex)
        public static let shardCount = Column(CodingKeys.shardCount)
    }
}

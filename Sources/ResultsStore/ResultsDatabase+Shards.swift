import GRDB

extension ResultsDatabase {
    /// Records an experiment and the part of its grid this database is to hold (`sweep
    /// --shard K/N`, or 1/1), before its runs, in one transaction. The experiment's earlier
    /// `shards` rows are replaced: a sweep's database holds the part its last sweep made. With
    /// `replacing`, the experiment's earlier runs are deleted first. Returns how many runs were deleted.
    @discardableResult
    public func begin(_ experiment: ExperimentRecord, shard: ShardRecord, replacing: Bool) throws -> Int {
        precondition(shard.experiment == experiment.name, "a shard row of another experiment")
        return try writer.write { db in
            let deleted = try Self.begin(experiment, replacing: replacing, db)
            try ShardRecord.filter(ShardRecord.Columns.experiment == experiment.name).deleteAll(db)
            try shard.insert(db)
            return deleted
        }
    }

    /// The `shards` rows of an experiment, by shard count then index.
    public func shards(experiment name: String) throws -> [ShardRecord] {
        try writer.read { db in try Self.shards(experiment: name, db) }
    }

    static func shards(experiment name: String, _ db: Database) throws -> [ShardRecord] {
        try ShardRecord.filter(ShardRecord.Columns.experiment == name)
            .order(ShardRecord.Columns.shardCount, ShardRecord.Columns.shardIndex).fetchAll(db)
    }
}

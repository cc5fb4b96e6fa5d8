import GRDB

extension ResultsDatabase {
    /// All experiments, by name.
    public func experiments() throws -> [ExperimentRecord] {
        try writer.read { db in try ExperimentRecord.order(ExperimentRecord.Columns.name).fetchAll(db) }
    }

    public func experiment(named name: String) throws -> ExperimentRecord? {
        try writer.read { db in try ExperimentRecord.fetchOne(db, key: name) }
    }

    /// The `runs` rows of an experiment (without their other rows), in key order.
    public func runRecords(experiment name: String) throws -> [RunRecord] {
        try writer.read { db in
            try RunRecord.filter(RunRecord.Columns.experiment == name).order(Self.keyOrder).fetchAll(db)
        }
    }

    /// Every run of an experiment with all its rows, in key order.
    public func storedRuns(experiment name: String) throws -> [StoredRun] {
        try writer.read { db in try Self.storedRuns(where: "experiment = ?", [name], db) }
    }

    /// The runs whose key columns match `condition` (SQL over the six key columns, with
    /// `arguments`), with all their rows, in key order.
    static func storedRuns(where condition: String, _ arguments: StatementArguments, _ db: Database) throws -> [StoredRun] {
        let runs = try RunRecord.fetchAll(db, sql: "SELECT * FROM runs WHERE \(condition) ORDER BY configuration, variant, users, seed, replication",
                                          arguments: arguments)
        func rows<R: FetchableRecord & TableRecord & RunKeyed>(_ type: R.Type, _ order: String) throws -> [RunKey: [R]] {
            let all = try R.fetchAll(db, sql: "SELECT * FROM \(R.databaseTableName) WHERE \(condition) ORDER BY \(order)", arguments: arguments)
            return Dictionary(grouping: all, by: \.runKey)
        }
        let components = try rows(ComponentMetricRecord.self, "position")
        let endpoints = try rows(EndpointLatencyRecord.self, "position")
        let errors = try rows(ErrorCountRecord.self, "position")
        let costs = try rows(CostItemRecord.self, "position")
        let caches = try rows(CacheHitRateRecord.self, "position")
        let jobs = try rows(JobRecord.self, "position")
        let series = try rows(TimeSeriesRecord.self, "t_s")
        // A database written before v4-component-series has no such table: no series then.
        let componentSeries = try db.tableExists(ComponentSeriesRecord.databaseTableName)
            ? try rows(ComponentSeriesRecord.self, "position") : [:]
        return runs.map { r in
            let k = r.runKey
            return StoredRun(run: r, components: components[k] ?? [], endpoints: endpoints[k] ?? [], errors: errors[k] ?? [],
                             costItems: costs[k] ?? [], caches: caches[k] ?? [], jobs: jobs[k] ?? [], timeSeries: series[k] ?? [],
                             componentSeries: componentSeries[k] ?? [])
        }
    }

    /// Everything a report needs about one experiment; nil when the database has no such experiment.
    public func results(experiment name: String) throws -> ExperimentResults? {
        guard let e = try experiment(named: name) else { return nil }
        return ExperimentResults(experiment: e, runs: try storedRuns(experiment: name))
    }

    static var keyOrder: [SQLOrderingTerm] {
        [RunRecord.Columns.configuration, RunRecord.Columns.variant, RunRecord.Columns.users,
         RunRecord.Columns.seed, RunRecord.Columns.replication]
    }
}

/// One experiment as the database holds it.
public struct ExperimentResults: Sendable, Equatable {
    public var experiment: ExperimentRecord
    public var runs: [StoredRun]
    public init(experiment: ExperimentRecord, runs: [StoredRun]) { self.experiment = experiment; self.runs = runs }
}

import Foundation
import GRDB

/// The results database: one SQLite file holding experiments and their runs (schema in
/// README.md). Safe to use from several threads; writes are serialised, and each run is
/// written in one transaction, so an interrupted sweep leaves whole runs only.
public final class ResultsDatabase: Sendable {
    let writer: DatabaseQueue

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        writer = try DatabaseQueue(path: path, configuration: Self.configuration)
        try Self.migrator.migrate(writer)
    }

    /// A database already open (for `merge`: an input read-only, or a copy in memory).
    init(queue: DatabaseQueue) {
        writer = queue
    }

    /// A database in memory, for tests.
    public init() throws {
        writer = try DatabaseQueue(configuration: Self.configuration)
        try Self.migrator.migrate(writer)
    }

    static var configuration: Configuration {
        var c = Configuration()
        c.foreignKeysEnabled = true
        c.label = "ResultsDatabase"
        // A `report` reading while a sweep writes (or the other way round) waits its turn
        // instead of failing at once with SQLITE_BUSY.
        c.busyMode = .timeout(30)
        return c
    }

    /// The migrations applied, in order ("v1", ...).
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// The tables the database has, by name.
    public func tables() throws -> [String] {
        try writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name")
        }
    }

    /// The columns of one table, in order.
    public func columns(of table: String) throws -> [String] {
        try writer.read { db in try db.columns(in: table).map(\.name) }
    }

    // MARK: Writing

    /// Records an experiment before its runs. With `replacing`, its earlier runs are deleted
    /// first; without, they are kept (`--resume`). Returns how many runs were deleted.
    @discardableResult
    public func begin(_ experiment: ExperimentRecord, replacing: Bool) throws -> Int {
        try writer.write { db in try Self.begin(experiment, replacing: replacing, db) }
    }

    /// The body of ``begin(_:replacing:)``, inside the caller's transaction.
    static func begin(_ experiment: ExperimentRecord, replacing: Bool, _ db: Database) throws -> Int {
        var deleted = 0
        if replacing {
            deleted = try RunRecord.filter(RunRecord.Columns.experiment == experiment.name).deleteAll(db)
        }
        try experiment.upsert(db)
        return deleted
    }

    /// Writes one run, all of its rows or none: any run with the same key is replaced.
    public func save(_ run: StoredRun) throws {
        try writer.write { db in try Self.insert(run, db) }
    }

    /// The body of ``save(_:)``, inside the caller's transaction.
    static func insert(_ run: StoredRun, _ db: Database) throws {
        _ = try RunRecord.deleteOne(db, key: keyValues(run.key))
        try run.run.insert(db)
        for r in run.components { try r.insert(db) }
        for r in run.endpoints { try r.insert(db) }
        for r in run.errors { try r.insert(db) }
        for r in run.costItems { try r.insert(db) }
        for r in run.caches { try r.insert(db) }
        for r in run.jobs { try r.insert(db) }
        for r in run.timeSeries { try r.insert(db) }
    }

    /// Deletes some runs (with all their rows) in one transaction.
    public func delete(_ keys: [RunKey]) throws {
        try writer.write { db in
            for k in keys { _ = try RunRecord.deleteOne(db, key: Self.keyValues(k)) }
        }
    }

    static func keyValues(_ k: RunKey) -> [String: (any DatabaseValueConvertible)?] {
        ["experiment": k.experiment, "configuration": k.configuration, "variant": k.variant,
         "users": k.users, "seed": k.seed, "replication": k.replication]
    }
}

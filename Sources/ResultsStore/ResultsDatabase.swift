import Foundation
import GRDB

/// The results database: one SQLite file holding experiments and their runs (schema in
/// README.md). Safe to use from several threads; writes are serialised, and each run is
/// written in one transaction, so an interrupted sweep leaves whole runs only.
public final class ResultsDatabase: Sendable {
    let writer: DatabaseQueue

    /// How a command opens the database.
    public enum Access: Sendable {
        /// Creates the file if needed and brings an older schema up to date (`sweep`, `notebook --db`).
        case write
        /// Never creates, writes or migrates anything (`report`, `serve`): the file must be a
        /// results database whose schema this program reads.
        case read
    }

    /// Why a file cannot be used as the results database, in one line.
    public struct OpenError: Error, CustomStringConvertible, Equatable {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public convenience init(path: String) throws {
        try self.init(path: path, access: .write)
    }

    /// Opens the database at `path`. Refused, with nothing created or changed: an empty path,
    /// SQLite's in-memory names (results that vanish at exit), a folder, another program's
    /// SQLite file, a database written by a newer version of this program, and, for reading,
    /// a missing or empty file.
    public init(path: String, access: Access) throws {
        try Self.checkPath(path)
        let exists = FileManager.default.fileExists(atPath: path)
        if access == .read && !exists { throw OpenError("no such results database '\(path)'") }
        if exists {
            // Looked at read-only first, so that refusing a file never changes it.
            var readOnly = Self.configuration
            readOnly.readonly = true
            let probe: DatabaseQueue
            do { probe = try DatabaseQueue(path: path, configuration: readOnly) } catch {
                throw OpenError("'\(path)' is not a SQLite database: \(Self.reason(error))")
            }
            let state: SchemaState
            do { state = try probe.read { try Self.schemaState($0) } } catch {
                throw OpenError("'\(path)' is not a SQLite database: \(Self.reason(error))")
            }
            try probe.close()
            try Self.check(state, path: path, access: access)
            if access == .read {
                writer = try DatabaseQueue(path: path, configuration: readOnly)
                return
            }
        }
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

    // MARK: Opening

    /// What a file holds, before anything is written to it.
    struct SchemaState {
        var tables: [String]
        var migrations: [String]
        var newestProgramVersion: String?
    }

    static func schemaState(_ db: Database) throws -> SchemaState {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        let migrations = tables.contains("grdb_migrations") ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
        var version: String?
        if tables.contains("runs") {
            let versions = try String.fetchAll(db, sql: "SELECT DISTINCT program_version FROM runs")
            version = versions.max { a, b in a.compare(b, options: .numeric) == .orderedAscending }
        }
        return SchemaState(tables: tables, migrations: migrations, newestProgramVersion: version)
    }

    static func check(_ state: SchemaState, path: String, access: Access) throws {
        let known = migrationNames
        if state.tables.isEmpty {
            if access == .read { throw OpenError("'\(path)' is empty: not a results database (a sweep writes one)") }
            return
        }
        guard state.tables.contains("grdb_migrations"), state.tables.contains("experiments"), !state.migrations.isEmpty else {
            let shown = state.tables.prefix(5).joined(separator: ", ") + (state.tables.count > 5 ? ", ..." : "")
            throw OpenError("'\(path)' is not a PlatformSim results database (its tables: \(shown)); refusing to \(access == .read ? "read" : "write into") it")
        }
        let unknown = state.migrations.filter { !known.contains($0) }
        if !unknown.isEmpty {
            let by = state.newestProgramVersion.map { " (runs made by platform-sim \($0))" } ?? ""
            throw OpenError("'\(path)' was written by a newer PlatformSim: schema \(state.migrations.joined(separator: ", "))\(by); this program (schema \(known.joined(separator: ", "))) cannot read it")
        }
        if access == .read, !Set(known).subtracting(state.migrations).isSubset(of: readableWithout) {
            throw OpenError("'\(path)' has an older schema (\(state.migrations.joined(separator: ", "))); a sweep into it brings it up to date")
        }
    }

    /// The identifiers of every migration this program knows, in order.
    static var migrationNames: [String] { migrator.migrations }

    static func checkPath(_ path: String) throws {
        if path.isEmpty { throw OpenError("the results database needs a file path, got an empty one") }
        let lowered = path.lowercased()
        if lowered == ":memory:" || lowered.hasPrefix("file:") {
            throw OpenError("the results database must be a file ('\(path)' would keep nothing after the command ends)")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw OpenError("'\(path)' is a folder, not a results database file")
        }
    }

    static func reason(_ error: Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        return "\(error)"
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
        for r in run.componentSeries { try r.insert(db) }
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

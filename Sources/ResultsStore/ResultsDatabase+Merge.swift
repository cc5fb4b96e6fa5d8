import Formatting
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a merge was refused, about one file: printed as `FILE: error: MESSAGE`.
public struct MergeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var message: String
    public init(file: String, message: String) { self.file = file; self.message = message }
    public var description: String { ErrorLine.format(file: file, message: message) }
}

extension ResultsDatabase {
    /// What a merge did, and how complete each experiment it touched now is.
    public struct MergeReport: Sendable, Equatable {
        /// Runs written, and runs left alone because the output already held the same run.
        public var added = 0
        public var alreadyThere = 0
        /// The experiments of the inputs, in the order first met.
        public var experiments: [MergedExperiment] = []
    }

    /// One experiment of a merged database.
    public struct MergedExperiment: Sendable, Equatable {
        public var name: String
        /// Runs the merged database holds.
        public var runs: Int
        /// Runs in the whole grid, from the `shards` rows; nil when no input recorded its part of
        /// the grid (a database written before shards were recorded).
        public var gridRuns: Int?
        /// The shards merged so far (`1/4`, ...), and those of the same count not merged yet.
        public var shards: [String]
        public var missingShards: [String]
        /// Shards of this merge's inputs holding fewer runs than assigned (a sweep stopped part way).
        public var partialShards: [PartialShard]

        public var isComplete: Bool { gridRuns == runs }
    }

    /// A shard database holding only some of its runs.
    public struct PartialShard: Sendable, Equatable {
        public var file: String
        public var shard: String
        public var runs: Int
        public var assigned: Int
    }

    /// Combines results databases (typically the shards of one sweep) into `out`, which is
    /// created or added to.
    ///
    /// Runs are keyed by their natural keys. A run already in `out` (or in an earlier input)
    /// is left alone when it is the same run (every row equal but the machine's `wall_s`), so
    /// merging a shard twice changes nothing. The merge is refused, with one line naming the
    /// file, when inputs disagree about an experiment: another experiment file (its SHA-256),
    /// other model or pricing files for a cell of the grid (their SHA-256, compared through the
    /// grid every shard records even when two shards share no run), another program version,
    /// or the same run with other results. Inputs are only read, never written or migrated.
    ///
    /// Atomic: the merge is made in a temporary file beside `out` (a copy of `out` when it
    /// exists), in one transaction, and renamed over `out` only when everything succeeded; a
    /// failed or interrupted merge leaves `out` as it was. With `requireComplete`, a merge that
    /// leaves an experiment's grid incomplete is a failure too.
    public static func merge(_ inputs: [String], into out: String, requireComplete: Bool = false) throws(MergeError) -> MergeReport {
        guard !inputs.isEmpty else { throw MergeError(file: out, message: "no databases to merge") }
        // The message names the path (an empty one, `:memory:`).
        do { try checkPath(out) } catch { throw MergeError(file: "", message: "\(error)") }
        // Every input opens before anything is written: a missing or foreign file writes nothing.
        var sources: [(path: String, database: ResultsDatabase)] = []
        for path in inputs { sources.append((path, try openForMerge(path))) }
        var isFolder: ObjCBool = false
        let outExists = FileManager.default.fileExists(atPath: out, isDirectory: &isFolder)
        if isFolder.boolValue { throw MergeError(file: out, message: "is a folder, not a results database") }
        let folder = URL(fileURLWithPath: out).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw MergeError(file: out, message: "cannot be written: there is no folder \(folder)")
        }
        let existing = outExists ? try openForMerge(out) : nil

        let temporary = temporaryPath(beside: out)
        var renamed = false
        defer {
            if !renamed {
                for suffix in ["", "-journal", "-wal", "-shm"] { unlink(temporary + suffix) }
            }
        }
        var merger = Merger(out: out)
        let report: MergeReport
        do {
            let queue = try DatabaseQueue(path: temporary, configuration: configuration)
            if let existing { try existing.writer.backup(to: queue) }
            try migrator.migrate(queue)
            report = try queue.write { db in
                try merger.start(db)
                for source in sources { try merger.add(source.path, source.database, db) }
                let report = try merger.report(db)
                if requireComplete, let e = report.experiments.first(where: { !$0.isComplete }) {
                    throw MergeError(file: out, message: "not written: experiment '\(e.name)' would be incomplete (\(e.statusText))")
                }
                return report
            }
            try queue.close()
        } catch let error as MergeError {
            throw error
        } catch {
            throw MergeError(file: merger.current, message: describe(error))
        }
        guard rename(temporary, out) == 0 else {
            throw MergeError(file: out, message: "cannot replace it: \(String(cString: strerror(errno)))")
        }
        renamed = true
        return report
    }

    /// Opens a database to merge without writing to it. One written by an earlier schema is
    /// copied into memory and brought up to date there; one from a newer program is refused.
    static func openForMerge(_ path: String) throws(MergeError) -> ResultsDatabase {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw MergeError(file: path, message: "no such file")
        }
        guard !isFolder.boolValue else { throw MergeError(file: path, message: "is a folder, not a results database") }
        var readOnly = configuration
        readOnly.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: readOnly)
            let (known, superseded, complete) = try queue.read { db in
                guard try db.tableExists("grdb_migrations"), try db.tableExists("runs") else { return (false, false, false) }
                return (true, try migrator.hasBeenSuperseded(db), try migrator.hasCompletedMigrations(db))
            }
            guard known else { throw MergeError(file: path, message: "is not a results database (it has no 'runs' table)") }
            guard !superseded else {
                throw MergeError(file: path, message: "was written by a newer platform-sim (its schema has migrations this one does not know); merge with that version")
            }
            if complete { return ResultsDatabase(queue: queue) }
            let copy = try DatabaseQueue(configuration: configuration)
            try queue.backup(to: copy)
            try migrator.migrate(copy)
            return ResultsDatabase(queue: copy)
        } catch let error as MergeError {
            throw error
        } catch {
            throw MergeError(file: path, message: describe(error))
        }
    }

    /// A file name beside `out`, in the same folder so that the final rename is atomic.
    static func temporaryPath(beside out: String) -> String {
        let url = URL(fileURLWithPath: out)
        let name = ".\(url.lastPathComponent).merging-\(getpid())-\(UUID().uuidString.prefix(8))"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// An SQLite failure as a sentence for a person.
    static func describe(_ error: any Error) -> String {
        guard let e = error as? DatabaseError else { return "\(error)" }
        switch e.extendedResultCode {
        case .SQLITE_NOTADB: return "is not an SQLite database"
        case .SQLITE_READONLY_ROLLBACK:
            return "holds a run that was being written when its sweep stopped (a journal file is beside it); rerun that sweep with --resume, which rolls it back and makes the missing runs, then merge"
        case .SQLITE_BUSY, .SQLITE_LOCKED: return "is locked by another process (a sweep still writing it?)"
        default: return e.message ?? "\(e)"
        }
    }
}

extension ResultsDatabase.MergedExperiment {
    /// `30 of 30 runs (shards 1/4, 2/4, 3/4, 4/4)`, with what is missing.
    public var statusText: String {
        guard let gridRuns else {
            return "\(runs) runs; the size of its grid is unknown (made before platform-sim recorded shards)"
        }
        var text = "\(runs) of \(gridRuns) runs"
        if !shards.isEmpty { text += " (shards " + shards.joined(separator: ", ") + ")" }
        if !missingShards.isEmpty { text += "; not merged yet: shard " + missingShards.joined(separator: ", ") }
        for p in partialShards {
            text += "; shard \(p.shard) in \(p.file) holds \(p.runs) of its \(p.assigned) runs (rerun it with --resume)"
        }
        return text
    }
}

/// The checks and state of one merge, inside the output's transaction.
private struct Merger {
    let out: String
    /// The file being read, for an error that is not ours.
    var current: String
    /// Per experiment: where its `experiments` row, its program version and its grid were first seen.
    var experimentFrom: [String: String] = [:]
    var version: [String: (version: String, file: String)] = [:]
    var grid: [String: (cells: [String: ShardRecord.GridCell], text: String, file: String)] = [:]
    /// Where each run came from, for runs checked against a grid learned later.
    var runFrom: [RunKey: String] = [:]
    var order: [String] = []
    var partial: [String: [ResultsDatabase.PartialShard]] = [:]
    var report = ResultsDatabase.MergeReport()

    init(out: String) { self.out = out; current = out }

    /// Learns what the output already holds (its versions and grids), checking it is consistent.
    mutating func start(_ db: Database) throws {
        current = out
        for e in try ExperimentRecord.fetchAll(db) {
            experimentFrom[e.name] = out
            let versions = try String.fetchAll(db, sql: "SELECT DISTINCT program_version FROM runs WHERE experiment = ? UNION SELECT program_version FROM shards WHERE experiment = ? ORDER BY 1", arguments: [e.name, e.name])
            try learnVersions(Set(versions), experiment: e.name, file: out)
            for s in try ResultsDatabase.shards(experiment: e.name, db) { try learnGrid(s, file: out, db) }
        }
    }

    mutating func add(_ path: String, _ source: ResultsDatabase, _ db: Database) throws {
        current = path
        let experiments = try source.experiments()
        for e in experiments {
            if !order.contains(e.name) { order.append(e.name) }
            if let have = try ExperimentRecord.fetchOne(db, key: e.name) {
                if let difference = Self.difference(have, e, there: experimentFrom[e.name] ?? out) {
                    throw MergeError(file: path, message: "experiment '\(e.name)' \(difference); merge only shards of one experiment file (or merge into another database)")
                }
            } else {
                try e.insert(db)
                experimentFrom[e.name] = path
            }
            let shards = try source.shards(experiment: e.name)
            let runs = try source.storedRuns(experiment: e.name)
            try learnVersions(Set(runs.map(\.run.programVersion) + shards.map(\.programVersion)), experiment: e.name, file: path)
            for s in shards { try learnGrid(s, file: path, db) }
            for r in runs { try add(r, from: path, db) }
            for s in shards {
                if let have = try ShardRecord.fetchOne(db, key: ["experiment": s.experiment, "shard_count": s.shardCount, "shard_index": s.shardIndex]) {
                    guard have == s else {
                        throw MergeError(file: path, message: "shard \(s.shardName) of '\(e.name)' was recorded differently in \(experimentFrom[e.name] ?? out) (runs \(have.shardRuns) there, \(s.shardRuns) here)")
                    }
                } else {
                    try s.insert(db)
                }
                if shards.count == 1, runs.count < s.shardRuns {
                    partial[e.name, default: []].append(.init(file: path, shard: s.shardName, runs: runs.count, assigned: s.shardRuns))
                }
            }
        }
    }

    /// One run: written when new, left alone when the output holds the same run, refused when
    /// it holds another run under the same key.
    mutating func add(_ run: StoredRun, from path: String, _ db: Database) throws {
        let key = run.key
        try check(key: key, model: run.run.modelSHA256, pricing: run.run.pricingSHA256, from: path)
        let condition = "experiment = ? AND configuration = ? AND variant = ? AND users = ? AND seed = ? AND replication = ?"
        let arguments: StatementArguments = [key.experiment, key.configuration, key.variant, key.users, key.seed, key.replication]
        if let have = try ResultsDatabase.storedRuns(where: condition, arguments, db).first {
            let there = runFrom[key] ?? out
            if have.run.modelSHA256 != run.run.modelSHA256 || have.run.pricingSHA256 != run.run.pricingSHA256 {
                throw MergeError(file: path, message: "run \(key) was made from other model or pricing files here (model sha256 \(Self.short(run.run.modelSHA256))) than in \(there) (\(Self.short(have.run.modelSHA256))); rerun the stale shards or merge into another database")
            }
            var a = have, b = run
            a.run.wallS = 0; b.run.wallS = 0
            // A run stored before per-component series were kept (v4-component-series) is the
            // same run without them; the one with them is kept.
            let addsSeries = have.componentSeries.isEmpty && !run.componentSeries.isEmpty
            if a.componentSeries.isEmpty || b.componentSeries.isEmpty { a.componentSeries = []; b.componentSeries = [] }
            guard a == b else {
                throw MergeError(file: path, message: "run \(key) has other results than the same run in \(there), although both were made from the same files by the same program version")
            }
            if addsSeries { try ResultsDatabase.insert(run, db) }
            report.alreadyThere += 1
            return
        }
        try ResultsDatabase.insert(run, db)
        runFrom[key] = path
        report.added += 1
    }

    /// All runs and shards of one experiment must come from one program version.
    mutating func learnVersions(_ versions: Set<String>, experiment: String, file: String) throws {
        guard !versions.isEmpty else { return }
        guard versions.count == 1, let v = versions.first else {
            throw MergeError(file: file, message: "holds runs of '\(experiment)' made by several platform-sim versions (\(versions.sorted().joined(separator: ", "))); rerun it without --resume so one version makes them all")
        }
        if let have = version[experiment] {
            guard have.version == v else {
                throw MergeError(file: file, message: "runs of '\(experiment)' were made by platform-sim \(v) here and by \(have.version) in \(have.file); merge only shards made by one version")
            }
        } else {
            version[experiment] = (v, file)
        }
    }

    /// Every shard of an experiment records the same grid (cells and the hashes of the files
    /// that made them). The first grid seen also checks the runs merged before it.
    mutating func learnGrid(_ shard: ShardRecord, file: String, _ db: Database) throws {
        if let have = grid[shard.experiment] {
            guard have.text != shard.gridCells else { return }
            throw MergeError(file: file, message: Self.gridDifference(shard, have.cells, there: have.file))
        }
        let cells = Dictionary(shard.grid.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        grid[shard.experiment] = (cells, shard.gridCells, file)
        for r in try RunRecord.filter(RunRecord.Columns.experiment == shard.experiment).fetchAll(db) {
            try check(key: r.runKey, model: r.modelSHA256, pricing: r.pricingSHA256, from: runFrom[r.runKey] ?? out)
        }
    }

    /// A run belongs to its experiment's grid, made from the same files.
    func check(key: RunKey, model: String, pricing: String, from path: String) throws {
        guard let g = grid[key.experiment] else { return }
        let name = "\(key.configuration)/\(key.variant)/\(key.users)"
        guard let cell = g.cells[name] else {
            throw MergeError(file: path, message: "run \(key) is not in the grid of '\(key.experiment)' recorded in \(g.file)")
        }
        if cell.modelSHA256 != model || cell.pricingSHA256 != pricing {
            throw MergeError(file: path, message: "run \(key) was made from other model or pricing files (model sha256 \(Self.short(model))) than the grid recorded in \(g.file) (\(Self.short(cell.modelSHA256))); rerun the stale shards or merge into another database")
        }
    }

    func report(_ db: Database) throws -> ResultsDatabase.MergeReport {
        var report = self.report
        report.experiments = try order.map { name in
            let runs = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE experiment = ?", arguments: [name]) ?? 0
            let shards = try ResultsDatabase.shards(experiment: name, db)
            var missing: [String] = []
            for (count, group) in Dictionary(grouping: shards, by: \.shardCount).sorted(by: { $0.key < $1.key }) {
                let present = Set(group.map(\.shardIndex))
                missing += (1...count).filter { !present.contains($0) }.map { "\($0)/\(count)" }
            }
            return ResultsDatabase.MergedExperiment(name: name, runs: runs, gridRuns: shards.first?.gridRuns, shards: shards.map(\.shardName),
                                                    missingShards: missing, partialShards: partial[name] ?? [])
        }
        return report
    }

    /// How two `experiments` rows of one name differ, or nil when they agree (the file's path
    /// may differ: shards may name it differently on different machines).
    static func difference(_ a: ExperimentRecord, _ b: ExperimentRecord, there: String) -> String? {
        if a.experimentSHA256 != b.experimentSHA256 {
            return "was made from another experiment file here (sha256 \(short(b.experimentSHA256))) than in \(there) (\(short(a.experimentSHA256)))"
        }
        var x = b
        x.experimentFile = a.experimentFile
        return x == a ? nil : "is recorded differently here than in \(there) (question, grid, SLO or window)"
    }

    /// The first cell on which two grids disagree, as a sentence.
    static func gridDifference(_ shard: ShardRecord, _ cells: [String: ShardRecord.GridCell], there: String) -> String {
        let mine = shard.grid
        for c in mine {
            guard let other = cells[c.name] else {
                return "the shards of '\(shard.experiment)' have other grids: cell \(c.name) is in this one and not in \(there)'s"
            }
            if other.modelSHA256 != c.modelSHA256 || other.pricingSHA256 != c.pricingSHA256 {
                return "shards of '\(shard.experiment)' were made from other model or pricing files: cell \(c.name) has model sha256 \(short(c.modelSHA256)) here and \(short(other.modelSHA256)) in \(there); rerun every shard from the same files"
            }
        }
        let names = Set(mine.map(\.name))
        let extra = cells.keys.sorted().first { !names.contains($0) } ?? "?"
        return "the shards of '\(shard.experiment)' have other grids: cell \(extra) is in \(there)'s and not in this one"
    }

    static func short(_ hash: String) -> String { String(hash.prefix(12)) }
}

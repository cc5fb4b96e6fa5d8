import Foundation

/// Autovacuum's thresholds (postgresql.conf): they decide how many rows change between two
/// vacuums of a table, and so how much of its visibility map is clear on average.
///
/// Why it matters: an index-only scan skips the heap only for rows on pages the visibility map
/// marks all-visible. An update or an insert clears its page's bit; only a vacuum sets it again.
/// Between vacuums the scan fetches every other row from the heap, at a heap row's cost. On the
/// testbed one user's count over 8,446 leads took 0.8 ms after `VACUUM` and 14 to 23 ms after
/// 35,000 random updates (95% of its rows fetched from the heap; Notebooks/validation.md).
public struct AutovacuumModel: Sendable, Equatable {
    /// `autovacuum_vacuum_threshold` and `autovacuum_vacuum_scale_factor`: a table is vacuumed
    /// once its dead rows (one per updated or deleted row) pass threshold + scale factor x rows.
    public var vacuumThreshold: Double
    public var vacuumScaleFactor: Double
    /// `autovacuum_vacuum_insert_threshold` and `autovacuum_vacuum_insert_scale_factor`
    /// (Postgres 13 and later): the same for rows inserted since the last vacuum.
    public var insertThreshold: Double
    public var insertScaleFactor: Double
    /// Pages whose all-visible bit one updated row clears: the page it leaves and, when that
    /// page has no room for the new version (a full page at the default fillfactor of 100), the
    /// page it goes to.
    public var pagesClearedPerUpdate: Double
    public init(vacuumThreshold: Double, vacuumScaleFactor: Double, insertThreshold: Double, insertScaleFactor: Double,
                pagesClearedPerUpdate: Double = 1) {
        self.vacuumThreshold = vacuumThreshold; self.vacuumScaleFactor = vacuumScaleFactor
        self.insertThreshold = insertThreshold; self.insertScaleFactor = insertScaleFactor
        self.pagesClearedPerUpdate = pagesClearedPerUpdate
    }

    /// The share of a table's `pages` not all-visible after `updates` rows were updated since
    /// its last vacuum, each clearing `pagesPerUpdate` pages at random: `1 - exp(-k u / P)`.
    public static func notAllVisibleShare(updates: Double, pages: Double, pagesPerUpdate k: Double) -> Double {
        guard pages > 0 else { return 0 }
        return -expm1(-k * updates / pages)
    }

    /// The same share averaged over a vacuum cycle of `updatesPerCycle` rows, updates coming at
    /// a steady rate (so `u` uniform over the cycle): `1 - (1 - exp(-x)) / x`, `x = k M / P`.
    /// The rate only sets the cycle's length, not the mean.
    public static func meanNotAllVisibleShare(updatesPerCycle m: Double, pages: Double, pagesPerUpdate k: Double) -> Double {
        guard pages > 0 else { return 0 }
        let x = k * m / pages
        guard x > 1e-9 else { return 0 }
        return Swift.min(1, Swift.max(0, 1 + expm1(-x) / x))
    }
}

/// How a write query changes its table's rows (what clears visibility-map bits where).
public enum RowChange: String, Sendable, CaseIterable {
    /// Rows anywhere in the table get a new version: each clears its page's bit.
    case update
    /// New rows at the table's end: only they are on pages not yet all-visible.
    case insert
}

extension PlatformModel {
    /// The share of an index-only scan's rows of table `t` that Postgres fetches from the heap
    /// (on pages not all-visible), averaged over autovacuum's cycle; 0 when autovacuum is not
    /// modelled or no query of the model writes the table.
    ///
    /// - Updated tables: updates land on pages at random, each clearing `k` pages' bits, so
    ///   after `m` updated rows a share `1 - exp(-k m / P)` of the table's `P` pages is not
    ///   all-visible; a vacuum comes after `M = threshold + scale factor x rows` of them. With
    ///   writes at a steady rate the mean over the cycle does not depend on the rate
    ///   (``AutovacuumModel/meanNotAllVisibleShare(updatesPerCycle:pages:pagesPerUpdate:)``).
    ///   Users' rows are taken as spread over the pages like the updates (an assumption: a
    ///   busy user's pages are updated more often than average, so this is a lower bound for
    ///   busy users).
    /// - Insert-only tables: the rows inserted since the last vacuum, on average half the
    ///   insert threshold's `M`, against the table's rows.
    ///
    /// - Parameter shards: the clusters the table is split over (each vacuums its part).
    public func heapFetchShare(table t: Int, shards: Int) -> Double {
        guard let av = database.postgres.autovacuum, database.tables.indices.contains(t) else { return 0 }
        // A write query always has `modifies` (QueryModel's init makes it `.update` by default).
        let changes = Set(writtenQueries().compactMap { database.queries[$0].table == t ? database.queries[$0].modifies : nil })
        guard !changes.isEmpty else { return 0 }
        let table = database.tables[t]
        let rows = table.rowsPerUser * Double(traffic.users) / Double(Swift.max(1, shards))
        guard rows > 0 else { return 0 }
        if changes.contains(.update) {
            let rowsPerPage = Swift.max(1, StorageDemand.pageBytes / Swift.max(1, table.rowBytes))
            let pages = Swift.max(1, rows / rowsPerPage)
            return AutovacuumModel.meanNotAllVisibleShare(updatesPerCycle: av.vacuumThreshold + av.vacuumScaleFactor * rows,
                                                          pages: pages, pagesPerUpdate: av.pagesClearedPerUpdate)
        }
        let inserted = (av.insertThreshold + av.insertScaleFactor * rows) / 2
        return Swift.min(1, inserted / (rows + inserted))
    }

    /// The write queries some endpoint or job runs.
    func writtenQueries() -> Set<Int> {
        var used = Set<Int>()
        for steps in endpoints.map(\.steps) + jobs.map(\.steps) {
            for case .query(let q) in steps where database.queries.indices.contains(q) && database.queries[q].write { used.insert(q) }
        }
        return used
    }

    /// CPU seconds and heap pages per row an index-only scan of table `t` costs: the index
    /// entry, and the heap fetch for the share of rows on pages not all-visible.
    public func indexOnlyRowCost(table t: Int, shards: Int) -> (cpu: Double, pages: Double) {
        let pg = database.postgres
        let share = heapFetchShare(table: t, shards: shards)
        return (pg.indexOnlyRowCPU + share * pg.heapRowCPU, share)
    }
}

import SimulationEngine

/// What a database server's RAM holds, run as Che's approximation of an LRU cache: a user's
/// *item* of a table (the rows their reads touch, ``StorageDemand``) is in memory when it was
/// last requested less than the characteristic time ago. The hit ratio emerges from when the
/// simulated users actually come back (their sessions, several queries in one request), not
/// from a share typed in; the characteristic time comes from the analytic estimate.
///
/// One cache stands for the primaries (a user lives on one shard) or for replica number r of
/// every shard. The last request of each (user, table) is kept as a `Float` of seconds since the
/// run's origin (4 bytes per active user and tracked table).
public struct BufferCache: Sendable {
    /// Seconds an item stays after its last request (infinite: everything requested fits).
    public let characteristicTime: Double
    /// Slot of each table in a user's row of `lastRequest` (-1: not tracked per user).
    let slot: [Int]
    let slotsPerUser: Int
    /// Per table: the item's size rule, and the page-miss chances (``StorageDemand/TableCache``).
    let tables: [StorageDemand.TableCache]
    var lastRequest: ContiguousArray<Float>
    /// Heap pages the server's queries touched and read from the volume, in the measured window.
    public var pagesTouched = 0.0
    public var pagesMissed = 0.0
    public let predictedHitRatio: Double

    /// Starts every item at its stationary age at time `at` (seconds since the origin; the
    /// replay's start): the time since its user's last request is drawn from the renewal
    /// process's age distribution (``CheApproximation/RenewalRequests/sampleAge(_:)``), so the
    /// cache is as a long day of the same traffic leaves it. The replayed traffic then brings
    /// the users of the sessions under way up to date.
    public init(demand: StorageDemand, weights: ContiguousArray<Float>, at start: Double, rng: inout Xoshiro256StarStar) {
        characteristicTime = demand.characteristicTime
        tables = demand.tables
        predictedHitRatio = demand.predictedHitRatio
        var slot = [Int](repeating: -1, count: demand.tables.count)
        var n = 0
        for (i, t) in demand.tables.enumerated() where t.perUser { slot[i] = n; n += 1 }
        self.slot = slot
        slotsPerUser = n
        var last = ContiguousArray<Float>(repeating: -.infinity, count: weights.count * n)
        if n > 0 {
            let tracked = demand.tables.indices.filter { slot[$0] >= 0 }
            // A user of weight w asks as one of weight 1, w times as often.
            let unit = tracked.map { demand.requests(table: $0, weight: 1) }
            for u in 0..<weights.count {
                let w = Double(weights[u])
                for (k, t) in tracked.enumerated() {
                    let age = unit[k].scaled(by: w).sampleAge(&rng)
                    if age.isFinite { last[u * n + slot[t]] = Float(start - age) }
                }
            }
        }
        lastRequest = last
    }

    /// A query of `user` touching `pages` heap pages of `table` at `now` (seconds since the
    /// origin): the item is requested, and the pages read from the volume are returned (a
    /// fraction: the expected share of the pages not in memory).
    @inline(__always)
    public mutating func read(user: Int, weight: Double, table: Int, pages: Double, now: Double, measuring: Bool) -> Double {
        let s = slot[table]
        let t = tables[table]
        var missed: Double
        if s < 0 {
            missed = pages * t.coldPageMiss
        } else {
            let i = user * slotsPerUser + s
            let hit = now - Double(lastRequest[i]) <= characteristicTime
            lastRequest[i] = Float(now)
            let item = t.itemRows(weight: weight)
            let beyond = Swift.max(0, pages - item) * t.coldPageMiss
            missed = hit ? beyond : Swift.min(pages, item) * t.pageMissGivenItemMiss + beyond
        }
        if measuring { pagesTouched += pages; pagesMissed += missed }
        return missed
    }

    /// Pages outside every item (a scan, a row with no user): read unless the cold share is cached.
    @inline(__always)
    public mutating func coldRead(table: Int, pages: Double, measuring: Bool) -> Double {
        let missed = pages * tables[table].coldPageMiss
        if measuring { pagesTouched += pages; pagesMissed += missed }
        return missed
    }

    /// A replica applying a user's write brings the row's page into its memory (so does a
    /// query of the replay); an older time never replaces a newer one.
    @inline(__always)
    public mutating func touch(user: Int, table: Int, now: Double) {
        let s = slot[table]
        if s >= 0 {
            let i = user * slotsPerUser + s
            lastRequest[i] = Swift.max(lastRequest[i], Float(now))
        }
    }

    /// Share of touched pages found in memory in the measured window (nil when none was touched).
    public var hitRatio: Double? { pagesTouched > 0 ? 1 - pagesMissed / pagesTouched : nil }

    public mutating func resetStatistics() {
        pagesTouched = 0
        pagesMissed = 0
    }
}

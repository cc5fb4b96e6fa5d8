import SimulationEngine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the offered load asks of one database server's buffer cache and volume: which pages
/// stay in memory (Che's approximation) and the I/O that the rest, the commits and the
/// background writes make.
///
/// The buffer cache holds pages. What users' queries touch is modelled per user and table: an
/// *item* is the rows of one user that the user's reads of a table touch (the newest page of
/// a list, the 10 newest leads, every channel), requested in sessions (``CheApproximation``
/// with session-shaped renewal requests). A user's rows are spread one per heap page among
/// other users' rows (MODEL §8: an index lookup costs a heap page per row), so the pages the
/// cached items occupy follow from random placement: with a share f of a table's rows cached
/// for their users and k rows per page, 1 - (1 - f)^k of its pages are in memory. The
/// characteristic time T makes those pages fill the cache. What the items leave (older rows,
/// anybody's public page, whole-table scans) is *cold*: read from the volume unless every item
/// fits and the leftover memory holds it.
///
/// Assumptions (stated in the model file): requests of a user arrive in sessions (Poisson
/// starts, geometrically many requests), items of users of equal activity are alike, index
/// pages are not counted (index-only reads and B-tree descents hit memory), a write by a user
/// reads the page of the row it updates, an insert without a user appends to a page already
/// in memory, and the rates are the window's peak held steady.
public struct StorageDemand: Sendable {
    /// Postgres's page size.
    public static let pageBytes = 8192.0
    /// Activity-weight classes the users are grouped into (equal numbers of users each).
    static let weightClasses = 32

    public enum Role: String, Sendable { case primary, replica }

    /// One table as one server's buffer cache sees it.
    public struct TableCache: Sendable, Equatable {
        public var table: Int
        /// Whether users' reads of it are tracked as items (some per-user heap access exists).
        public var perUser: Bool
        /// Rows per user of weight 1.
        public var rowsPerUser: Double
        /// A user's item: min(weight x rowsPerUser, max(capRows, weight x rowsPerUser x userRowsScale)).
        public var capRows: Double
        public var userRowsScale: Double
        /// Rows of the table on this server, and rows per 8 kB page.
        public var rows: Double
        public var rowsPerPage: Double
        /// Item requests per second per user of weight 1, and per session.
        public var accessesPerSecondPerWeight: Double
        public var accessesPerSession: Double
        /// Share of the table's rows cached for their users' sake (f), and pages in memory.
        public var cachedRowShare: Double
        public var cachedPages: Double
        /// Chance that a page of an item is read from the volume when the item was not cached
        /// (another user's cached row may share the page): (1 - f)^(k - 1).
        public var pageMissGivenItemMiss: Double
        /// Chance that a page outside every item is read from the volume.
        public var coldPageMiss: Double

        /// Rows of a user of this weight that the user's reads touch.
        @inlinable
        public func itemRows(weight w: Double) -> Double {
            let all = w * rowsPerUser
            return Swift.min(all, Swift.max(capRows, all * userRowsScale))
        }
    }

    public var role: Role
    /// Pages the server's RAM caches, and the characteristic time (infinite when every item fits).
    public var cachePages: Double
    public var characteristicTime: Double
    public var tables: [TableCache]
    /// Sessions per second of a user of weight 1 at the window's peak, page views per session
    /// and the mean think time between them.
    public var sessionRatePerWeight: Double
    public var pagesPerSession: Double
    public var thinkTime: Double
    /// Predicted share of the heap pages the server's queries touch that are found in memory.
    public var predictedHitRatio: Double
    /// Pages needed to keep every active user's items in memory (the working set).
    public var workingSetPages: Double
    /// I/O units per second on the volume: the queries' page reads, the commits' WAL flushes,
    /// and the background (checkpoint writes; on a replica also the WAL it receives and the
    /// pages it reads to apply it).
    public var readIOPS: Double
    public var walIOPS: Double
    public var backgroundReadIOPS: Double
    public var backgroundWriteIOPS: Double
    /// Bytes of data on this server (its shard's share of every table).
    public var dataBytes: Double

    /// I/O units per second on the read side and the write side (the same budget when shared).
    public var readSideIOPS: Double { readIOPS + backgroundReadIOPS }
    public var writeSideIOPS: Double { walIOPS + backgroundWriteIOPS }
    public var totalIOPS: Double { readSideIOPS + writeSideIOPS }

    /// Busy share of the volume's IOPS (the busier side when reads and writes have limits of their own).
    public func utilization(of volume: VolumeSpec) -> Double {
        guard volume.iops > 0 else { return .infinity }
        return volume.separateReadWriteIOPS ? Swift.max(readSideIOPS, writeSideIOPS) / volume.iops : totalIOPS / volume.iops
    }

    /// The renewal process of a user's requests for an item of table `t` (by index in `tables`).
    public func requests(table t: Int, weight: Double) -> CheApproximation.RenewalRequests {
        Self.requests(tables[t], weight: weight, sessionRate: sessionRatePerWeight, pages: pagesPerSession, thinkTime: thinkTime)
    }

    static func requests(_ c: TableCache, weight: Double, sessionRate: Double, pages: Double, thinkTime: Double) -> CheApproximation.RenewalRequests {
        .sessions(sessionRate: sessionRate * weight, pagesPerSession: pages, requestsPerPage: c.accessesPerSession / Swift.max(1, pages),
                  thinkTime: thinkTime)
    }

    /// The demand on one server of `role` in a planned database: `processes` API and worker
    /// processes (and `pgbouncerProcesses` PgBouncers) hold its connections, `replicasPerShard`
    /// replicas take their share of the reads. The one construction the capacity plan, the
    /// simulation's setup and the analytic model share, so the three judge the same server.
    public init(model: PlatformModel, load: OfferedLoad, size: InstanceSize, processes: Int, pgbouncerProcesses: Int,
                shards: Int, replicasPerShard: Int, role: Role, volume: VolumeSpec) {
        self.init(model: model, load: load, memoryGB: size.memoryGB,
                  backends: DatabaseSizing.backends(model: model, processes: processes, pgbouncerProcesses: pgbouncerProcesses, role: role),
                  shards: shards, replicasPerShard: replicasPerShard, role: role, volume: volume)
    }

    /// - Parameters:
    ///   - memoryGB: RAM of the server's size on the ladder.
    ///   - backends: server connections open on it (their memory is not cache).
    ///   - shards, replicasPerShard: how the users and the reads are spread.
    public init(model: PlatformModel, load: OfferedLoad, memoryGB: Double, backends: Double, shards: Int, replicasPerShard: Int,
                role: Role, volume: VolumeSpec) {
        let db = model.database
        let pg = db.postgres
        let t = model.traffic
        let active = Double(t.activeUsers)
        let shardCount = Double(Swift.max(1, shards))
        let replicas = Double(Swift.max(1, replicasPerShard))
        self.role = role
        dataBytes = db.bytesPerUser * Double(t.users) / shardCount
        cachePages = pg.bufferCache.cacheBytes(memoryGB: memoryGB, backends: backends, bytesPerBackend: pg.memoryPerConnectionBytes) / Self.pageBytes
        sessionRatePerWeight = active > 0 ? load.sessionRate / active : 0
        pagesPerSession = t.pageViewsPerSession
        thinkTime = t.thinkTime.mean

        // Where each query class runs, its transactions per second on this server, and the rows a call touches.
        let useReplicas = db.replicas.enabled
        // Read-your-writes: a replica-eligible read goes to the primary when its user wrote in
        // the last `readYourWritesWindow` seconds, that is (page views being a think time apart)
        // when the previous page view of the session wrote and came less than the window ago.
        let writesPerPage = load.pageViewRate > 0
            ? db.queries.filter(\.write).reduce(0.0) { $0 + load.queryCalls[$1.index] } / load.pageViewRate : 0
        let afterOwnWrite = useReplicas && t.thinkTime.mean > 0
            ? -expm1(-writesPerPage) * -expm1(-db.replicas.readYourWritesWindow / t.thinkTime.mean) : 0
        /// Share of a query class's calls that run on this server's role.
        func share(_ q: QueryModel) -> Double {
            guard useReplicas && q.replicaEligible && !q.write else { return role == .primary ? 1 : 0 }
            return role == .replica ? 1 - afterOwnWrite : afterOwnWrite
        }
        func runsHere(_ q: QueryModel) -> Bool { share(q) > 0 }
        let perServer = role == .replica ? shardCount * replicas : shardCount
        let pages = Self.typicalPages(model: model, load: load)
        let weights = Self.weightClasses(model.traffic.activityWeight)
        let usersPerClass = active / shardCount / Double(weights.count)

        // Tables: items from per-user heap accesses (reads here, writes on the primary, WAL apply on replicas).
        var tables: [TableCache] = []
        for (ti, table) in db.tables.enumerated() {
            let rowBytes = table.rowBytes + pg.storagePerRowOverheadBytes
            var c = TableCache(table: ti, perUser: false, rowsPerUser: table.rowsPerUser, capRows: 0, userRowsScale: 0,
                               rows: table.rowsPerUser * Double(t.users) / shardCount, rowsPerPage: Swift.max(1, Self.pageBytes / rowBytes),
                               accessesPerSecondPerWeight: 0, accessesPerSession: 0, cachedRowShare: 0, cachedPages: 0,
                               pageMissGivenItemMiss: 1, coldPageMiss: 1)
            for q in db.queries where q.table == ti {
                let plan = q.plan(indexes: db.indexes)
                guard plan.access == .heap, plan.rows != .tableRows, load.queryCalls[q.index] > 0 else { continue }
                // The item: every row a user's heap reads of the table touch, wherever they run
                // (a replica-eligible read also reaches the primary right after the user's write),
                // up to the largest page asked for: LRU keeps what the largest read brought in.
                c.perUser = true
                switch plan.rows {
                case .userRows: c.userRowsScale = Swift.max(c.userRowsScale, plan.scale)
                case .one: c.capRows = Swift.max(c.capRows, plan.scale)
                case .fixed(let n): c.capRows = Swift.max(c.capRows, n * plan.scale)
                case .page: c.capRows = Swift.max(c.capRows, pages.largest[q.index] * plan.scale)
                case .tableRows: break
                }
                // Its requests: the reads that run here, and on a replica the writes it applies.
                let here = runsHere(q)
                let applied = role == .replica && q.write
                guard here || applied else { continue }
                let applies = applied ? load.queryCalls[q.index] : 0
                c.accessesPerSecondPerWeight += (load.queryCalls[q.index] * share(q) / (role == .replica ? replicas : 1) + applies) / active
            }
            if sessionRatePerWeight > 0 { c.accessesPerSession = c.accessesPerSecondPerWeight / sessionRatePerWeight }
            tables.append(c)
        }

        // Che: the characteristic time at which the items' pages fill the cache.
        let session = (rate: sessionRatePerWeight, pages: pagesPerSession, think: thinkTime)
        func requests(_ c: TableCache, _ w: Double) -> CheApproximation.RenewalRequests {
            Self.requests(c, weight: w, sessionRate: session.rate, pages: session.pages, thinkTime: session.think)
        }
        func rowShare(_ c: TableCache, _ time: Double) -> Double {
            guard c.perUser, c.rows > 0 else { return 0 }
            var cached = 0.0
            for w in weights { cached += usersPerClass * c.itemRows(weight: w) * requests(c, w).occupancy(time) }
            return Swift.min(1, cached / c.rows)
        }
        func pagesHeld(_ c: TableCache, share f: Double) -> Double {
            c.rows / c.rowsPerPage * -expm1(c.rowsPerPage * log1p(-Swift.min(f, 1 - 1e-16)))
        }
        func occupied(_ time: Double) -> Double {
            tables.reduce(0) { $0 + pagesHeld($1, share: rowShare($1, time)) }
        }
        let everything = occupied(.infinity)
        workingSetPages = everything
        let time = CheApproximation.characteristicTime(capacity: cachePages, occupied: occupied)
        characteristicTime = time
        let leftover = Swift.max(0, cachePages - (time.isInfinite ? everything : cachePages))
        var restPages = 0.0
        for i in tables.indices {
            let f = rowShare(tables[i], time)
            tables[i].cachedRowShare = f
            tables[i].cachedPages = pagesHeld(tables[i], share: f)
            tables[i].pageMissGivenItemMiss = tables[i].rowsPerPage > 1 ? exp((tables[i].rowsPerPage - 1) * log1p(-Swift.min(f, 1 - 1e-16))) : 1
            restPages += Swift.max(0, tables[i].rows / tables[i].rowsPerPage - tables[i].cachedPages)
        }
        let restHit = restPages > 0 ? Swift.min(1, leftover / restPages) : 1
        for i in tables.indices {
            let pagesOfTable = tables[i].rows / tables[i].rowsPerPage
            let held = pagesOfTable > 0 ? Swift.min(1, tables[i].cachedPages / pagesOfTable) : 1
            tables[i].coldPageMiss = (1 - held) * (1 - restHit)
        }

        // The I/O that follows, per second on this server.
        var touched = 0.0, missed = 0.0, missedPages = 0.0, applyMissed = 0.0, writes = 0.0
        for q in db.queries {
            let calls = load.queryCalls[q.index], anonymous = load.anonymousQueryCalls[q.index]
            if q.write { writes += (calls + anonymous) / shardCount }
            let plan = q.plan(indexes: db.indexes)
            guard plan.access != .indexOnly else { continue }
            let c = tables[q.table]
            let here = runsHere(q)
            let rate = calls * share(q) / perServer, anonymousRate = anonymous * share(q) / perServer
            if plan.access == .sequential || plan.rows == .tableRows {
                guard here else { continue }
                let p = plan.access == .sequential ? c.rows * plan.scale / c.rowsPerPage : c.rows * plan.scale
                touched += (rate + anonymousRate) * p
                let units = plan.access == .sequential ? p * Self.pageBytes * volume.unitsPerSequentialByte : p * volume.unitsPerPage
                missed += (rate + anonymousRate) * units * c.coldPageMiss
                missedPages += (rate + anonymousRate) * p * c.coldPageMiss
                continue
            }
            // Heap access of one user's rows, by activity class (calls in proportion to weight).
            for w in weights {
                let share = w / Double(weights.count)
                let p = plan.scale * plan.rows.count(userRows: c.rowsPerUser * w, page: pages.mean[q.index], tableRows: c.rows)
                let item = c.itemRows(weight: w)
                let hit = requests(c, w).hitProbability(time)
                let miss = (1 - hit) * Swift.min(p, item) * c.pageMissGivenItemMiss + Swift.max(0, p - item) * c.coldPageMiss
                if here {
                    touched += rate * share * p
                    missed += rate * share * miss * volume.unitsPerPage
                    missedPages += rate * share * miss
                } else if role == .replica && q.write {
                    applyMissed += calls / shardCount * share * miss * volume.unitsPerPage
                }
            }
            if here && !q.write && anonymousRate > 0 {
                let p = plan.scale * plan.rows.count(userRows: c.rowsPerUser, page: pages.mean[q.index], tableRows: c.rows)
                touched += anonymousRate * p
                missed += anonymousRate * p * c.coldPageMiss * volume.unitsPerPage
                missedPages += anonymousRate * p * c.coldPageMiss
            }
        }
        self.tables = tables
        readIOPS = missed
        predictedHitRatio = touched > 0 ? Swift.max(0, 1 - missedPages / touched) : 1
        let checkpoint = db.storage.checkpointPagesPerWriteTransaction
        switch role {
        case .primary:
            // A measured flush (PostgresModel.walFlush) waits instead of using the volume.
            walIOPS = pg.walFlush == nil ? writes * volume.unitsPerPage : 0
            backgroundReadIOPS = 0
            backgroundWriteIOPS = writes * checkpoint * volume.unitsPerPage
        case .replica:
            walIOPS = 0
            backgroundReadIOPS = applyMissed
            backgroundWriteIOPS = writes * (1 + checkpoint) * volume.unitsPerPage
        }
    }

    /// Rows a list call asks for, per query class: the mean requested page (capped by the API's
    /// page-size limit) over the endpoints that run the query, weighted by their rates, and the
    /// largest page any of them asks for; 1 for queries no list endpoint runs. A fixed-seed
    /// Monte Carlo over the page-size distribution, as ``OfferedLoad/expectedRowsReturned(_:model:)`` does.
    static func typicalPages(model: PlatformModel, load: OfferedLoad) -> (mean: [Double], largest: [Double]) {
        var sum = [Double](repeating: 0, count: model.database.queries.count)
        var weight = sum
        var largest = [Double](repeating: 1, count: sum.count)
        for e in model.endpoints {
            guard let limit = e.requestedLimit, load.endpointRate[e.index] > 0 else { continue }
            var rng = Xoshiro256StarStar(seed: 0x5EED)
            var mean = 0.0, most = 1.0
            let draws = 2000
            for _ in 0..<draws {
                var page = Swift.max(1, limit.sample(&rng).rounded())
                if let cap = model.api.maxPageSize { page = Swift.min(page, Double(cap)) }
                mean += page / Double(draws)
                most = Swift.max(most, page)
            }
            for case .query(let q) in e.steps {
                sum[q] += load.endpointRate[e.index] * mean
                weight[q] += load.endpointRate[e.index]
                largest[q] = Swift.max(largest[q], most)
            }
        }
        return (zip(sum, weight).map { $1 > 0 ? $0 / $1 : 1 }, largest)
    }

    /// Representative activity weights (mean 1) of equal-sized classes of users: a fixed-seed
    /// sample of the weight distribution, sorted and cut into classes.
    static func weightClasses(_ d: Distribution) -> [Double] {
        var rng = Xoshiro256StarStar(seed: 0xCAC4E)
        let perClass = 128
        var xs = (0..<(weightClasses * perClass)).map { _ in Swift.max(d.sample(&rng), 1e-9) }
        xs.sort()
        let mean = xs.reduce(0, +) / Double(xs.count)
        return (0..<weightClasses).map { k in xs[(k * perClass)..<((k + 1) * perClass)].reduce(0, +) / Double(perClass) / mean }
    }
}

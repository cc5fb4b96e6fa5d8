import SimulationEngine

/// The CDN: points of presence that each keep their own copy of what they served, for the
/// edge TTL. Each cacheable endpoint has a catalogue (``CDNCatalogEntry``): shared objects
/// drawn by Zipf popularity, and content that grows with the platform, either a user's own
/// objects (asked for by that user) or objects per row of a table (drawn by Zipf popularity
/// over all rows). A copy alive at the request's point of presence answers it at the edge;
/// anything else goes to the origin and refreshes that copy.
public struct EdgeCache: Sendable {
    /// One endpoint's catalogue, with its copies at each point of presence.
    struct Catalog: Sendable {
        let sharedObjects: Int
        let sharedShare: Double
        let perUserObjects: Int
        let perRowObjects: Int
        let shared: ZipfDistribution?
        let rows: ZipfDistribution?
        /// Expiry of each shared object at each point of presence (seconds since the origin).
        var sharedExpiry: ContiguousArray<Float>
        /// Expiry of content objects, one table per point of presence (only live copies are kept).
        var content: [ExpiryTable]
    }

    /// The catalogues, in the model's order; `catalogOf[endpoint]` is an endpoint's index here
    /// (-1: not cacheable). An array and an index, not a dictionary: a lookup reads its
    /// catalogue's fields a dozen times, and each read through a dictionary hashed the key and
    /// copied the catalogue out (its arrays retained and released).
    var catalogs: [Catalog] = []
    var catalogOf: [Int32] = []
    let pointsOfPresence: Int
    let ttl: Double
    let latency: Distribution
    let origin: Double

    public var lookups = 0
    public var hits = 0

    /// Nil when the CDN is off.
    public init?(model: CDNModel, tableRows: (Int) -> Double, origin: Double) {
        guard model.enabled else { return nil }
        pointsOfPresence = model.pointsOfPresence
        ttl = model.edgeTTL
        latency = model.edgeLatency
        self.origin = origin
        for entry in model.catalog {
            let rowCount = entry.rowTable.map { Int(Swift.min(Double(Int32.max / Int32(Swift.max(1, entry.perRowObjects))), Swift.max(1, tableRows($0)))) } ?? 0
            if entry.endpoint >= catalogOf.count { catalogOf += Array(repeating: -1, count: entry.endpoint + 1 - catalogOf.count) }
            let catalog = Catalog(
                sharedObjects: entry.sharedObjects, sharedShare: entry.sharedShare, perUserObjects: entry.perUserObjects,
                perRowObjects: entry.perRowObjects,
                shared: entry.sharedObjects > 0 ? try? ZipfDistribution(count: entry.sharedObjects, exponent: entry.popularityExponent) : nil,
                rows: entry.perRowObjects > 0 && rowCount > 0 ? try? ZipfDistribution(count: rowCount, exponent: entry.popularityExponent) : nil,
                sharedExpiry: ContiguousArray(repeating: -.infinity, count: entry.sharedObjects * model.pointsOfPresence),
                content: (0..<model.pointsOfPresence).map { _ in ExpiryTable(hashedCapacity: 1024, origin: origin) })
            // A later entry for the same endpoint replaces the earlier one.
            if catalogOf[entry.endpoint] >= 0 {
                catalogs[Int(catalogOf[entry.endpoint])] = catalog
            } else {
                catalogOf[entry.endpoint] = Int32(catalogs.count)
                catalogs.append(catalog)
            }
        }
    }

    /// Looks a request of `endpoint` from `user` (-1: anonymous) up at `now`: the edge's own
    /// time when a live copy answers it, nil when it goes to the origin (whose answer refreshes
    /// the copy). Draws the point of presence, then the kind of object (when the catalogue has
    /// both), then the object, then (on a hit) the edge's time.
    public mutating func lookup(endpoint: Int, user: Int32, at now: Double, measuring: Bool, _ rng: inout Xoshiro256StarStar) -> Double? {
        guard endpoint < catalogOf.count, catalogOf[endpoint] >= 0 else { return nil }
        let c = Int(catalogOf[endpoint])
        let pop = rng.nextInt(below: pointsOfPresence)
        let hasContent = catalogs[c].perUserObjects > 0 || catalogs[c].rows != nil
        var useShared = catalogs[c].shared != nil
        if useShared && hasContent { useShared = rng.nextUniform() < catalogs[c].sharedShare }
        lookups += measuring ? 1 : 0
        let t = Float(now - origin)
        if useShared || !hasContent {
            guard let zipf = catalogs[c].shared else { return nil }
            let slot = pop * catalogs[c].sharedObjects + zipf.sample(&rng) - 1
            if catalogs[c].sharedExpiry[slot] > t { return hit(measuring, &rng) }
            catalogs[c].sharedExpiry[slot] = t + Float(ttl)
            return nil
        }
        let key: Int32
        let perUser = catalogs[c].perUserObjects
        if perUser > 0 && (user >= 0 || catalogs[c].rows == nil) {
            let owner = Swift.max(0, Int(user))
            key = Int32(truncatingIfNeeded: owner * perUser + rng.nextInt(below: perUser))
        } else {
            let perRow = catalogs[c].perRowObjects
            key = Int32(truncatingIfNeeded: (catalogs[c].rows!.sample(&rng) - 1) * perRow + rng.nextInt(below: perRow))
        }
        if catalogs[c].content[pop].expiry(key) > now { return hit(measuring, &rng) }
        catalogs[c].content[pop].set(key, expiry: now + ttl, now: now)
        return nil
    }

    @inline(__always)
    mutating func hit(_ measuring: Bool, _ rng: inout Xoshiro256StarStar) -> Double {
        if measuring { hits += 1 }
        return latency.sample(&rng)
    }

    public var hitRate: Double { lookups > 0 ? Double(hits) / Double(lookups) : 0 }
}

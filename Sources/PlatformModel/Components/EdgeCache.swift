import SimulationEngine

/// The CDN: points of presence that each keep their own copy of the cacheable objects for the
/// edge TTL. An object is drawn by Zipf popularity for each cacheable request; a copy alive at
/// the request's point of presence answers it at the edge, anything else goes to the origin
/// and refreshes that copy.
public struct EdgeCache: Sendable {
    let objects: ZipfDistribution
    let objectCount: Int
    let pointsOfPresence: Int
    let ttl: Double
    let latency: Distribution
    /// Expiry of each object at each point of presence (seconds since the origin).
    var expiry: ContiguousArray<Float>
    let origin: Double

    public var lookups = 0
    public var hits = 0

    /// Nil when the CDN is off.
    public init?(model: CDNModel, origin: Double) {
        guard model.enabled, let zipf = try? ZipfDistribution(count: model.objects, exponent: model.popularityExponent) else { return nil }
        objects = zipf
        objectCount = model.objects
        pointsOfPresence = model.pointsOfPresence
        ttl = model.edgeTTL
        latency = model.edgeLatency
        expiry = ContiguousArray(repeating: -.infinity, count: model.objects * model.pointsOfPresence)
        self.origin = origin
    }

    /// Looks a request up at `now`: the edge's latency when a live copy answers it, nil when
    /// it goes to the origin (whose answer refreshes the copy). Draws the object, then the
    /// point of presence, then (on a hit) the edge latency.
    @inline(__always)
    public mutating func lookup(at now: Double, measuring: Bool, _ rng: inout Xoshiro256StarStar) -> Double? {
        let object = objects.sample(&rng) - 1
        let pop = rng.nextInt(below: pointsOfPresence)
        let slot = pop * objectCount + object
        lookups += measuring ? 1 : 0
        if Double(expiry[slot]) > now - origin {
            if measuring { hits += 1 }
            return latency.sample(&rng)
        }
        expiry[slot] = Float(now - origin + ttl)
        return nil
    }

    public var hitRate: Double { lookups > 0 ? Double(hits) / Double(lookups) : 0 }
}

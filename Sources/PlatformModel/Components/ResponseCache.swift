import SimulationEngine

/// One keyed TTL cache (the dashboard, the channel list, hot data, sessions): where its
/// entries live, how long they stay, and what it saw.
///
/// In Redis the cache is one table shared by every process; in the process each API process
/// holds a table of its own (so a user's entry is found only by the process that filled it).
/// Hit rates are not typed in: they emerge from the keys, the TTL, invalidations, evictions
/// and the traffic.
public struct ResponseCache: Sendable {
    public let name: String
    public let enabled: Bool
    public let inRedis: Bool
    public let ttl: Double
    /// The TTL is stretched by up to this share at random, so entries filled together do not
    /// expire together.
    public let jitter: Double
    /// One key for everyone (a global list) rather than one per user.
    public let global: Bool
    /// Misses for a key that is being filled wait for that fill instead of querying too.
    public let coalesce: Bool
    /// Bytes one entry takes in Redis.
    public let entryBytes: Double
    /// Expiry per key: one table in Redis, one per process in the process.
    public var tables: [ExpiryTable]

    public var lookups = 0
    public var hits = 0
    public var fills = 0
    public var invalidations = 0
    /// Misses that waited for another request's fill (request coalescing).
    public var coalescedWaits = 0
    /// Lookups per key, to predict the TTL hit rate from the traffic actually seen.
    public var keyLookups: [UInt32]

    public init(model: CacheModel, users: Int, processes: Int, origin: Double) {
        name = model.name
        enabled = model.enabled
        inRedis = model.location == .redis
        ttl = model.ttl
        jitter = model.ttlJitter
        global = model.key == .global
        coalesce = model.coalesceMisses
        entryBytes = model.entryBytes
        let keys = global ? 1 : users
        switch model.location {
        case .redis: tables = [ExpiryTable(denseKeys: keys, origin: origin)]
        case .process: tables = (0..<processes).map { _ in ExpiryTable(hashedCapacity: 64, origin: origin) }
        }
        keyLookups = model.enabled ? [UInt32](repeating: 0, count: keys) : []
    }

    /// The key a user's request looks up (-1: none, an anonymous request of a per-user cache).
    @inline(__always)
    public func key(user: Int32) -> Int32 { global ? 0 : user }

    /// The table process `p` reads: the shared one in Redis, its own in the process.
    @inline(__always)
    public func table(process p: Int) -> Int { inRedis ? 0 : p }

    /// Whether `key` has a live entry in `table`; counted when `measuring`.
    @inline(__always)
    public mutating func lookup(_ key: Int32, table: Int, at now: Double, measuring: Bool) -> Bool {
        let hit = tables[table].expiry(key) > now
        if measuring {
            lookups += 1
            keyLookups[Int(key)] &+= 1
            if hit { hits += 1 }
        }
        return hit
    }

    /// The expiry of a fill at `now`: the TTL stretched by the jitter.
    @inline(__always)
    public func fillExpiry(at now: Double, _ rng: inout Xoshiro256StarStar) -> Double {
        now + ttl * (1 + jitter * rng.nextUniform())
    }
}

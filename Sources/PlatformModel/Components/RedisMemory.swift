/// Redis memory: how many keys are alive and the bytes they hold, from an expiry calendar,
/// and which cache entries to evict when `maxmemory` is exceeded (allkeys-lru).
///
/// Keys are counted (with their size: a 125-byte limiter key is not a 6 kB dashboard entry)
/// when they are set and uncounted when they expire, are overwritten, deleted or evicted;
/// expiries are kept in one bucket per second of a ring, so the figures are exact to the
/// second at O(1) per operation. Eviction imitates Redis's approximated LRU:
/// sample a few keys and drop the one used longest ago; for TTL cache entries the one that
/// expires first was filled first, so it stands in for "least recently used".
public struct RedisMemory: Sendable {
    @usableFromInline var ring: ContiguousArray<Int32>
    @usableFromInline var ringBytes: ContiguousArray<Double>
    @usableFromInline var processedSecond: Int
    @usableFromInline let origin: Double
    /// Keys alive now (not counting the fixed extras the caller adds, such as queued jobs).
    public private(set) var liveKeys = 0
    public private(set) var peakKeys = 0
    /// Bytes the live keys hold (key, value and Redis's per-key overhead).
    public private(set) var liveBytes = 0.0
    public private(set) var peakBytes = 0.0
    public var evictions = 0

    public init(origin: Double, horizonSeconds: Int = 8192) {
        var size = 64
        while size < horizonSeconds + 2 { size <<= 1 }
        ring = ContiguousArray(repeating: 0, count: size)
        ringBytes = ContiguousArray(repeating: 0, count: size)
        self.origin = origin
        processedSecond = 0
    }

    @inline(__always)
    func second(_ time: Double) -> Int { Swift.max(0, Int(time - origin)) }

    /// Retires every key that expired up to `now`.
    public mutating func advance(to now: Double) {
        let s = second(now)
        guard s > processedSecond else { return }
        let mask = ring.count - 1
        // Expiries within [processedSecond, s) have passed.
        var k = processedSecond
        let stop = Swift.min(s, processedSecond + ring.count)
        while k < stop {
            liveKeys -= Int(ring[k & mask])
            liveBytes -= ringBytes[k & mask]
            ring[k & mask] = 0
            ringBytes[k & mask] = 0
            k += 1
        }
        if liveKeys == 0 { liveBytes = 0 }  // no rounding residue once empty
        processedSecond = s
    }

    /// A key of `bytes` is set and lives until `expiry`.
    public mutating func add(expiry: Double, bytes: Double, now: Double) {
        advance(to: now)
        let s = Swift.min(second(expiry), processedSecond + ring.count - 1)
        guard s >= processedSecond else { return }
        ring[s & (ring.count - 1)] += 1
        ringBytes[s & (ring.count - 1)] += bytes
        liveKeys += 1
        liveBytes += bytes
        if liveKeys > peakKeys { peakKeys = liveKeys }
        if liveBytes > peakBytes { peakBytes = liveBytes }
    }

    /// A key of `bytes` that would have lived until `expiry` goes away early.
    public mutating func remove(expiry: Double, bytes: Double, now: Double) {
        advance(to: now)
        let s = Swift.min(second(expiry), processedSecond + ring.count - 1)
        guard s >= processedSecond, ring[s & (ring.count - 1)] > 0 else { return }
        ring[s & (ring.count - 1)] -= 1
        ringBytes[s & (ring.count - 1)] -= bytes
        liveKeys -= 1
        liveBytes -= bytes
    }
}

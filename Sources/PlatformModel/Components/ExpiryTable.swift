/// Expiry times by key for a TTL cache: a dense array when every user may have an entry
/// (a Redis cache), or a small open-addressing hash table when each of many processes holds
/// only the keys it has seen recently (an in-process cache).
public struct ExpiryTable: Sendable {
    @usableFromInline var dense: ContiguousArray<Float>
    @usableFromInline var keys: ContiguousArray<Int32>
    @usableFromInline var values: ContiguousArray<Float>
    @usableFromInline var used = 0
    @usableFromInline let hashed: Bool
    @usableFromInline let origin: Double

    /// A dense table over `keys` keys.
    public init(denseKeys count: Int, origin: Double) {
        dense = ContiguousArray(repeating: -.infinity, count: count)
        keys = []
        values = []
        hashed = false
        self.origin = origin
    }

    /// A hashed table that grows as needed, dropping expired entries before growing.
    public init(hashedCapacity: Int, origin: Double) {
        var cap = 64
        while cap < hashedCapacity * 2 { cap <<= 1 }
        dense = []
        keys = ContiguousArray(repeating: -1, count: cap)
        values = ContiguousArray(repeating: -.infinity, count: cap)
        hashed = true
        self.origin = origin
    }

    @inlinable @inline(__always)
    func slot(for key: Int32) -> Int {
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: (UInt32(bitPattern: key) &* 0x9E37_79B1) >> 7) & mask
        while keys[i] != -1 && keys[i] != key { i = (i + 1) & mask }
        return i
    }

    /// The key's expiry time, or -infinity when it has no entry.
    @inlinable
    public func expiry(_ key: Int32) -> Double {
        if !hashed { return Double(dense[Int(key)]) + origin }
        let i = slot(for: key)
        return keys[i] == key ? Double(values[i]) + origin : -.infinity
    }

    @inlinable
    public mutating func set(_ key: Int32, expiry: Double, now: Double) {
        let v = Float(expiry - origin)
        if !hashed { dense[Int(key)] = v; return }
        var i = slot(for: key)
        if keys[i] != key {
            if (used + 1) * 4 > keys.count * 3 {
                rebuild(dropExpiredBefore: now)
                i = slot(for: key)
            }
            keys[i] = key
            used += 1
        }
        values[i] = v
    }

    /// Drops expired entries at `time` and grows if still crowded.
    public mutating func purge(at time: Double) {
        guard hashed else { return }
        rebuild(dropExpiredBefore: time)
    }

    @usableFromInline
    mutating func rebuild(dropExpiredBefore time: Double) {
        let oldKeys = keys, oldValues = values
        var live = 0
        for i in 0..<oldKeys.count where oldKeys[i] != -1 && Double(oldValues[i]) + origin > time { live += 1 }
        var cap = keys.count
        while live * 2 > cap { cap <<= 1 }
        keys = ContiguousArray(repeating: -1, count: cap)
        values = ContiguousArray(repeating: -.infinity, count: cap)
        used = 0
        for i in 0..<oldKeys.count where oldKeys[i] != -1 && Double(oldValues[i]) + origin > time {
            let j = slot(for: oldKeys[i])
            keys[j] = oldKeys[i]
            values[j] = oldValues[i]
            used += 1
        }
    }

    /// Entries alive at `time`.
    public func liveCount(at time: Double) -> Int {
        let t = Float(time - origin)
        if !hashed { return dense.reduce(0) { $0 + ($1 > t ? 1 : 0) } }
        var n = 0
        for i in 0..<keys.count where keys[i] != -1 && values[i] > t { n += 1 }
        return n
    }
}

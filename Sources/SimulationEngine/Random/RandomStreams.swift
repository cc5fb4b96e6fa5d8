/// Derives independent random streams from one master seed, one per (replication, name).
///
/// A stream's seed depends only on the master seed, the replication number and the stream's
/// name (for example `"api.cpu"` or `"traffic.arrivals"`), never on the order in which
/// streams are created, so adding a component leaves every other component's numbers as
/// they were: the basis of common random numbers across configurations.
///
/// Names are hashed with FNV-1a, not Swift's `Hasher`, whose seed changes with every process.
public struct RandomStreams: Sendable, Hashable {
    public let masterSeed: UInt64
    public let replication: Int

    public init(masterSeed: UInt64, replication: Int = 0) {
        self.masterSeed = masterSeed
        self.replication = replication
    }

    /// The generator for one component and purpose.
    public func stream(_ name: String) -> Xoshiro256StarStar {
        stream(key: Self.fnv1a(name))
    }

    /// The generator for a numeric key (e.g. a component index combined with a purpose).
    public func stream(key: UInt64) -> Xoshiro256StarStar {
        var h = SplitMix64.mix(masterSeed)
        h = SplitMix64.mix(h ^ SplitMix64.mix(UInt64(bitPattern: Int64(replication)) &+ 0x5851_F42D_4C95_7F2D))
        h = SplitMix64.mix(h ^ key)
        return Xoshiro256StarStar(seed: h)
    }

    /// The same streams for another replication.
    public func forReplication(_ r: Int) -> RandomStreams { RandomStreams(masterSeed: masterSeed, replication: r) }

    /// 64-bit FNV-1a hash of a string's UTF-8 bytes: stable across processes and platforms.
    public static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}

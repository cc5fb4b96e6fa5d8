/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator used only to expand one seed
/// into the 256 bits of state a ``Xoshiro256StarStar`` needs, and to mix stream keys.
/// Its output is well distributed even for seeds that differ in one bit.
@frozen
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    @inlinable public init(seed: UInt64) { state = seed }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// One round of the SplitMix64 finaliser: a bijective 64-bit mix.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var g = SplitMix64(seed: value)
        return g.next()
    }
}

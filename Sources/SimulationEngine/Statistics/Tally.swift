/// Running count, mean, variance, min and max of observations (Welford's algorithm).
///
/// Numerically stable in one pass and constant memory; two tallies merge exactly (Chan et
/// al.'s parallel formula), which is how replications and shards are combined.
@frozen
public struct Tally: Sendable, Equatable, Codable {
    @usableFromInline var _count: Int = 0
    @usableFromInline var _mean: Double = 0
    @usableFromInline var m2: Double = 0
    @usableFromInline var _min: Double = .infinity
    @usableFromInline var _max: Double = -.infinity

    /// Observations recorded.
    @inlinable public var count: Int { _count }
    /// Their mean (0 when there are none).
    @inlinable public var mean: Double { _mean }
    /// The smallest observation (+infinity when there are none).
    @inlinable public var min: Double { _min }
    /// The largest observation (-infinity when there are none).
    @inlinable public var max: Double { _max }

    public init() {}

    @inlinable
    public mutating func record(_ x: Double) {
        _count &+= 1
        let delta = x - _mean
        _mean += delta / Double(_count)
        m2 += delta * (x - _mean)
        if x < _min { _min = x }
        if x > _max { _max = x }
    }

    /// Sample variance (n - 1 denominator); 0 with fewer than two observations.
    public var variance: Double { count > 1 ? m2 / Double(count - 1) : 0 }
    public var standardDeviation: Double { variance.squareRoot() }
    public var sum: Double { mean * Double(count) }

    /// Folds another tally in, as if its observations had been recorded here.
    public mutating func merge(_ other: Tally) {
        guard other.count > 0 else { return }
        guard count > 0 else { self = other; return }
        let n = Double(_count + other._count)
        let delta = other._mean - _mean
        m2 += other.m2 + delta * delta * Double(_count) * Double(other._count) / n
        _mean += delta * Double(other._count) / n
        _count += other._count
        _min = Swift.min(_min, other._min)
        _max = Swift.max(_max, other._max)
    }

    public mutating func reset() { self = Tally() }
}

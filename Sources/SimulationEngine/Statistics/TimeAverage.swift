/// The time-weighted average of a piecewise-constant quantity, such as busy servers or
/// queue length: the area under its curve divided by the time observed.
///
/// Call ``update(to:at:)`` just before the quantity changes; ``reset(at:)`` at the end of the
/// warm-up discards what came before while keeping the current level.
@frozen
public struct TimeAverage: Sendable, Equatable, Codable {
    @usableFromInline var _current: Double
    @usableFromInline var lastTime: Double
    @usableFromInline var area: Double = 0
    @usableFromInline var _startTime: Double
    @usableFromInline var _maximum: Double

    /// The quantity's level now.
    @inlinable public var current: Double { _current }
    /// Start of the observation window.
    @inlinable public var startTime: Double { _startTime }
    /// The highest level seen in the window.
    @inlinable public var maximum: Double { _maximum }

    public init(initial: Double = 0, at time: Double = 0) {
        _current = initial
        lastTime = time
        _startTime = time
        _maximum = initial
    }

    /// Records that the quantity becomes `value` at `time` (not before the last update).
    @inlinable @inline(__always)
    public mutating func update(to value: Double, at time: Double) {
        area += _current * (time - lastTime)
        lastTime = time
        _current = value
        if value > _maximum { _maximum = value }
    }

    /// Adds `delta` to the quantity at `time`.
    @inlinable @inline(__always)
    public mutating func add(_ delta: Double, at time: Double) {
        update(to: _current + delta, at: time)
    }

    /// The average over [startTime, time].
    public func average(at time: Double) -> Double {
        let span = time - startTime
        guard span > 0 else { return current }
        return (area + current * (time - lastTime)) / span
    }

    /// The integral over [startTime, time].
    public func integral(at time: Double) -> Double { area + current * (time - lastTime) }

    /// Starts a new observation window at `time`, keeping the current level.
    public mutating func reset(at time: Double) {
        area = 0
        lastTime = time
        _startTime = time
        _maximum = _current
    }
}

/// A scheduled occurrence in simulated time: a plain value with integer ids, never an object.
///
/// The engine knows nothing of what an event means. A model gives `kind` its meaning (it
/// dispatches on it with a `switch`), `target` names the component it is for (an index into
/// the model's component arrays) and `entity` the customer, request or slot it concerns.
/// `generation` lets a component cancel an event cheaply: it bumps its own counter and
/// ignores, at pop time, any event whose generation no longer matches (lazy cancellation), so
/// nothing is searched for or removed from the event list. OMNeT++ and simmer instead remove
/// a cancelled event from their heap at once, by a stored heap index; a stale event costs
/// this engine one pop instead.
@frozen
public struct Event: Sendable, Equatable {
    /// Simulated time at which the event fires, in seconds.
    public var time: Double
    /// Insertion order, assigned by the ``EventList``: the tie-break that makes equal times reproducible.
    public var sequence: UInt64
    /// What happens; interpreted by the model.
    public var kind: Int32
    /// Which component the event is for.
    public var target: Int32
    /// Which customer, request or slot the event concerns.
    public var entity: Int32
    /// Cancellation stamp compared with the owner's current generation when the event pops.
    public var generation: UInt32

    @inlinable
    public init(time: Double, sequence: UInt64 = 0, kind: Int32, target: Int32 = 0, entity: Int32 = 0, generation: UInt32 = 0) {
        self.time = time
        self.sequence = sequence
        self.kind = kind
        self.target = target
        self.entity = entity
        self.generation = generation
    }

    /// Whether `self` fires before `other`: earlier time first, then earlier insertion.
    @inlinable @inline(__always)
    public func precedes(_ other: Event) -> Bool {
        time < other.time || (time == other.time && sequence < other.sequence)
    }
}

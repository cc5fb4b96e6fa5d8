/// A model the engine can drive: it reacts to each event, usually with a `switch` on `kind`.
///
/// The engine is generic over the model (no existential, no closure per event), so the
/// compiler specialises the loop for each model and the dispatch is a direct call.
public protocol SimulationModel {
    /// Reacts to one event. `simulator.now` is already the event's time.
    mutating func handle(_ event: Event, in simulator: inout Simulator)
}

/// The simulation clock and its event list: the loop pops, sets the clock and dispatches.
public struct Simulator: Sendable {
    @usableFromInline var _now: Double
    @usableFromInline var _processedEvents: Int = 0
    /// Pending events.
    public var events: EventList

    /// Current simulated time in seconds.
    @inlinable public var now: Double { _now }
    /// Events dispatched so far.
    @inlinable public var processedEvents: Int { _processedEvents }

    public init(startTime: Double = 0, reservingCapacity: Int = 64) {
        _now = startTime
        events = EventList(reservingCapacity: reservingCapacity)
    }

    /// Schedules an event at an absolute time.
    /// - Precondition: `time >= now` (the past cannot be scheduled).
    @inlinable @discardableResult
    public mutating func schedule(at time: Double, kind: Int32, target: Int32 = 0, entity: Int32 = 0, generation: UInt32 = 0) -> UInt64 {
        assert(time >= now, "cannot schedule an event in the past")
        return events.insert(Event(time: time, kind: kind, target: target, entity: entity, generation: generation))
    }

    /// Schedules an event `delay` seconds from now.
    @inlinable @discardableResult
    public mutating func schedule(after delay: Double, kind: Int32, target: Int32 = 0, entity: Int32 = 0, generation: UInt32 = 0) -> UInt64 {
        schedule(at: now + delay, kind: kind, target: target, entity: entity, generation: generation)
    }

    /// Runs events in order until the next one would fire after `endTime` (or none is left);
    /// the clock then stands at `endTime`, so time averages close over the whole window.
    @inlinable
    public mutating func run<Model: SimulationModel>(_ model: inout Model, until endTime: Double) {
        while let next = events.first, next.time <= endTime {
            let event = events.popMin()
            _now = event.time
            _processedEvents &+= 1
            model.handle(event, in: &self)
        }
        if endTime.isFinite && endTime > _now { _now = endTime }
    }

    /// Runs until the model stops scheduling events.
    @inlinable
    public mutating func runToCompletion<Model: SimulationModel>(_ model: inout Model) {
        run(&model, until: .infinity)
    }
}

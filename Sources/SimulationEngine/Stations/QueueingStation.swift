/// What happened to a customer that arrived at a station.
public enum Admission: Sendable, Equatable {
    /// A server was free: service started at once.
    case started
    /// All servers busy: the customer waits in line.
    case queued
    /// The station was full (finite capacity): the customer was turned away.
    case rejected
}

/// A customer leaving a station after service, with its timings.
@frozen
public struct Departure: Sendable, Equatable {
    public var customer: Int32
    public var arrivalTime: Double
    public var serviceStart: Double
    public var departureTime: Double
    @inlinable public var waitingTime: Double { serviceStart - arrivalTime }
    @inlinable public var responseTime: Double { departureTime - arrivalTime }

    @inlinable
    public init(customer: Int32, arrivalTime: Double, serviceStart: Double, departureTime: Double) {
        self.customer = customer
        self.arrivalTime = arrivalTime
        self.serviceStart = serviceStart
        self.departureTime = departureTime
    }
}

/// A station with `servers` identical servers and a first-come first-served line per
/// priority class (class 0 is served first; no pre-emption), an optional capacity (the most
/// customers in the station, waiting plus in service; arrivals beyond it are rejected and
/// counted) and reneging (a waiting customer leaves when its patience runs out).
///
/// The station owns no clock: it schedules its own completion and patience events on the
/// ``Simulator`` with the `completionKind` and `patienceKind` it was given and `target` set to
/// its `index`; the model routes those events back to ``complete(_:in:)`` and
/// ``patienceExpired(_:in:)``. Customers are the model's integer ids; the station keeps each
/// one's timings in a reusable slot, so a stable queue allocates nothing.
public struct QueueingStation: Sendable {
    public let name: String
    public let servers: Int
    /// The most customers in the station; `Int.max` when unlimited.
    public let capacity: Int
    public let index: Int32
    public let completionKind: Int32
    public let patienceKind: Int32

    @usableFromInline var slots: CustomerSlots
    @usableFromInline var lines: ContiguousArray<RingBuffer<Int32>>

    /// Servers busy now.
    public var busyServers = 0
    /// Customers waiting now (reneged ones excluded).
    public var waitingCount = 0

    // Statistics since the last reset.
    public var arrivals = 0
    public var rejections = 0
    public var completions = 0
    public var reneges = 0
    /// Busy servers over time (its average divided by `servers` is the utilization).
    public var busy: TimeAverage
    /// Waiting customers over time.
    public var queueLength: TimeAverage
    /// Time in line of customers that started service.
    public var waitingTimes = Tally()
    /// Time in the station of customers that completed.
    public var responseTimes = Tally()

    public init(name: String, servers: Int, capacity: Int? = nil, priorityClasses: Int = 1,
                index: Int32, completionKind: Int32, patienceKind: Int32 = -1, startTime: Double = 0) {
        precondition(servers >= 1, "a station needs at least one server")
        precondition(capacity == nil || capacity! >= servers, "capacity counts customers in service too")
        precondition(priorityClasses >= 1)
        self.name = name
        self.servers = servers
        self.capacity = capacity ?? .max
        self.index = index
        self.completionKind = completionKind
        self.patienceKind = patienceKind
        slots = CustomerSlots()
        lines = ContiguousArray((0..<priorityClasses).map { _ in RingBuffer<Int32>(capacity: 64) })
        busy = TimeAverage(at: startTime)
        queueLength = TimeAverage(at: startTime)
    }

    /// Customers in the station now.
    @inlinable public var population: Int { busyServers + waitingCount }

    /// Offers a customer to the station with its service time already drawn.
    ///
    /// - Parameters:
    ///   - priority: 0 is served first.
    ///   - patience: how long the customer will wait in line before reneging; infinite by default.
    @inlinable
    public mutating func arrive(_ customer: Int32, serviceTime: Double, priority: Int = 0,
                                patience: Double = .infinity, in sim: inout Simulator) -> Admission {
        arrivals &+= 1
        if busyServers + waitingCount >= capacity {
            rejections &+= 1
            return .rejected
        }
        let now = sim.now
        let slot = slots.allocate(customer: customer, arrival: now, service: serviceTime)
        if busyServers < servers {
            startService(slot, in: &sim)
            return .started
        }
        slots.records[Int(slot)].state = .waiting
        lines[priority].append(slot)
        queueLength.update(to: Double(waitingCount &+ 1), at: now)
        waitingCount &+= 1
        if patience.isFinite {
            precondition(patienceKind >= 0, "reneging needs a patience event kind")
            sim.schedule(at: now + patience, kind: patienceKind, target: index, entity: slot,
                         generation: slots.records[Int(slot)].generation)
        }
        return .queued
    }

    /// Handles this station's completion event: the customer leaves and the next in line starts.
    @inlinable
    public mutating func complete(_ event: Event, in sim: inout Simulator) -> Departure {
        let slot = event.entity
        let r = slots.records[Int(slot)]
        let now = sim.now
        let d = Departure(customer: r.customer, arrivalTime: r.arrival, serviceStart: r.start, departureTime: now)
        responseTimes.record(now - r.arrival)
        completions &+= 1
        slots.free(slot)
        busy.update(to: Double(busyServers &- 1), at: now)
        busyServers &-= 1
        startNextWaiting(in: &sim)
        return d
    }

    /// Handles this station's patience event: returns the customer that reneged, or nil if
    /// the event is stale (the customer already started service).
    @inlinable
    public mutating func patienceExpired(_ event: Event, in sim: inout Simulator) -> Int32? {
        let slot = Int(event.entity)
        guard slots.records[slot].generation == event.generation, slots.records[slot].state == .waiting else { return nil }
        // Left in the line as a tombstone; freed when it reaches the front.
        slots.records[slot].state = .abandoned
        slots.abandonedInLines &+= 1
        queueLength.update(to: Double(waitingCount &- 1), at: sim.now)
        waitingCount &-= 1
        reneges &+= 1
        return slots.records[slot].customer
    }

    @inlinable
    mutating func startService(_ slot: Int32, in sim: inout Simulator) {
        let now = sim.now
        busy.update(to: Double(busyServers &+ 1), at: now)
        busyServers &+= 1
        slots.records[Int(slot)].state = .inService
        slots.records[Int(slot)].start = now
        waitingTimes.record(now - slots.records[Int(slot)].arrival)
        sim.schedule(at: now + slots.records[Int(slot)].service, kind: completionKind, target: index, entity: slot)
    }

    @inlinable
    mutating func startNextWaiting(in sim: inout Simulator) {
        guard waitingCount > 0 else {
            // Only tombstones can remain; drop them so the lines do not grow.
            if slots.abandonedInLines > 0 { dropTombstones() }
            return
        }
        for p in 0..<lines.count {
            while let slot = lines[p].popFirst() {
                if slots.records[Int(slot)].state == .abandoned {
                    slots.abandonedInLines &-= 1
                    slots.free(slot)
                    continue
                }
                queueLength.update(to: Double(waitingCount &- 1), at: sim.now)
                waitingCount &-= 1
                startService(slot, in: &sim)
                return
            }
        }
    }

    @usableFromInline
    mutating func dropTombstones() {
        for p in 0..<lines.count {
            while let slot = lines[p].popFirst() { slots.free(slot) }
        }
        slots.abandonedInLines = 0
    }

    /// Utilization since the last reset: average busy servers / servers.
    public func utilization(at time: Double) -> Double { busy.average(at: time) / Double(servers) }

    /// Discards statistics gathered so far (end of warm-up); customers present stay.
    public mutating func resetStatistics(at time: Double) {
        arrivals = 0; rejections = 0; completions = 0; reneges = 0
        busy.reset(at: time)
        queueLength.reset(at: time)
        waitingTimes.reset()
        responseTimes.reset()
    }
}

/// Per-customer records of a station, kept in reusable slots with a free list. A slot's
/// generation changes each time it is freed, so an event that names an old occupant is
/// recognisably stale.
public struct CustomerSlots: Sendable {
    public enum State: UInt8, Sendable { case free, waiting, inService, abandoned }

    @frozen
    public struct Record: Sendable {
        public var customer: Int32
        public var generation: UInt32
        public var state: State
        public var arrival: Double
        public var service: Double
        public var start: Double

        @inlinable
        init(customer: Int32, generation: UInt32, state: State, arrival: Double, service: Double, start: Double) {
            self.customer = customer
            self.generation = generation
            self.state = state
            self.arrival = arrival
            self.service = service
            self.start = start
        }
    }

    @usableFromInline var records = ContiguousArray<Record>()
    @usableFromInline var freeList = ContiguousArray<Int32>()
    @usableFromInline var abandonedInLines = 0

    public init() {}

    @inlinable
    mutating func allocate(customer: Int32, arrival: Double, service: Double) -> Int32 {
        if let s = freeList.popLast() {
            records[Int(s)].customer = customer
            records[Int(s)].state = .inService
            records[Int(s)].arrival = arrival
            records[Int(s)].service = service
            records[Int(s)].start = arrival
            return s
        }
        records.append(Record(customer: customer, generation: 0, state: .inService, arrival: arrival, service: service, start: arrival))
        return Int32(records.count - 1)
    }

    @inlinable
    mutating func free(_ slot: Int32) {
        records[Int(slot)].state = .free
        records[Int(slot)].generation &+= 1
        freeList.append(slot)
    }
}

/// A processor-sharing station: every customer present is served at once, each at rate
/// capacity(n) / n where n is the number present (egalitarian sharing, as CPU time slicing
/// approximates).
///
/// `capacity(n)` is `min(n, servers)` by default (c cores), or a table such as a Universal
/// Scalability Law curve, so that throughput can fall past an optimal concurrency (Postgres
/// with too many active connections).
///
/// Implemented with virtual time: V(t) grows at the per-customer rate, a customer with work w
/// arriving at virtual time V0 leaves when V reaches V0 + w, so the next departure is the
/// smallest finishing virtual time, kept in a min-heap. Only one departure event is pending at
/// a time; a change in n re-schedules it and the old one is ignored by its generation.
public struct ProcessorSharingStation: Sendable {
    public let name: String
    public let servers: Int
    public let index: Int32
    public let completionKind: Int32
    /// The most customers in the station; `Int.max` when unlimited.
    public let capacity: Int
    /// capacity(n) for n = 0..., the last value holding beyond the table.
    @usableFromInline let capacityCurve: ContiguousArray<Double>

    @usableFromInline var slots = CustomerSlots()
    /// Min-heap of (finishing virtual time, slot).
    @usableFromInline var finishing = ContiguousArray<(v: Double, slot: Int32)>()
    @usableFromInline var virtualTime = 0.0
    @usableFromInline var lastUpdate: Double
    @usableFromInline var generation: UInt32 = 0
    /// When the pending completion event fires (+infinity when none is pending).
    @usableFromInline var pendingAt: Double = .infinity
    /// Customers present that the capacity curve does not count (``arrive(_:work:contends:in:)``),
    /// and which slots hold one.
    @usableFromInline var outside = 0
    @usableFromInline var outsideBySlot = ContiguousArray<Bool>()

    public var arrivals = 0
    public var rejections = 0
    public var completions = 0
    /// Customers present over time.
    public var population: TimeAverage
    /// Useful capacity in use over time: capacity(n), at most `servers` (min(n, servers) for plain sharing).
    public var busy: TimeAverage
    /// Servers occupied over time, min(n, servers), whether or not contention wastes them.
    public var occupied: TimeAverage
    public var responseTimes = Tally()
    /// When the station last became empty (its start time until then): how long its cores have
    /// been idle, for an arrival that finds it empty (a core's wake-up latency grows with that).
    public var emptySince: Double

    /// - Parameter capacityCurve: optional capacity(n) for n = 0, 1, 2, ...; must start at 0.
    public init(name: String, servers: Int, capacity: Int? = nil, capacityCurve: [Double]? = nil,
                index: Int32, completionKind: Int32, startTime: Double = 0) {
        precondition(servers >= 1)
        self.name = name
        self.servers = servers
        self.capacity = capacity ?? .max
        self.index = index
        self.completionKind = completionKind
        if let curve = capacityCurve {
            precondition(curve.count >= 2 && curve[0] == 0 && curve.dropFirst().allSatisfy { $0 > 0 })
            self.capacityCurve = ContiguousArray(curve)
        } else {
            self.capacityCurve = ContiguousArray((0...servers).map(Double.init))
        }
        lastUpdate = startTime
        emptySince = startTime
        population = TimeAverage(at: startTime)
        busy = TimeAverage(at: startTime)
        occupied = TimeAverage(at: startTime)
    }

    /// Customers present now.
    @inlinable public var count: Int { finishing.count }

    @inlinable
    func capacity(for n: Int) -> Double {
        n < capacityCurve.count ? capacityCurve[n] : capacityCurve[capacityCurve.count - 1]
    }

    /// The capacity with n customers present, `outside` of them outside the capacity curve:
    /// every customer occupies the servers (min(n, servers) of them), at the efficiency the
    /// curve gives the customers inside it (capacity over servers occupied, 1 when none is).
    /// One virtual time serves every customer, so the outsiders share that efficiency: a
    /// process beside a database whose backends contend is slowed with them, and cannot
    /// restore the capacity their contention loses.
    @inlinable
    func capacityPresent(_ n: Int) -> Double {
        if outside == 0 { return capacity(for: n) }
        let occupied = Double(Swift.min(n, servers))
        let inside = n &- outside
        guard inside > 0 else { return occupied }
        return occupied * capacity(for: inside) / Double(Swift.min(inside, servers))
    }

    /// Per-customer service rate with n present.
    @inlinable
    func rate(for n: Int) -> Double { n == 0 ? 0 : capacityPresent(n) / Double(n) }

    @inlinable
    mutating func advanceVirtualTime(to now: Double) {
        virtualTime += (now - lastUpdate) * rate(for: finishing.count)
        lastUpdate = now
    }

    /// Offers a customer needing `work` seconds of one server's time. A customer that does not
    /// `contend` shares the servers like any other but stays outside the capacity curve: other
    /// work on the same cores (a co-located process), not one more of the contending kind the
    /// curve was fitted to (a database's backends).
    @inlinable
    public mutating func arrive(_ customer: Int32, work: Double, contends: Bool = true, in sim: inout Simulator) -> Admission {
        arrivals &+= 1
        if finishing.count >= capacity { rejections &+= 1; return .rejected }
        let now = sim.now
        advanceVirtualTime(to: now)
        let slot = slots.allocate(customer: customer, arrival: now, service: work)
        if !contends {
            while outsideBySlot.count <= Int(slot) { outsideBySlot.append(false) }
            outsideBySlot[Int(slot)] = true
            outside &+= 1
        }
        pushFinishing((virtualTime + work, slot))
        recordPopulation(at: now)
        reschedule(in: &sim)
        return .started
    }

    /// Handles this station's completion event; nil when the event is stale or came early (an
    /// arrival slowed everyone down since it was scheduled; it is then re-armed).
    @inlinable
    public mutating func complete(_ event: Event, in sim: inout Simulator) -> Departure? {
        guard event.generation == generation, let top = finishing.first else { return nil }
        let now = sim.now
        pendingAt = .infinity
        advanceVirtualTime(to: now)
        if top.v - virtualTime > 1e-9 * Swift.max(1, abs(top.v)) {
            reschedule(in: &sim)
            return nil
        }
        virtualTime = top.v
        popFinishing()
        let r = slots.records[Int(top.slot)]
        if outside > 0 && Int(top.slot) < outsideBySlot.count && outsideBySlot[Int(top.slot)] {
            outsideBySlot[Int(top.slot)] = false
            outside &-= 1
        }
        slots.free(top.slot)
        completions &+= 1
        if finishing.isEmpty { emptySince = now }
        responseTimes.record(now - r.arrival)
        recordPopulation(at: now)
        reschedule(in: &sim)
        return Departure(customer: r.customer, arrivalTime: r.arrival, serviceStart: r.arrival, departureTime: now)
    }

    @inlinable
    mutating func recordPopulation(at now: Double) {
        let n = finishing.count
        population.update(to: Double(n), at: now)
        busy.update(to: Swift.min(capacityPresent(n), Double(servers)), at: now)
        occupied.update(to: Double(Swift.min(n, servers)), at: now)
    }

    /// Makes sure a completion event is pending no later than the next departure. An event
    /// already pending at or before that time is kept (it re-arms itself if it comes early), so
    /// an arrival, which only delays departures, usually schedules nothing.
    @inlinable
    mutating func reschedule(in sim: inout Simulator) {
        guard let top = finishing.first else {
            generation &+= 1
            pendingAt = .infinity
            return
        }
        let at = sim.now + Swift.max(0, (top.v - virtualTime) / rate(for: finishing.count))
        if pendingAt <= at { return }
        generation &+= 1
        pendingAt = at
        sim.schedule(at: at, kind: completionKind, target: index, generation: generation)
    }

    @inlinable
    mutating func pushFinishing(_ item: (v: Double, slot: Int32)) {
        finishing.append(item)
        var i = finishing.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if finishing[parent].v <= item.v { break }
            finishing[i] = finishing[parent]
            i = parent
        }
        finishing[i] = item
    }

    @inlinable
    mutating func popFinishing() {
        let last = finishing.removeLast()
        guard !finishing.isEmpty else { return }
        let n = finishing.count
        var i = 0
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var c = l
            if l + 1 < n && finishing[l + 1].v < finishing[l].v { c = l + 1 }
            if finishing[c].v >= last.v { break }
            finishing[i] = finishing[c]
            i = c
        }
        finishing[i] = last
    }

    /// Utilization since the last reset: average capacity in use / servers.
    public func utilization(at time: Double) -> Double { busy.average(at: time) / Double(servers) }

    public mutating func resetStatistics(at time: Double) {
        arrivals = 0; rejections = 0; completions = 0
        population.reset(at: time)
        busy.reset(at: time)
        occupied.reset(at: time)
        responseTimes.reset()
    }
}

import SimulationEngine

/// A pool of connections with a FIFO line of waiters and one timeout for all of them:
/// Prisma's pool (`connection_limit`, `pool_timeout`, error P2024) and a PgBouncer server
/// pool (`default_pool_size`, `query_wait_timeout`).
///
/// Connections are opened lazily up to the limit and then kept. Because every waiter has the
/// same timeout, the first in line is always the first to time out, so one pending deadline
/// event per pool suffices: it is armed when someone starts waiting and no timer is pending,
/// and when it fires it expires every waiter who is due and re-arms for the new head. Waiters
/// served in between need no event, so the event list holds at most one timer per pool.
public struct ConnectionPool: Sendable {
    public let limit: Int
    public let timeout: Double
    public let index: Int32
    public let deadlineKind: Int32

    /// Connections opened so far (busy + idle).
    public var open = 0
    public var busy = 0
    @usableFromInline var line = RingBuffer<(request: Int32, deadline: Double, since: Double)>(capacity: 16)
    @usableFromInline var generation: UInt32 = 0
    @usableFromInline var armed = false

    // Statistics since the last reset.
    public var acquisitions = 0
    public var timeouts = 0
    public var waits = Tally()
    public var busyOverTime: TimeAverage
    public var waitingOverTime: TimeAverage
    /// The wait of the waiter most recently given a connection.
    public var lastWait: Double = 0

    public init(limit: Int, timeout: Double, index: Int32, deadlineKind: Int32, startTime: Double) {
        precondition(limit >= 1)
        self.limit = limit
        self.timeout = timeout
        self.index = index
        self.deadlineKind = deadlineKind
        busyOverTime = TimeAverage(at: startTime)
        waitingOverTime = TimeAverage(at: startTime)
    }

    public enum Acquire: Sendable, Equatable {
        /// An idle connection was taken.
        case acquired
        /// None idle but under the limit: the caller must open one (and may fail to).
        case mustOpen
        /// The request waits in line.
        case queued
    }

    @inlinable public var waiting: Int { line.count }
    @inlinable public var idle: Int { open - busy }

    @inlinable
    public mutating func acquire(_ request: Int32, in sim: inout Simulator) -> Acquire {
        let now = sim.now
        if busy < open {
            take(at: now)
            waits.record(0)
            return .acquired
        }
        if open < limit {
            return .mustOpen
        }
        waitingOverTime.update(to: Double(line.count + 1), at: now)
        line.append((request, now + timeout, now))
        if !armed { arm(in: &sim) }
        return .queued
    }

    /// Records that the caller opened a new connection and uses it.
    @inlinable
    public mutating func opened(at now: Double) {
        open &+= 1
        take(at: now)
        waits.record(0)
    }

    @inlinable
    mutating func take(at now: Double) {
        busyOverTime.update(to: Double(busy &+ 1), at: now)
        busy &+= 1
        acquisitions &+= 1
    }

    /// Gives a connection back; returns the waiter who gets it, if any.
    @inlinable
    public mutating func release(in sim: inout Simulator) -> Int32? {
        let now = sim.now
        if let next = line.popFirst() {
            waitingOverTime.update(to: Double(line.count), at: now)
            waits.record(now - next.since)
            lastWait = now - next.since
            acquisitions &+= 1
            // The pending timer (at the old head's deadline, the earliest) stays armed: when it
            // fires it expires whoever is due and re-arms for the new head.
            return next.request
        }
        busyOverTime.update(to: Double(busy &- 1), at: now)
        busy &-= 1
        return nil
    }

    /// Handles the pool's deadline event: returns the waiters that timed out, oldest first.
    @inlinable
    public mutating func expire(_ event: Event, in sim: inout Simulator, into expired: inout [Int32]) {
        guard event.generation == generation else { return }
        armed = false
        let now = sim.now
        while let head = line.first, head.deadline <= now {
            _ = line.popFirst()
            expired.append(head.request)
            timeouts &+= 1
            waits.record(now - head.since)
        }
        waitingOverTime.update(to: Double(line.count), at: now)
        if !line.isEmpty { arm(in: &sim) }
    }

    @inlinable
    mutating func arm(in sim: inout Simulator) {
        generation &+= 1
        guard let head = line.first else { armed = false; return }
        armed = true
        sim.schedule(at: Swift.max(head.deadline, sim.now), kind: deadlineKind, target: index, generation: generation)
    }

    public func utilization(at time: Double) -> Double { busyOverTime.average(at: time) / Double(limit) }

    public mutating func resetStatistics(at time: Double) {
        acquisitions = 0; timeouts = 0
        waits.reset()
        busyOverTime.reset(at: time)
        waitingOverTime.reset(at: time)
    }
}

import SimulationEngine

/// A first-come first-served single server whose waits follow from the Lindley recursion
/// instead of events: a job arriving at `a` starts at `max(a, freeAt)` and frees the server
/// at start + service.
///
/// Exact for a FIFO single server as long as jobs are offered in order of arrival time, which
/// holds because the simulation offers them as its clock advances. It models the Node event
/// loop (CPU segments of every request in a process run one after another), the Redis
/// command thread and a PgBouncer process with one event per job instead of three.
public struct FCFSServer: Sendable {
    @usableFromInline var freeAt: Double
    @usableFromInline var windowStart: Double
    /// Busy time since the window started (for utilization).
    public var busyTime: Double = 0
    public var jobs: Int = 0
    /// Total time jobs spent waiting (for the mean wait and, by Little's law, the mean queue).
    public var waitSum: Double = 0
    public var meanWait: Double { jobs > 0 ? waitSum / Double(jobs) : 0 }
    /// The largest wait seen in the window.
    public var maxWait: Double = 0
    /// The wait of the job most recently served (for a caller's histogram).
    public var lastWait: Double = 0

    public init(startTime: Double = 0) {
        freeAt = startTime
        windowStart = startTime
    }

    /// Serves a job arriving at `arrival` with `service` seconds of work; returns when it finishes.
    @inlinable @inline(__always)
    public mutating func serve(arrival: Double, service: Double) -> Double {
        let start = arrival > freeAt ? arrival : freeAt
        let wait = start - arrival
        freeAt = start + service
        busyTime += service
        jobs &+= 1
        waitSum += wait
        lastWait = wait
        if wait > maxWait { maxWait = wait }
        return freeAt
    }

    /// When the last job booked finishes (the start time before any): the server idles from then.
    @inlinable public var idleSince: Double { freeAt }

    /// The wait a job arriving now would have (the backlog).
    @inlinable public func backlog(at time: Double) -> Double { Swift.max(0, freeAt - time) }

    /// The extra work of a job arriving at `time`: `wakeUp` when it finds the server idle, 0 when
    /// it queues behind another. A thread that sleeps when idle pays for waking (the poll
    /// returning, the switch back) once per job that finds it asleep; the API's loop, Redis,
    /// PgBouncer and a load generator all charge it so (`api.loopWakeUpCpuMs`,
    /// `redis.wakeUpCpuUs`, `database.pgbouncer.wakeUpCpuUs`, `loadGeneratorWakeUpCpuMs`).
    @inlinable @inline(__always)
    public func wakeUpCost(_ wakeUp: Double, at time: Double) -> Double { wakeUp > 0 && freeAt <= time ? wakeUp : 0 }

    /// The extra work of a job arriving at `time` by how long the server has idled then, read
    /// from `curve` (``WakeUpCurve``): 0 when it queues behind another or arrives the moment the
    /// last job ends.
    @inlinable @inline(__always)
    public func wakeUpCost(_ curve: WakeUpCurve, at time: Double) -> Double {
        freeAt <= time ? curve.latency(afterIdle: time - freeAt) : 0
    }

    /// Busy share of the window [windowStart, time]; work booked past `time` is not counted.
    public func utilization(at time: Double) -> Double {
        let span = time - windowStart
        guard span > 0 else { return 0 }
        return Swift.min(1, Swift.max(0, (busyTime - Swift.max(0, freeAt - time)) / span))
    }

    public mutating func resetStatistics(at time: Double) {
        // Work already booked beyond `time` belongs to the new window.
        busyTime = Swift.max(0, freeAt - time)
        windowStart = time
        jobs = 0
        waitSum = 0
        maxWait = 0
    }
}

/// c identical first-come first-served servers by the Kiefer-Wolfowitz recursion: each job
/// takes the server that frees first. Exact for FCFS G/G/c when jobs are offered in arrival
/// order. Used for the libuv thread pool (bcrypt) and for external services with a
/// concurrency cap.
public struct FCFSServerGroup: Sendable {
    @usableFromInline var freeAt: ContiguousArray<Double>
    @usableFromInline var windowStart: Double
    public var busyTime: Double = 0
    public var jobs: Int = 0
    public var waits = Tally()

    public init(servers: Int, startTime: Double = 0) {
        precondition(servers >= 1)
        freeAt = ContiguousArray(repeating: startTime, count: servers)
        windowStart = startTime
    }

    public var servers: Int { freeAt.count }

    @inlinable
    public mutating func serve(arrival: Double, service: Double) -> Double {
        var best = 0
        var i = 1
        while i < freeAt.count {
            if freeAt[i] < freeAt[best] { best = i }
            i &+= 1
        }
        let start = Swift.max(arrival, freeAt[best])
        waits.record(start - arrival)
        freeAt[best] = start + service
        busyTime += service
        jobs &+= 1
        return start + service
    }

    public func utilization(at time: Double) -> Double {
        let span = time - windowStart
        guard span > 0 else { return 0 }
        let ahead = freeAt.reduce(0) { $0 + Swift.max(0, $1 - time) }
        return Swift.min(1, Swift.max(0, (busyTime - ahead) / (span * Double(freeAt.count))))
    }

    public mutating func resetStatistics(at time: Double) {
        busyTime = freeAt.reduce(0) { $0 + Swift.max(0, $1 - time) }
        windowStart = time
        jobs = 0
        waits.reset()
    }
}

import SimulationEngine

/// One Node.js process of the API (or a worker): its event loop, libuv's thread pool, and
/// the requests it holds.
///
/// CPU segments of every request in a process run one after another on its event loop; waits
/// on Redis, Postgres and providers overlap. A process answers 503 once it holds its most
/// requests in flight.
public struct APIProcess: Sendable {
    /// The event loop: a FIFO single server for CPU segments.
    public var loop: FCFSServer
    /// libuv's thread pool (bcrypt), a few threads.
    public var threadPool: FCFSServerGroup
    public var inFlight = 0
    /// The last wake-up of this process's core (a request or reply that found the loop idle):
    /// with the loop's last segment, how long the core has been idle (``IdleWakeUpModel``).
    public var wake = CoreWakeUp()
    public var peakInFlight = 0
    /// Requests refused at the in-flight cap (503) in the window.
    public var rejected = 0
    public var inFlightOverTime: TimeAverage
    public var completed = 0
    public var responseTimes = Tally()

    public init(threadPoolSize: Int, origin: Double) {
        loop = FCFSServer(startTime: origin)
        threadPool = FCFSServerGroup(servers: threadPoolSize, startTime: origin)
        inFlightOverTime = TimeAverage(at: origin)
    }

    /// A request comes in at `now` (the caller has checked the cap).
    @inline(__always)
    public mutating func admit(at now: Double) {
        inFlightOverTime.update(to: Double(inFlight + 1), at: now)
        inFlight += 1
        if inFlight > peakInFlight { peakInFlight = inFlight }
    }

    /// A request leaves at `now` after `responseTime` seconds in the process.
    @inline(__always)
    public mutating func release(at now: Double, responseTime: Double, measuring: Bool) {
        inFlightOverTime.update(to: Double(inFlight - 1), at: now)
        inFlight -= 1
        if measuring {
            completed += 1
            responseTimes.record(responseTime)
        }
    }

    public mutating func resetStatistics(at now: Double) {
        loop.resetStatistics(at: now)
        threadPool.resetStatistics(at: now)
        inFlightOverTime.reset(at: now)
        rejected = 0
        completed = 0
        responseTimes.reset()
        peakInFlight = inFlight
    }
}

/// The load balancer in front of the API processes: round-robin, random or least connections.
public struct LoadBalancer: Sendable {
    public let policy: BalancingPolicy
    var next = 0

    public init(policy: BalancingPolicy) { self.policy = policy }

    /// The process (of the first `count`) that takes the next request.
    @inline(__always)
    public mutating func choose(among count: Int, processes: ContiguousArray<APIProcess>, _ rng: inout Xoshiro256StarStar) -> Int {
        switch policy {
        case .roundRobin:
            next += 1
            if next >= count { next = 0 }
            return next
        case .random:
            return rng.nextInt(below: count)
        case .leastConnections:
            var best = 0
            for p in 1..<count where processes[p].inFlight < processes[best].inFlight { best = p }
            return best
        }
    }
}

/// The API's autoscaler: every interval it compares the event loops' busy share over the last
/// interval with the scaling target and orders the instances missing, which take traffic
/// after a delay (a new instance boots and passes its readiness check).
public struct Autoscaler: Sendable {
    public let model: AutoscalingModel
    public let target: Double
    public let maxInstances: Int
    var lastBusy = 0.0
    /// Instances ordered and not yet taking traffic.
    public var pending = 0
    /// Instances added in the run.
    public var added = 0

    public init(model: AutoscalingModel, target: Double, maxInstances: Int) {
        self.model = model; self.target = target; self.maxInstances = maxInstances
    }

    /// Instances to order now, given the loops' total busy time so far (0: none).
    public mutating func check(totalBusy busy: Double, apiProcesses: Int, processesPerInstance: Int, capacity: Int) -> Int {
        let delta = busy - lastBusy
        lastBusy = busy
        let utilization = delta / (model.interval * Double(apiProcesses))
        let instances = apiProcesses / processesPerInstance + pending
        guard utilization > target else { return 0 }
        let wanted = Swift.min(maxInstances, Int(saturating: (Double(apiProcesses / processesPerInstance) * utilization / target).rounded(.up)))
        let add = Swift.min(wanted - instances, (capacity - apiProcesses) / processesPerInstance - pending)
        if add > 0 { pending += add }
        return Swift.max(0, add)
    }
}

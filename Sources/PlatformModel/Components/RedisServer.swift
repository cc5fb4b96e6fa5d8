import SimulationEngine

/// Redis as the platform uses it: one command thread (a FIFO single server fed by each round
/// trip's commands), the network round trip around it, and the memory its keys take.
///
/// Redis executes every command on one thread, so a round trip's commands queue behind
/// everyone else's whatever the instance size (redis.io, "Redis is single-threaded"). Half
/// the round trip is spent before the server and half after, so the server sees a command
/// when it actually arrives.
public struct RedisServer: Sendable {
    /// The command thread.
    public var thread: FCFSServer
    /// Keys alive, for memory and `maxmemory`.
    public var memory: RedisMemory
    /// Commands (script calls counted once) executed since the last statistics reset.
    public var commands = 0
    /// The last wake-up of the command thread's core (``IdleWakeUpModel``).
    public var wake = CoreWakeUp()
    /// Time inside the server per simple command, and per rate-limit script.
    let commandTime: Distribution
    let scriptTime: Distribution
    /// Client-to-server round trip.
    let roundTrip: Distribution
    let callCPU: Distribution
    /// Extra CPU per round trip that finds the thread idle (``RedisModel/wakeUpCPU``).
    let wakeUpCPU: Double
    /// The server's CPU for the last round trip (commands and calls), before any slowdown.
    public private(set) var lastService = 0.0
    public let baseMemoryBytes: Double
    /// A small key (a limiter's counter) with its overhead.
    public let bytesPerKey: Double
    /// A queued job (BullMQ keeps its data and options in a hash) and a session key.
    public let bytesPerJob: Double
    public let bytesPerSession: Double
    public let maxMemoryBytes: Double

    public init(model: RedisModel, origin: Double) {
        thread = FCFSServer(startTime: origin)
        memory = RedisMemory(origin: origin)
        commandTime = model.commandTime
        scriptTime = model.scriptTime
        roundTrip = model.roundTrip
        callCPU = model.callCPU
        wakeUpCPU = model.wakeUpCPU
        baseMemoryBytes = model.baseMemoryBytes
        bytesPerKey = model.bytesPerKey
        bytesPerJob = model.bytesPerJob
        bytesPerSession = model.bytesPerSession
        maxMemoryBytes = model.maxMemoryBytes
    }

    /// One round trip carrying `scripts` script calls and `commands` simple commands, sent at
    /// `now`: half the round trip there, the thread's queue and the work, half back. Each
    /// script and command is a call of its own (its `callCPU` besides the command's time).
    /// `slowdown` stretches the work when the thread shares its cores (1: a core of its own);
    /// `wakeUp` delays its start when the call finds that core idle (``IdleWakeUpModel``).
    /// A call that finds the thread idle costs `wakeUpCPU` more for each of its `trips` round
    /// trips (a chain of middlewares awaiting one reply each, booked at once: at a load where
    /// the first finds the thread idle, so do the ones a round trip later).
    /// Returns when the reply is back; the wait in the thread's queue is `thread.lastWait`.
    @inline(__always)
    public mutating func roundTrip(scripts: Int, commands count: Int, at now: Double, slowdown: Double = 1,
                                   wakeUp: Double = 0, trips: Int = 1, _ rng: inout Xoshiro256StarStar) -> Double {
        var service = 0.0
        for _ in 0..<scripts { service += scriptTime.sample(&rng) + callCPU.sample(&rng) }
        for _ in 0..<count { service += commandTime.sample(&rng) + callCPU.sample(&rng) }
        let half = roundTrip.sample(&rng) / 2
        let arrival = now + half + wakeUp
        service += thread.wakeUpCost(wakeUpCPU, at: arrival) * Double(Swift.max(1, trips))
        lastService = service
        commands += scripts + count
        return thread.serve(arrival: arrival, service: service * slowdown) + half
    }

    /// The network time of one more round trip after a call's first (a middleware awaiting its
    /// own command after another's): the server's work was booked with the first.
    @inline(__always)
    public func extraRoundTrip(_ rng: inout Xoshiro256StarStar) -> Double { roundTrip.sample(&rng) }

    /// The mean round trip, for a reply that needs no server work (a provider's 429 on the
    /// same network, say).
    public var meanRoundTrip: Double { roundTrip.mean }

    /// Bytes Redis holds: its base, the live keys' bytes, the queued jobs and the sessions.
    public func memoryBytes(liveBytes: Double, queuedJobs: Int, sessions: Int) -> Double {
        baseMemoryBytes + liveBytes + Double(queuedJobs) * bytesPerJob + Double(sessions) * bytesPerSession
    }

    public mutating func resetStatistics(at now: Double) {
        thread.resetStatistics(at: now)
        commands = 0
    }
}

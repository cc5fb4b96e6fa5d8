import SimulationEngine

/// Cores that wake up late (``IdleWakeUpModel``): work that finds a core idle starts after a
/// delay, longer the longer the core idled, by the curve of the process it wakes (an event
/// loop's, Redis's, a database server's). Three kinds of core: an API process's (its event
/// loop), a database server's (its queries and whatever shares its cores: Redis, PgBouncer, a
/// load generator) and Redis's own when it has one. While a core is waking, work that arrives
/// waits for the same wake-up rather than paying its own. A server of several cores wakes only
/// from empty (all idle): the simulator does not track its cores one by one. With no table (the
/// platform model's) every function here returns 0 at once.
extension PlatformSimulation {
    /// The delay of work for process kind `curve` reaching server `s`'s cores at `t` (a
    /// statement by default).
    @inline(__always)
    mutating func hostWakeUp(server s: Int, at t: Double, curve: WakingProcess = .database) -> Double {
        guard hot.parameters.wakesLate, servers[s].coresIdle else { return 0 }
        return Self.wake(hot.idleWakeUp[curve], idleSince: servers[s].station.emptySince, at: t,
                         wake: &servers[s].wake)
    }

    /// The delay of a Redis call reaching the command thread at `t`: its own core's wake-up, or
    /// the database's when it shares that core.
    @inline(__always)
    mutating func redisWakeUp(at t: Double) -> Double {
        guard hot.parameters.wakesLate else { return 0 }
        if hot.parameters.colocatedRedis { return hostWakeUp(server: 0, at: t, curve: .redis) }
        guard redis.thread.backlog(at: t) == 0 else { return 0 }
        return Self.wake(hot.idleWakeUp.redis, idleSince: redis.thread.idleSince, at: t, wake: &redis.wake)
    }

    /// The delay of work reaching API process `p`'s idle event loop at `t` (a request, or a
    /// reply it awaited): 0 when the loop is busy then.
    @inline(__always)
    mutating func loopWakeUp(process p: Int, at t: Double) -> Double {
        guard hot.parameters.wakesLate, processes[p].loop.backlog(at: t) == 0 else { return 0 }
        return Self.wake(hot.idleWakeUp.eventLoop, idleSince: processes[p].loop.idleSince, at: t,
                         wake: &processes[p].wake)
    }

    /// The delay of work reaching at `t` a core idle since `idleSince` unless a wake-up
    /// [`wake.from`, `wake.until`) was recorded: work arriving during it waits for its end; after it, the
    /// core idled from its end. A wake-up recorded for a later moment (a reply booked ahead) is
    /// left alone and not counted.
    @inline(__always)
    static func wake(_ w: WakeUpCurve, idleSince: Double, at t: Double, wake: inout CoreWakeUp) -> Double {
        if wake.from <= t && t < wake.until { return wake.until - t }
        let since = wake.until <= t ? Swift.max(idleSince, wake.until) : idleSince
        let delay = w.latency(afterIdle: t - since)
        if wake.until <= t { wake = CoreWakeUp(from: t, until: t + delay) }
        return delay
    }

    /// The API process whose loop awaits request r's reply (-1 for a job: a worker's loop is
    /// not kept one by one).
    @inline(__always)
    func loopAwaiting(_ r: Int32) -> Int { requests[Int(r)].isJob ? -1 : Int(requests[Int(r)].process) }

    /// The wake-ups of a round trip after a call's first (a middleware awaiting its own command
    /// after another's, a statement after the last): both ends idled for about the trip, the
    /// server (process kind `curve`) and the event loop awaiting it.
    @inline(__always)
    func chainedWakeUps(trip: Double, curve: WakingProcess) -> Double {
        guard hot.parameters.wakesLate else { return 0 }
        let w = hot.idleWakeUp
        return w[curve].latency(afterIdle: trip) + w.eventLoop.latency(afterIdle: trip)
    }
}

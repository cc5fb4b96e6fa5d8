import Foundation

/// How long work that finds its core idle takes to get going, by the kind of process it wakes.
///
/// An idle CPU sleeps in an idle state, deeper the longer it stays idle, and a virtual CPU
/// whose guest halted is descheduled by the host: the first message to a process on such a
/// core waits for the core to come back, and the process then runs its first microseconds on
/// cold caches. On the testbed's virtual machine a Redis GET from the API's core took 0.08 ms
/// back to back and 0.56 ms when both cores had been idle 20 ms, a point query 0.17 and 0.68
/// ms, and the API's health endpoint 0.40 and 1.64 ms (`Testbed/app/wakeup.js`): more for the
/// process that runs more code before it answers (Node's HTTP stack and Express against
/// Redis's GET). So at low and moderate load every hop of a request (the API's loop, Redis,
/// PgBouncer, a Postgres backend, the load generator's receipt) pays part of that, and a busy
/// core none: latency the simulator had missed below saturation, where cores idle between
/// requests.
///
/// One curve per kind of process: an event loop (an API process, the load generator), Redis's
/// command thread, a database server's processes (Postgres backends and PgBouncer).
public struct IdleWakeUpModel: Sendable, Equatable {
    /// A Node.js event loop: an API process's, a load generator's.
    public var eventLoop: WakeUpCurve
    /// Redis's command thread.
    public var redis: WakeUpCurve
    /// A database server's processes: its Postgres backends, PgBouncer when it shares its cores.
    public var database: WakeUpCurve

    public init(eventLoop: WakeUpCurve, redis: WakeUpCurve, database: WakeUpCurve) {
        self.eventLoop = eventLoop
        self.redis = redis
        self.database = database
    }

    /// The same curve for every kind of process.
    public init(all curve: WakeUpCurve) {
        self.init(eventLoop: curve, redis: curve, database: curve)
    }

    /// Cores wake at once (the platform model's default: not measured on its hosts).
    public static let none = IdleWakeUpModel(all: .none)

    /// Whether any delay is modelled.
    @inlinable public var isOn: Bool { eventLoop.isOn || redis.isOn || database.isOn }

    /// The curve of process kind `kind`.
    @inlinable
    public subscript(kind: WakingProcess) -> WakeUpCurve {
        switch kind {
        case .eventLoop: eventLoop
        case .redis: redis
        case .database: database
        }
    }
}

/// The kinds of process whose wake-up from idle the model times apart (``IdleWakeUpModel``).
public enum WakingProcess: Sendable {
    case eventLoop, redis, database
}

/// The delay of work after its core idled a while: a measured table, after an idle period of
/// `idle[i]` seconds `delay[i]` seconds; linear between points, from no delay at no idle time,
/// and the last delay beyond the last point. The same table holds the CPU of waking an idle
/// event loop by its idle time (``APIModel/loopWakeUpCPUAfterIdle``), read with the same rule.
public struct WakeUpCurve: Sendable, Equatable {
    /// Idle times, increasing, in seconds.
    public var idle: [Double]
    /// The delay after each, in seconds.
    public var delay: [Double]

    public init(idle: [Double], delay: [Double]) {
        precondition(idle.count == delay.count)
        self.idle = idle
        self.delay = delay
    }

    /// No delay after any idle time.
    public static let none = WakeUpCurve(idle: [], delay: [])

    /// Whether any delay is modelled.
    @inlinable public var isOn: Bool { !idle.isEmpty }

    /// The delay before work that finds a core idle for `idle` seconds starts.
    @inlinable
    public func latency(afterIdle t: Double) -> Double {
        guard t > 0, let last = idle.last else { return 0 }
        if t >= last { return delay[delay.count - 1] }
        var x0 = 0.0, y0 = 0.0
        for i in idle.indices {
            if t < idle[i] { return y0 + (delay[i] - y0) * (t - x0) / (idle[i] - x0) }
            x0 = idle[i]; y0 = delay[i]
        }
        return y0
    }
}

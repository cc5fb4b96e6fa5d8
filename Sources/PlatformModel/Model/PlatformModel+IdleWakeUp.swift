import Foundation

/// How long a core that has been idle takes to start the work that wakes it.
///
/// An idle CPU sleeps in an idle state, deeper the longer it stays idle, and a virtual CPU
/// whose guest halted is descheduled by the host: the first message to a process on such a
/// core waits for the core to come back before anything runs. On the testbed's virtual
/// machine a Redis GET from the API's core took 0.15 ms back to back and 0.55 ms when both
/// cores had been idle 20 ms (Notebooks/validation.md), so at low and moderate load every hop
/// of a request (the API's loop, Redis, PgBouncer, a Postgres backend, the load generator's
/// receipt) pays part of that, and a busy core none: part of the latency the simulator had
/// missed below saturation, where cores idle between requests.
///
/// The delay is a measured table: after an idle period of `idle[i]` seconds, `delay[i]`
/// seconds; linear between points, from no delay at no idle time, and the last delay beyond the
/// last point (`Testbed/app/wakeup.js` measures it: a datagram's one-way delay to a core idle
/// that long, less its delay after 20 us idle).
public struct IdleWakeUpModel: Sendable, Equatable {
    /// Idle times, increasing, in seconds.
    public var idle: [Double]
    /// The delay after each, in seconds.
    public var delay: [Double]

    public init(idle: [Double], delay: [Double]) {
        precondition(idle.count == delay.count)
        self.idle = idle
        self.delay = delay
    }

    /// Cores wake at once (the platform model's default: not measured on its hosts).
    public static let none = IdleWakeUpModel(idle: [], delay: [])

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

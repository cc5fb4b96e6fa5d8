import SimulationEngine

/// Fixed-window counters with the semantics of express-rate-limit's Redis store: the key's
/// window starts at its first request (`INCR`, then `PEXPIRE` when the count is 1) and
/// lasts `window`; the count after the increment decides (`count > limit` is a 429).
///
/// One entry per key (window start as seconds since the run's origin, and the count), so a
/// million keys cost 16 MB. The start is a `Double`: a `Float` would move window ends by up to
/// half its spacing (about 4 ms late in a day-long run) and count requests near a window's end
/// in the wrong window.
public struct FixedWindowCounters: Sendable {
    /// Window start (seconds since the origin) and count of one key, side by side so that a
    /// check touches one cache line.
    @usableFromInline struct Entry: Sendable {
        @usableFromInline var start: Double
        @usableFromInline var count: UInt32
        @inlinable init(start: Double, count: UInt32) { self.start = start; self.count = count }
    }
    @usableFromInline var entries: ContiguousArray<Entry>
    public let window: Double
    @usableFromInline let origin: Double

    public init(keys: Int, window: Double, origin: Double) {
        entries = ContiguousArray(repeating: Entry(start: 0, count: 0), count: keys)
        self.window = window
        self.origin = origin
    }

    public var keyCount: Int { entries.count }

    /// Counts a request for `key` at `time` and returns the count in its window, this request included.
    @inlinable
    public mutating func hit(_ key: Int, at time: Double) -> Int {
        let t = time - origin
        return entries.withUnsafeMutableBufferPointer { e in
            if e[key].count == 0 || t >= e[key].start + window {
                e[key] = Entry(start: t, count: 1)
                return 1
            }
            if e[key].count < .max { e[key].count &+= 1 }
            return Int(e[key].count)
        }
    }

    /// Seconds until the key's window ends (the `Retry-After` of a 429).
    @inlinable
    public func retryAfter(_ key: Int, at time: Double) -> Double {
        Swift.max(0, entries[key].start + window - (time - origin))
    }

    /// Starts a key mid-window, as if it had already counted `count` requests since `start`
    /// (used to begin a run in steady state rather than with every window empty).
    public mutating func preset(_ key: Int, start: Double, count: Int) {
        guard count > 0 else { return }
        entries[key] = Entry(start: start - origin, count: UInt32(Swift.min(count, Int(UInt32.max))))
    }

    /// Keys whose window is still open at `time`: the rate limiter's keys alive in Redis.
    public func liveKeys(at time: Double) -> Int {
        let t = time - origin
        var n = 0
        for e in entries where e.count > 0 && t < e.start + window { n += 1 }
        return n
    }
}

/// One express-rate-limit middleware instance with its counters and what it decided.
public struct RateLimiter: Sendable {
    public let model: RateLimiterModel
    public var counters: FixedWindowCounters
    /// For an IP-keyed limiter: the same window per user, to tell a user who is over the limit
    /// on their own (a real 429) from one rejected only because others share the IP (a false 429).
    public var shadowPerUser: FixedWindowCounters?
    /// Which endpoints this limiter sees (after scope, endpoint list and skip list).
    @usableFromInline let appliesTo: ContiguousArray<Bool>

    /// Whether the key is the client IP (else the user).
    public let keyedByIP: Bool
    /// Whether the limit depends on the user's tier (`limitByTier`).
    public let tiered: Bool

    public var checks = 0
    public var rejected = 0
    public var falseRejected = 0
    /// Whether the last check created its key in Redis (the first request of a window).
    public var createdKey = false

    public init(model: RateLimiterModel, endpoints: [EndpointModel], keys: Int, users: Int, origin: Double) {
        self.model = model
        keyedByIP = model.key == .ip
        tiered = model.limitByTier != nil
        counters = FixedWindowCounters(keys: keys, window: model.window, origin: origin)
        shadowPerUser = model.key == .ip ? FixedWindowCounters(keys: users, window: model.window, origin: origin) : nil
        appliesTo = ContiguousArray(endpoints.map { e in
            guard e.middleware, !model.skip.contains(e.index) else { return false }
            if !model.endpoints.isEmpty && !model.endpoints.contains(e.index) { return false }
            switch model.scope {
            case .all: return true
            case .authenticated: return e.authenticated
            case .unauthenticated: return !e.authenticated
            }
        })
    }

    @inlinable public func applies(to endpoint: Int) -> Bool { appliesTo[endpoint] }

    public func limit(forTier tier: Int) -> Int {
        if let byTier = model.limitByTier, tier >= 0, tier < byTier.count { return byTier[tier] }
        return model.limit
    }

    public enum Decision: Sendable, Equatable { case allowed, rejected, falselyRejected }

    /// Counts one request and decides. `user` is -1 for a request with no known user.
    @inlinable
    public mutating func check(ip: Int, user: Int, tier: Int, at time: Double) -> Decision {
        checks &+= 1
        let limit = tiered ? self.limit(forTier: tier) : model.limit
        switch model.key {
        case .user:
            guard user >= 0 else { createdKey = false; return .allowed }
            let count = counters.hit(user, at: time)
            createdKey = count == 1
            if count > limit { rejected &+= 1; return .rejected }
            return .allowed
        case .ip:
            let ipCount = counters.hit(ip, at: time)
            createdKey = ipCount == 1
            var ownCount = 0
            if user >= 0, shadowPerUser != nil { ownCount = shadowPerUser!.hit(user, at: time) }
            guard ipCount > limit else { return .allowed }
            rejected &+= 1
            if user >= 0 && ownCount <= limit { falseRejected &+= 1; return .falselyRejected }
            return .rejected
        }
    }

    public mutating func resetStatistics() { checks = 0; rejected = 0; falseRejected = 0 }
}

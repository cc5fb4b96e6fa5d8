import SimulationEngine

/// A provider called over HTTP inside a request or a job (Mailgun, the LLM): its rate limit
/// on the account (a one-second fixed window), its latency, its failures, and the caller's
/// timeout.
public struct ExternalService: Sendable {
    public let name: String
    let latency: Distribution
    let failureProbability: Double
    let rateLimitPerSecond: Double?
    let timeout: Double
    var windowStart = -Double.infinity
    var windowCount = 0

    public var calls = 0
    public var failures = 0
    public var rateLimited = 0
    public var timeouts = 0
    /// Latency of the answered calls (capped at the timeout).
    public var latencies = Tally()

    public init(model: ExternalServiceModel) {
        name = model.name
        latency = model.latency
        failureProbability = model.failureProbability
        rateLimitPerSecond = model.rateLimitPerSecond
        timeout = model.timeout
    }

    /// What a call gets.
    public enum Outcome: Sendable, Equatable {
        /// Over the provider's rate limit: refused at once.
        case rateLimited
        /// The caller gave up at its timeout (at `at`).
        case timedOut(at: Double)
        /// A 5xx at `at`.
        case failed(at: Double)
        case answered(at: Double)
    }

    /// One call at `now`. `degradation` multiplies the latency and raises the failure rate
    /// during a fault window. Random draws: the latency, then (unless it timed out) the failure.
    @inline(__always)
    public mutating func call(at now: Double, degradation: (latencyMultiplier: Double, failureProbability: Double)?,
                              measuring: Bool, _ rng: inout Xoshiro256StarStar) -> Outcome {
        if measuring { calls += 1 }
        if let limit = rateLimitPerSecond {
            if now - windowStart >= 1 {
                windowStart = now
                windowCount = 0
            }
            windowCount += 1
            if Double(windowCount) > limit {
                if measuring { rateLimited += 1 }
                return .rateLimited
            }
        }
        var latency = self.latency.sample(&rng)
        var failureProbability = self.failureProbability
        if let d = degradation {
            latency *= d.latencyMultiplier
            failureProbability = Swift.max(failureProbability, d.failureProbability)
        }
        if measuring { latencies.record(Swift.min(latency, timeout)) }
        let done = now + Swift.min(latency, timeout)
        if latency > timeout {
            if measuring { timeouts += 1 }
            return .timedOut(at: done)
        }
        if rng.nextUniform() < failureProbability {
            if measuring { failures += 1 }
            return .failed(at: done)
        }
        return .answered(at: done)
    }
}

import SimulationEngine

extension PlatformSimulation {
    /// A call to Mailgun or the LLM: the provider's rate limit, its latency, its failures and
    /// the caller's timeout. The request (or job) waits; the event loop does not.
    mutating func callExternal(_ r: Int32, service s: Int, in sim: inout Simulator) {
        let now = sim.now
        requests[Int(r)].step += 1
        var degraded: (latencyMultiplier: Double, failureProbability: Double)?
        if s == hot.parameters.degradedService, let d = degradation, d.contains(now) {
            degraded = (hot.parameters.latencyMultiplier, hot.parameters.degradedFailureProbability)
        }
        let outcome = externals[s].call(at: now, degradation: degraded, measuring: measuring, &externalRNG)
        if measuring && outcome != .rateLimited {
            if s == mailService { emailsSent += Double(requests[Int(r)].units) }
            if s == llmService { llmCalls += 1 }
        }
        switch outcome {
        case .rateLimited:
            // A 429 from the provider, one network round trip away.
            fail(r, .upstream, at: now + redis.meanRoundTrip, in: &sim)
        case .timedOut(let t):
            fail(r, .timeout, at: t, in: &sim)
        case .failed(let t):
            fail(r, .upstream, at: t, in: &sim)
        case .answered(let t):
            Self.schedule(.resume, at: t, entity: r, in: &sim)
        }
    }
}

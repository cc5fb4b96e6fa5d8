import Testing
@testable import SimulationEngine

// Single-station queues against closed-form results. Each scenario runs R independent
// replications (RandomStreams(masterSeed:, replication: r)); every theoretical value must lie
// in the 99.99% Student t interval of the replication estimates, and the interval must be
// narrow enough for that to mean something. The first 10% of customers of each replication
// are discarded (warm-up deletion from an empty station).

private typealias Config = SingleStationSimulation.Configuration
private typealias Result = SingleStationSimulation.Result

private func runReplications(_ config: Config, replications: Int, seed: UInt64) -> [Result] {
    replicate(replications, seed: seed) { SingleStationSimulation.run(config, streams: $0) }
}

/// Little's law with warm-up deletion: the two sides are measured independently (L as a time
/// average, lambda and W from customer counts and tallies) and lambda W, averaged over the
/// replications, must lie in the 99.99% interval of L; the same for the line (Lq = lambda Wq).
/// The edge terms of a finite window (customers present at the reset) are far smaller than
/// those intervals. The exact sample-path form is tested separately below.
private func expectLittlesLaw(_ results: [Result], _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let lambdaW = results.map { $0.acceptedArrivalRate * $0.meanResponse }.reduce(0, +) / Double(results.count)
    let lambdaWq = results.map { $0.acceptedArrivalRate * $0.meanWait }.reduce(0, +) / Double(results.count)
    let l = ConfidenceInterval(samples: results.map(\.meanInSystem), confidence: theoryConfidence)
    let lq = ConfidenceInterval(samples: results.map(\.meanQueueLength), confidence: theoryConfidence)
    #expect(l.contains(lambdaW), "\(label): lambda W = \(lambdaW) outside L's interval \(l.mean) ± \(l.halfWidth)",
            sourceLocation: sourceLocation)
    #expect(lq.contains(lambdaWq) || (lq.halfWidth == 0 && abs(lq.mean - lambdaWq) < 1e-12),
            "\(label): lambda Wq = \(lambdaWq) outside Lq's interval \(lq.mean) ± \(lq.halfWidth)",
            sourceLocation: sourceLocation)
}

/// Standard number of replications: with 20, the 99.99% t quantile is 4.90 (5.92 with 12).
private let replications = 20

@Suite("Queueing theory: single stations against exact results")
struct QueueingTheoryTests {
    /// M/M/1: Wq = rho / (mu - lambda), W = 1 / (mu - lambda), L = rho / (1 - rho),
    /// Lq = rho^2 / (1 - rho), utilization rho; and the variance of the wait,
    /// (2 rho - rho^2) / (mu - lambda)^2 (an atom 1 - rho at 0, else exponential with rate mu - lambda).
    @Test(arguments: [(0.5, 30_000), (0.8, 60_000)])
    func mm1(rho: Double, customers: Int) {
        let (lambda, mu) = (rho, 1.0)
        let config = Config(interarrival: .exponential(mean: 1 / lambda), service: .exponential(mean: 1 / mu), servers: 1,
                            customers: customers, warmUpCustomers: customers / 10)
        let results = runReplications(config, replications: replications, seed: 1001)
        let label = "M/M/1 rho \(rho)"
        expectTheory(results.map(\.meanWait), rho / (mu - lambda), precision: 0.1, "\(label) Wq")
        expectTheory(results.map(\.meanResponse), 1 / (mu - lambda), precision: 0.1, "\(label) W")
        expectTheory(results.map(\.meanInSystem), rho / (1 - rho), precision: 0.1, "\(label) L")
        expectTheory(results.map(\.meanQueueLength), rho * rho / (1 - rho), precision: 0.1, "\(label) Lq")
        expectTheory(results.map(\.utilization), rho, precision: 0.03, "\(label) utilization")
        // The variance of the wait is estimated far less precisely than its mean.
        expectTheory(results.map(\.waitVariance), (2 * rho - rho * rho) / ((mu - lambda) * (mu - lambda)), precision: 0.35,
                     "\(label) Var(Wq)")
        expectTheory(results.map(\.acceptedArrivalRate), lambda, precision: 0.03, "\(label) throughput")
        #expect(results.allSatisfy { $0.rejected == 0 && $0.reneged == 0 && $0.blockingProbability == 0 })
        expectLittlesLaw(results, label)
    }

    /// A cross-check of this file's own reference, not of the program: the test helper
    /// `erlangC` (the expected values of the M/M/c tests below) agrees with the direct sum (as in
    /// shared/anchors/erlang.py) and with the anchors README's published figure: lambda 8.5,
    /// mu 1, c 10 gives Wq = 0.3532. The program's `QueueingFormulas.erlangC` is tested in
    /// QueueingFormulasTests.swift.
    @Test func erlangCFormula() {
        func direct(_ c: Int, _ a: Double) -> Double {
            var s = 0.0, term = 1.0
            for k in 0..<c { if k > 0 { term *= a / Double(k) }; s += term }
            let top = term * a / Double(c) * Double(c) / (Double(c) - a)
            return top / (s + top)
        }
        for (c, a) in [(1, 0.5), (4, 3.2), (10, 8.5), (50, 45.0)] {
            expectClose(erlangC(servers: c, offeredLoad: a), direct(c, a), relative: 1e-12, "Erlang C(\(c), \(a))")
        }
        expectClose(erlangC(servers: 1, offeredLoad: 0.7), 0.7, relative: 1e-12, "M/M/1 waits with probability rho")
        #expect(abs(erlangC(servers: 10, offeredLoad: 8.5) / (10 - 8.5) - 0.3532) < 5e-5)
    }

    /// M/M/c against Erlang C at loads up to 0.95: Wq = C(c, a) / (c mu - lambda), W = Wq + 1/mu,
    /// Lq = lambda Wq, L = Lq + a, utilization a / c. Heavier loads need longer runs, and even
    /// so the interval at rho 0.95 is about ± 11% for Wq (the variance of a queue-length average
    /// grows like 1 / (1 - rho)^2): `precision` bounds what each case must resolve.
    @Test(arguments: [(4, 0.5, 30_000, 0.1), (4, 0.8, 60_000, 0.12), (4, 0.95, 120_000, 0.25), (10, 0.85, 50_000, 0.12)])
    func mmcErlangC(servers c: Int, rho: Double, customers: Int, precision: Double) {
        let mu = 1.0
        let lambda = rho * Double(c) * mu
        let a = lambda / mu
        let wq = erlangC(servers: c, offeredLoad: a) / (Double(c) * mu - lambda)
        let config = Config(interarrival: .exponential(mean: 1 / lambda), service: .exponential(mean: 1 / mu), servers: c,
                            customers: customers, warmUpCustomers: customers / 10)
        let results = runReplications(config, replications: replications, seed: 1002 + UInt64(c * 100) + UInt64(rho * 100))
        let label = "M/M/\(c) rho \(rho)"
        expectTheory(results.map(\.meanWait), wq, precision: precision, "\(label) Wq")
        expectTheory(results.map(\.meanResponse), wq + 1 / mu, precision: precision, "\(label) W")
        expectTheory(results.map(\.meanQueueLength), lambda * wq, precision: precision, "\(label) Lq")
        expectTheory(results.map(\.meanInSystem), lambda * wq + a, precision: precision, "\(label) L")
        expectTheory(results.map(\.utilization), rho, precision: 0.03, "\(label) utilization")
        expectLittlesLaw(results, label)
    }

    /// M/G/1 against Pollaczek-Khinchine: Wq = lambda E[S^2] / (2 (1 - rho)) with
    /// E[S^2] = S^2 (1 + cv^2), computed from the cv asked for (not the engine's moments):
    /// deterministic (M/D/1, cv 0), lognormal (cv 1.5), hyperexponential (cv 2).
    @Test(arguments: [("M/D/1", 0.8, 0.0, 50_000), ("M/LN/1", 0.7, 1.5, 60_000), ("M/H2/1", 0.7, 2.0, 80_000)])
    func mg1PollaczekKhinchine(name: String, rho: Double, cv: Double, customers: Int) throws {
        let meanService = 0.5
        let service: Distribution = switch name {
        case "M/D/1": .deterministic(meanService)
        case "M/LN/1": try .lognormal(mean: meanService, cv: cv)
        default: try .hyperexponential(mean: meanService, cv: cv)
        }
        let lambda = rho / meanService
        let secondMoment = meanService * meanService * (1 + cv * cv)
        let wq = lambda * secondMoment / (2 * (1 - rho))
        let config = Config(interarrival: .exponential(mean: 1 / lambda), service: service, servers: 1,
                            customers: customers, warmUpCustomers: customers / 10)
        let results = runReplications(config, replications: replications, seed: 1003 + UInt64(cv * 10))
        let label = "\(name) rho \(rho)"
        expectTheory(results.map(\.meanWait), wq, precision: 0.12, "\(label) Wq")
        expectTheory(results.map(\.meanResponse), wq + meanService, precision: 0.1, "\(label) W")
        expectTheory(results.map(\.meanQueueLength), lambda * wq, precision: 0.12, "\(label) Lq")
        expectTheory(results.map(\.meanInSystem), lambda * wq + rho, precision: 0.1, "\(label) L")
        expectTheory(results.map(\.utilization), rho, precision: 0.03, "\(label) utilization")
        expectLittlesLaw(results, label)
    }

    /// M/M/c/K (K = most customers in the station) as a birth-death chain: p_n proportional to
    /// prod lambda / (min(k, c) mu). Blocking is p_K (PASTA), throughput lambda (1 - p_K),
    /// L = sum n p_n, utilization E[min(n, c)] / c. Includes an overloaded case (a > c) and the
    /// M/M/1/K case lambda = mu where every state is equally likely (blocking 1 / (K + 1)).
    /// Blocking at 2.5% (M/M/5/12) comes in bursts, so that case runs longer.
    @Test(arguments: [(2, 5, 2.5, 20_000), (3, 3, 2.0, 20_000), (1, 4, 1.0, 20_000), (5, 12, 4.0, 50_000)])
    func mmcKBlocking(servers c: Int, capacity k: Int, lambda: Double, customers: Int) {
        let mu = 1.0
        let p = birthDeathDistribution(states: k, birth: { _ in lambda }, death: { n in Double(Swift.min(n, c)) * mu })
        let blocking = p[k]
        let throughput = lambda * (1 - blocking)
        let l = p.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element }
        let lq = p.enumerated().reduce(0) { $0 + Double(Swift.max($1.offset - c, 0)) * $1.element }
        let busy = p.enumerated().reduce(0) { $0 + Double(Swift.min($1.offset, c)) * $1.element }
        if c == 1 && lambda == mu { expectClose(blocking, 1 / Double(k + 1), relative: 1e-12, "M/M/1/K with lambda = mu") }
        let config = Config(interarrival: .exponential(mean: 1 / lambda), service: .exponential(mean: 1 / mu), servers: c,
                            capacity: k, customers: customers, warmUpCustomers: customers / 10)
        let results = runReplications(config, replications: replications, seed: 1004 + UInt64(k))
        let label = "M/M/\(c)/\(k) lambda \(lambda)"
        expectTheory(results.map(\.blockingProbability), blocking, precision: 0.15, "\(label) blocking")
        expectTheory(results.map(\.acceptedArrivalRate), throughput, precision: 0.03, "\(label) throughput")
        expectTheory(results.map(\.meanInSystem), l, precision: 0.03, "\(label) L")
        expectTheory(results.map(\.meanQueueLength), lq, precision: 0.1, "\(label) Lq")
        expectTheory(results.map(\.utilization), busy / Double(c), precision: 0.03, "\(label) utilization")
        expectTheory(results.map(\.meanResponse), l / throughput, precision: 0.03, "\(label) W (Little)")
        // Completions are the accepted arrivals plus the (at most K) customers present at the reset.
        #expect(results.allSatisfy { r in r.rejected > 0 && (0...k).contains(r.completions - (r.customers - r.rejected)) })
        expectLittlesLaw(results, label)
    }

    /// M/M/1 with exponential patience (rate theta) while waiting: a birth-death chain with
    /// death rate mu + (n - 1) theta in state n, solved here. Abandonments happen at rate
    /// theta E[number waiting], so the probability an arrival abandons is theta Lq / lambda.
    /// Includes rho = 1.2, stable only because customers abandon.
    @Test(arguments: [(0.8, 0.5), (1.0, 0.2), (1.2, 1.0)])
    func reneging(lambda: Double, theta: Double) {
        let mu = 1.0
        let states = 400  // p_n falls faster than geometrically; the tail beyond is below 1e-100
        let p = birthDeathDistribution(states: states, birth: { _ in lambda }, death: { n in mu + Double(n - 1) * theta })
        #expect(p[states] < 1e-100)
        let l = p.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element }
        let lq = l - (1 - p[0])
        let abandon = theta * lq / lambda
        let customers = 25_000
        let config = Config(interarrival: .exponential(mean: 1 / lambda), service: .exponential(mean: 1 / mu), servers: 1,
                            customers: customers, patience: .exponential(mean: 1 / theta), warmUpCustomers: customers / 10)
        let results = runReplications(config, replications: replications, seed: 1005 + UInt64(theta * 10))
        let label = "M/M/1+M lambda \(lambda) theta \(theta)"
        expectTheory(results.map(\.renegingProbability), abandon, precision: 0.05, "\(label) abandonment probability")
        expectTheory(results.map(\.meanQueueLength), lq, precision: 0.05, "\(label) Lq")
        expectTheory(results.map(\.meanInSystem), l, precision: 0.04, "\(label) L")
        expectTheory(results.map(\.utilization), 1 - p[0], precision: 0.03, "\(label) utilization")
        // Work conservation: served customers leave at rate mu while busy.
        let servedRates = results.map { r in Double(r.completions) * r.acceptedArrivalRate / Double(r.customers - r.rejected) }
        expectTheory(servedRates, lambda * (1 - abandon), precision: 0.03, "\(label) served rate")
        expectClose(lambda * (1 - abandon), mu * (1 - p[0]), relative: 1e-9, "\(label) flow balance of the chain")
    }

    /// Over a run that starts and ends empty (no warm-up deletion; the run drains), Little's
    /// law holds exactly on the sample path: the area under the number in system is the sum of
    /// the customers' times in it. So L = lambda W and Lq = lambda Wq to rounding, which checks
    /// that the time averages and the tallies account for the same customers.
    @Test(arguments: 0..<5)
    func littlesLawExactOnAnEmptyToEmptyRun(scenario: Int) throws {
        let configs: [Config] = [
            Config(interarrival: .exponential(mean: 1 / 0.8), service: .exponential(mean: 1), servers: 1, customers: 20_000),
            Config(interarrival: .exponential(mean: 0.25), service: .exponential(mean: 3.4), servers: 4, customers: 20_000),
            Config(interarrival: .exponential(mean: 1 / 1.4), service: try .hyperexponential(mean: 0.5, cv: 2), servers: 1, customers: 20_000),
            Config(interarrival: .exponential(mean: 0.4), service: .exponential(mean: 1), servers: 2, capacity: 5, customers: 20_000),
            Config(interarrival: .uniform(low: 0, high: 0.5), service: .deterministic(0.2), servers: 1, customers: 20_000),
        ]
        let r = SingleStationSimulation.run(configs[scenario], streams: RandomStreams(masterSeed: 1006, replication: scenario))
        #expect(r.completions == r.customers - r.rejected)
        expectClose(r.meanInSystem, r.acceptedArrivalRate * r.meanResponse, relative: 1e-9, "scenario \(scenario): L = lambda W")
        expectClose(r.meanQueueLength, r.acceptedArrivalRate * r.meanWait, relative: 1e-9, "scenario \(scenario): Lq = lambda Wq")
        // Busy servers: the area under busy servers is the total service time given.
        expectClose(r.utilization * Double(configs[scenario].servers), r.acceptedArrivalRate * (r.meanResponse - r.meanWait),
                    relative: 1e-9, "scenario \(scenario): busy servers = lambda S")
    }
}

import Testing
@testable import SimulationEngine

/// Poisson arrivals into one ProcessorSharingStation. Statistics restart at `measureFrom`; the
/// station's time averages are read at `closeAt`, when external arrivals stop; the run then
/// drains so that every customer that arrived in the window has its response time.
private struct PoissonPSModel: SimulationModel {
    static let arrival: Int32 = 0, completion: Int32 = 1

    var station: ProcessorSharingStation
    let lambda: Double
    let work: Distribution
    var arrivalRNG: Xoshiro256StarStar
    var workRNG: Xoshiro256StarStar
    let measureFrom: Double
    let closeAt: Double
    var workOf: [Double] = []
    var response = Tally()
    /// Sums of response times and of work, for small and large jobs: in PS, E[T | x] = x / (1 - rho).
    var smallJobs = (response: 0.0, work: 0.0), largeJobs = (response: 0.0, work: 0.0)
    let smallBelow: Double, largeAbove: Double

    mutating func handle(_ event: Event, in sim: inout Simulator) {
        switch event.kind {
        case Self.arrival:
            guard sim.now < closeAt else { return }
            sim.schedule(after: Distribution.exponential(mean: 1 / lambda).sample(&arrivalRNG), kind: Self.arrival)
            let w = work.sample(&workRNG)
            workOf.append(w)
            _ = station.arrive(Int32(workOf.count - 1), work: w, in: &sim)
        default:
            guard let d = station.complete(event, in: &sim), d.arrivalTime >= measureFrom else { return }
            response.record(d.responseTime)
            let w = workOf[Int(d.customer)]
            if w < smallBelow { smallJobs.response += d.responseTime; smallJobs.work += w }
            if w > largeAbove { largeJobs.response += d.responseTime; largeJobs.work += w }
        }
    }

    struct Measured: Sendable {
        var meanResponse: Double, population: Double, utilization: Double, throughput: Double
        var blocking: Double, smallSlowdown: Double, largeSlowdown: Double
    }

    static func run(lambda: Double, work: Distribution, servers: Int = 1, capacity: Int? = nil, curve: [Double]? = nil,
                    streams: RandomStreams, horizon: Double) -> Measured {
        let mean = work.mean
        var model = PoissonPSModel(station: ProcessorSharingStation(name: "ps", servers: servers, capacity: capacity, capacityCurve: curve,
                                                                    index: 0, completionKind: completion),
                                   lambda: lambda, work: work, arrivalRNG: streams.stream("arrivals"), workRNG: streams.stream("work"),
                                   measureFrom: horizon / 10, closeAt: horizon, smallBelow: 0.5 * mean, largeAbove: 2 * mean)
        var sim = Simulator()
        sim.schedule(after: Distribution.exponential(mean: 1 / lambda).sample(&model.arrivalRNG), kind: arrival)
        sim.run(&model, until: model.measureFrom)
        model.station.resetStatistics(at: model.measureFrom)
        sim.run(&model, until: horizon)
        let s = model.station
        let span = horizon - model.measureFrom
        let measured = Measured(meanResponse: 0, population: s.population.average(at: horizon), utilization: s.utilization(at: horizon),
                                throughput: Double(s.completions) / span,
                                blocking: Double(s.rejections) / Double(s.arrivals), smallSlowdown: 0, largeSlowdown: 0)
        sim.runToCompletion(&model)
        var m = measured
        m.meanResponse = model.response.mean
        m.smallSlowdown = model.smallJobs.response / model.smallJobs.work
        m.largeSlowdown = model.largeJobs.response / model.largeJobs.work
        return m
    }
}

@Suite("Processor sharing against exact results")
struct ProcessorSharingTests {
    private static let replications = 20

    /// M/G/1-PS is insensitive: whatever the work distribution, the mean response is
    /// S / (1 - rho), the mean number present rho / (1 - rho), and a job of size x spends
    /// x / (1 - rho) on average, so small and large jobs are slowed down equally. (FIFO M/D/1 at
    /// rho 0.7 would give 0.5 + 0.58 = 1.08 instead of 1.67.) Hyperexponential work makes each
    /// replication's estimate skewed (long jobs hold many others back), so its replications
    /// run longer to keep the t interval honest.
    @Test(arguments: [("exponential", 15_000.0), ("deterministic", 15_000.0), ("hyperexponential", 30_000.0)])
    func mg1ProcessorSharing(work name: String, horizon: Double) throws {
        let (s, rho) = (0.5, 0.7)
        let work: Distribution = switch name {
        case "exponential": .exponential(mean: s)
        case "deterministic": .deterministic(s)
        default: try! .hyperexponential(mean: s, cv: 2)
        }
        let results = replicate(Self.replications, seed: 3001) { streams in
            PoissonPSModel.run(lambda: rho / s, work: work, streams: streams, horizon: horizon)
        }
        let label = "M/\(name)/1-PS rho \(rho)"
        expectTheory(results.map(\.meanResponse), s / (1 - rho), precision: 0.08, "\(label) W")
        expectTheory(results.map(\.population), rho / (1 - rho), precision: 0.08, "\(label) L")
        expectTheory(results.map(\.utilization), rho, precision: 0.03, "\(label) utilization")
        expectTheory(results.map(\.throughput), rho / s, precision: 0.03, "\(label) throughput")
        if name != "deterministic" {
            expectTheory(results.map(\.smallSlowdown), 1 / (1 - rho), precision: 0.08, "\(label) E[T | x] / x for small jobs")
            expectTheory(results.map(\.largeSlowdown), 1 / (1 - rho), precision: 0.1, "\(label) E[T | x] / x for large jobs")
        }
        // Little's law between the two independently measured sides.
        let lambdaW = results.map { $0.throughput * $0.meanResponse }.reduce(0, +) / Double(results.count)
        #expect(ConfidenceInterval(samples: results.map(\.population), confidence: theoryConfidence).contains(lambdaW), "\(label) Little")
    }

    /// Capacity min(n, c) with c = 2 and exponential work: the number present is the M/M/2
    /// birth-death chain, so L = a + C(2, a) rho / (1 - rho) (Erlang C).
    /// A capacity curve [0, 1, 1.6, 2.0] (flat beyond 3): death rate capacity(n) / S, solved
    /// as a birth-death chain here.
    @Test func multiServerAndCapacityCurve() {
        let s = 1.0
        // Two servers, rho 0.8.
        let lambda2 = 1.6
        let a = lambda2 * s
        let l2 = a + erlangC(servers: 2, offeredLoad: a) * 0.8 / (1 - 0.8)
        let two = replicate(Self.replications, seed: 3002) { streams in
            PoissonPSModel.run(lambda: lambda2, work: .exponential(mean: s), servers: 2, streams: streams, horizon: 15_000)
        }
        expectTheory(two.map(\.population), l2, precision: 0.1, "M/M/2-PS L")
        expectTheory(two.map(\.meanResponse), l2 / lambda2, precision: 0.1, "M/M/2-PS W")
        expectTheory(two.map(\.utilization), 0.8, precision: 0.03, "M/M/2-PS utilization")

        // Capacity curve, lambda 1.5 (maximum capacity 2, so rho 0.75 at the top rate).
        let curve = [0, 1, 1.6, 2.0]
        let lambda = 1.5
        let p = birthDeathDistribution(states: 400, birth: { _ in lambda }, death: { n in curve[Swift.min(n, curve.count - 1)] / s })
        let l = p.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element }
        let busy = p.enumerated().reduce(0) { $0 + curve[Swift.min($1.offset, curve.count - 1)] * $1.element }
        let curved = replicate(Self.replications, seed: 3003) { streams in
            PoissonPSModel.run(lambda: lambda, work: .exponential(mean: s), servers: 2, curve: curve, streams: streams, horizon: 15_000)
        }
        expectTheory(curved.map(\.population), l, precision: 0.1, "PS with capacity curve L")
        expectTheory(curved.map(\.meanResponse), l / lambda, precision: 0.1, "PS with capacity curve W")
        expectTheory(curved.map(\.utilization), busy / 2, precision: 0.03, "PS with capacity curve utilization")
        // The busy capacity is the work done: E[capacity(n)] = lambda S.
        expectClose(busy, lambda * s, relative: 1e-9, "flow balance of the chain")
    }

    /// M/M/1/K-PS: blocking is the M/M/1/K value (the population chain is the same); with
    /// lambda = mu every state is equally likely, so it is 1 / (K + 1).
    @Test func finiteCapacityBlocking() {
        let k = 4
        let results = replicate(Self.replications, seed: 3004) { streams in
            PoissonPSModel.run(lambda: 1, work: .exponential(mean: 1), capacity: k, streams: streams, horizon: 10_000)
        }
        expectTheory(results.map(\.blocking), 1 / Double(k + 1), precision: 0.06, "M/M/1/4-PS blocking")
        expectTheory(results.map(\.population), Double(k) / 2, precision: 0.04, "M/M/1/4-PS L")
    }
}

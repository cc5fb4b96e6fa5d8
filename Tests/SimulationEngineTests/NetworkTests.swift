import Testing
@testable import SimulationEngine

/// An open network of QueueingStations: external Poisson arrivals, exponential service,
/// Markov routing with feedback (a customer leaving station i goes to j with probability
/// P[i][j], or leaves the network). Station statistics restart at `measureFrom` and are read
/// at `closeAt`, when external arrivals stop; the network then drains so that the sojourn of
/// every customer that entered in the window is recorded.
private struct OpenNetworkModel: SimulationModel {
    static let externalArrival: Int32 = 0, completion: Int32 = 1

    var stations: [QueueingStation]
    let externalRates: [Double]
    let service: [Distribution]
    let routing: [CategoricalDistribution]  // outcome j < count: station j; outcome count: leave
    var arrivalRNG: [Xoshiro256StarStar]
    var serviceRNG: [Xoshiro256StarStar]
    var routingRNG: [Xoshiro256StarStar]
    let measureFrom: Double
    let closeAt: Double
    var entryTime: [Double] = []
    var sojourn = Tally()
    var visits = 0

    init(servers: [Int], meanService: [Double], externalRates: [Double], routing p: [[Double]],
         streams: RandomStreams, measureFrom: Double, closeAt: Double) throws {
        let m = servers.count
        stations = (0..<m).map { QueueingStation(name: "s\($0)", servers: servers[$0], index: Int32($0), completionKind: Self.completion) }
        self.externalRates = externalRates
        service = meanService.map { .exponential(mean: $0) }
        routing = try p.map { row in try CategoricalDistribution(weights: row + [1 - row.reduce(0, +)]) }
        arrivalRNG = (0..<m).map { streams.stream("arrivals.\($0)") }
        serviceRNG = (0..<m).map { streams.stream("service.\($0)") }
        routingRNG = (0..<m).map { streams.stream("routing.\($0)") }
        self.measureFrom = measureFrom
        self.closeAt = closeAt
    }

    mutating func scheduleExternal(to i: Int, in sim: inout Simulator) {
        guard externalRates[i] > 0 else { return }
        sim.schedule(after: Distribution.exponential(mean: 1 / externalRates[i]).sample(&arrivalRNG[i]),
                     kind: Self.externalArrival, target: Int32(i))
    }

    mutating func join(_ i: Int, customer: Int32, in sim: inout Simulator) {
        visits += 1
        _ = stations[i].arrive(customer, serviceTime: service[i].sample(&serviceRNG[i]), in: &sim)
    }

    mutating func handle(_ event: Event, in sim: inout Simulator) {
        let i = Int(event.target)
        switch event.kind {
        case Self.externalArrival:
            guard sim.now < closeAt else { return }
            scheduleExternal(to: i, in: &sim)
            entryTime.append(sim.now)
            join(i, customer: Int32(entryTime.count - 1), in: &sim)
        default:
            let d = stations[i].complete(event, in: &sim)
            let next = routing[i].sample(&routingRNG[i])
            if next < stations.count {
                join(next, customer: d.customer, in: &sim)
            } else if entryTime[Int(d.customer)] >= measureFrom {
                sojourn.record(sim.now - entryTime[Int(d.customer)])
            }
        }
    }

    struct StationMeasure: Sendable {
        var population: Double, throughput: Double, utilization: Double, meanResponse: Double
    }

    static func run(servers: [Int], meanService: [Double], externalRates: [Double], routing: [[Double]],
                    streams: RandomStreams, horizon: Double) -> (stations: [StationMeasure], sojourn: Double) {
        var model = try! OpenNetworkModel(servers: servers, meanService: meanService, externalRates: externalRates, routing: routing,
                                          streams: streams, measureFrom: horizon / 10, closeAt: horizon)
        var sim = Simulator()
        for i in externalRates.indices { model.scheduleExternal(to: i, in: &sim) }
        sim.run(&model, until: model.measureFrom)
        for i in model.stations.indices { model.stations[i].resetStatistics(at: model.measureFrom) }
        sim.run(&model, until: horizon)
        let span = horizon - model.measureFrom
        let measures = model.stations.map { s in
            StationMeasure(population: s.busy.average(at: horizon) + s.queueLength.average(at: horizon),
                           throughput: Double(s.completions) / span, utilization: s.utilization(at: horizon),
                           meanResponse: s.responseTimes.mean)
        }
        sim.runToCompletion(&model)
        return (measures, model.sojourn.mean)
    }
}

/// Solves the traffic equations lambda = gamma + lambda P, i.e. (I - P^T) lambda = gamma, by
/// Gaussian elimination with partial pivoting.
private func trafficEquations(external gamma: [Double], routing p: [[Double]]) -> [Double] {
    let m = gamma.count
    var a = (0..<m).map { i in (0..<m).map { j in (i == j ? 1 : 0) - p[j][i] } + [gamma[i]] }
    for col in 0..<m {
        let pivot = (col..<m).max { abs(a[$0][col]) < abs(a[$1][col]) }!
        a.swapAt(col, pivot)
        for row in 0..<m where row != col {
            let f = a[row][col] / a[col][col]
            for k in col...m { a[row][k] -= f * a[col][k] }
        }
    }
    return (0..<m).map { a[$0][m] / a[$0][$0] }
}

@Suite("Open Jackson network with feedback")
struct NetworkTests {
    /// Three stations; external arrivals at 0 and 1; feedback 0 -> 1 -> 0, 0 -> 2 -> 0, 1 -> 2 and
    /// 1 -> 1 (a customer may return to the station it just left). By Jackson's theorem each
    /// station behaves as an independent M/M/c queue with arrival rate lambda_i from the
    /// traffic equations: L_i = rho_i / (1 - rho_i) for one server, a + C(c, a) rho / (1 - rho)
    /// for c servers. The network's mean sojourn is sum L_i / sum gamma (Little for the whole).
    @Test func jacksonNetworkWithFeedback() {
        let gamma = [1.0, 0.5, 0.0]
        let routing: [[Double]] = [
            [0.0, 0.5, 0.3],  // leaves with 0.2
            [0.2, 0.1, 0.4],  // leaves with 0.3
            [0.3, 0.0, 0.0],  // leaves with 0.7
        ]
        let servers = [1, 2, 1]
        let meanService = [0.45, 1.0, 0.55]
        let lambda = trafficEquations(external: gamma, routing: routing)
        // The solution satisfies the equations it came from, and flow in equals flow out.
        for i in 0..<3 {
            expectClose(lambda[i], gamma[i] + (0..<3).reduce(0) { $0 + lambda[$1] * routing[$1][i] }, relative: 1e-12, "traffic equation \(i)")
        }
        expectClose((0..<3).reduce(0) { $0 + lambda[$1] * (1 - routing[$1].reduce(0, +)) }, gamma.reduce(0, +), relative: 1e-12, "flow balance")

        var expectedL: [Double] = [], rho: [Double] = []
        for i in 0..<3 {
            let a = lambda[i] * meanService[i]
            let r = a / Double(servers[i])
            precondition(r < 0.8)
            rho.append(r)
            expectedL.append(servers[i] == 1 ? r / (1 - r) : a + erlangC(servers: servers[i], offeredLoad: a) * r / (1 - r))
        }
        let runs = replicate(20, seed: 4001) { streams in
            OpenNetworkModel.run(servers: servers, meanService: meanService, externalRates: gamma, routing: routing,
                                 streams: streams, horizon: 15_000)
        }
        for i in 0..<3 {
            let label = "Jackson station \(i) (c \(servers[i]), rho \(rho[i]))"
            let st = runs.map { $0.stations[i] }
            expectTheory(st.map(\.population), expectedL[i], precision: 0.1, "\(label) L")
            expectTheory(st.map(\.throughput), lambda[i], precision: 0.03, "\(label) throughput")
            expectTheory(st.map(\.utilization), rho[i], precision: 0.03, "\(label) utilization")
            expectTheory(st.map(\.meanResponse), expectedL[i] / lambda[i], precision: 0.1, "\(label) W")
            // Little's law per station between its independently measured sides.
            let lambdaW = st.map { $0.throughput * $0.meanResponse }.reduce(0, +) / Double(st.count)
            let l = ConfidenceInterval(samples: st.map(\.population), confidence: theoryConfidence)
            #expect(l.contains(lambdaW), "\(label): lambda W = \(lambdaW) outside L's interval \(l.mean) ± \(l.halfWidth)")
        }
        expectTheory(runs.map(\.sojourn), expectedL.reduce(0, +) / gamma.reduce(0, +), precision: 0.08, "Jackson network sojourn")
    }

    /// A cross-check of this file's own reference, not of the program: the test helper
    /// `trafficEquations`, which gives the Jackson network tests their expected arrival rates,
    /// solves a network whose answer is known by hand.
    @Test func trafficEquationsSolver() {
        // A tandem line with a loop back: lambda_0 = 1 + 0.5 lambda_1, lambda_1 = lambda_0, so both are 2.
        let l = trafficEquations(external: [1, 0], routing: [[0, 1], [0.5, 0]])
        expectClose(l[0], 2, relative: 1e-12, "loop lambda 0")
        expectClose(l[1], 2, relative: 1e-12, "loop lambda 1")
    }
}

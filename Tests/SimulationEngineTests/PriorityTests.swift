import Testing
@testable import SimulationEngine

/// Two Poisson classes into one QueueingStation with non-pre-emptive priority (class 0 first).
/// Customer ids carry the class in their lowest bit. External arrivals stop at `closeAt`
/// and the station drains, so every customer that arrived in [measureFrom, closeAt) is
/// measured: their waits are stationary, with no censoring at the end.
private struct TwoClassPriorityModel: SimulationModel {
    static let arrival: Int32 = 0, completion: Int32 = 1

    var station = QueueingStation(name: "priority", servers: 1, priorityClasses: 2, index: 0, completionKind: completion)
    let arrivalRates: [Double]
    let service: [Distribution]
    var arrivalRNG: [Xoshiro256StarStar]
    var serviceRNG: [Xoshiro256StarStar]
    let measureFrom: Double
    let closeAt: Double
    var next: Int32 = 0
    var waits = [Tally(), Tally()]
    var responses = [Tally(), Tally()]

    init(arrivalRates: [Double], service: [Distribution], streams: RandomStreams, measureFrom: Double, closeAt: Double) {
        self.arrivalRates = arrivalRates
        self.service = service
        arrivalRNG = [streams.stream("arrivals.0"), streams.stream("arrivals.1")]
        serviceRNG = [streams.stream("service.0"), streams.stream("service.1")]
        self.measureFrom = measureFrom
        self.closeAt = closeAt
    }

    mutating func scheduleArrival(of k: Int, in sim: inout Simulator) {
        let gap = Distribution.exponential(mean: 1 / arrivalRates[k]).sample(&arrivalRNG[k])
        sim.schedule(after: gap, kind: Self.arrival, target: Int32(k))
    }

    mutating func handle(_ event: Event, in sim: inout Simulator) {
        switch event.kind {
        case Self.arrival:
            guard sim.now < closeAt else { return }
            let k = Int(event.target)
            scheduleArrival(of: k, in: &sim)
            let id = next << 1 | Int32(k)
            next += 1
            _ = station.arrive(id, serviceTime: service[k].sample(&serviceRNG[k]), priority: k, in: &sim)
        default:
            let d = station.complete(event, in: &sim)
            guard d.arrivalTime >= measureFrom else { return }
            let k = Int(d.customer & 1)
            waits[k].record(d.waitingTime)
            responses[k].record(d.responseTime)
        }
    }

    static func run(arrivalRates: [Double], service: [Distribution], streams: RandomStreams,
                    measureFrom: Double, closeAt: Double) -> TwoClassPriorityModel {
        var model = TwoClassPriorityModel(arrivalRates: arrivalRates, service: service, streams: streams,
                                          measureFrom: measureFrom, closeAt: closeAt)
        var sim = Simulator()
        model.scheduleArrival(of: 0, in: &sim)
        model.scheduleArrival(of: 1, in: &sim)
        sim.runToCompletion(&model)
        return model
    }
}

@Suite("Priority classes against Cobham's formula")
struct PriorityTests {
    /// Cobham (1954), M/G/1 non-pre-emptive priority: with W0 = sum_i lambda_i E[S_i^2] / 2 (the
    /// mean residual work found in service) and sigma_k = rho_1 + ... + rho_k, the mean wait of
    /// class k is W0 / ((1 - sigma_{k-1}) (1 - sigma_k)). E[S^2] = S^2 (1 + cv^2) from the cv asked
    /// for. Cases: M/M/1 with two classes (rho 0.8), and a mixed one with deterministic
    /// high-priority work and hyperexponential (cv 2) low-priority work (rho 0.7).
    @Test(arguments: [("M/M/1", 0.6, 0.5, 1.0, 0.5, 1.0, 1.0, 40_000.0),
                      ("M/D+H2/1", 0.6, 0.5, 0.0, 0.4, 1.0, 2.0, 40_000.0)])
    func cobham(name: String, lambda0: Double, s0: Double, cv0: Double, lambda1: Double, s1: Double, cv1: Double,
                horizon: Double) throws {
        let service0: Distribution = cv0 == 0 ? .deterministic(s0) : .exponential(mean: s0)
        let service1: Distribution = cv1 == 1 ? .exponential(mean: s1) : try .hyperexponential(mean: s1, cv: cv1)
        let rho0 = lambda0 * s0, rho1 = lambda1 * s1
        let w0 = (lambda0 * s0 * s0 * (1 + cv0 * cv0) + lambda1 * s1 * s1 * (1 + cv1 * cv1)) / 2
        let wq0 = w0 / (1 - rho0)
        let wq1 = w0 / ((1 - rho0) * (1 - rho0 - rho1))
        let results = replicate(20, seed: 2001) { streams in
            let m = TwoClassPriorityModel.run(arrivalRates: [lambda0, lambda1], service: [service0, service1], streams: streams,
                                              measureFrom: horizon / 10, closeAt: horizon)
            return [m.waits[0].mean, m.waits[1].mean, m.responses[0].mean, m.responses[1].mean]
        }
        let label = "\(name) priority"
        expectTheory(results.map { $0[0] }, wq0, precision: 0.1, "\(label) class 0 Wq")
        expectTheory(results.map { $0[1] }, wq1, precision: 0.2, "\(label) class 1 Wq")
        expectTheory(results.map { $0[2] }, wq0 + s0, precision: 0.1, "\(label) class 0 W")
        expectTheory(results.map { $0[3] }, wq1 + s1, precision: 0.2, "\(label) class 1 W")
        // Priority must matter: the low class waits much longer than FIFO would make anyone wait.
        let fifo = w0 / (1 - rho0 - rho1)
        #expect(wq0 < fifo && fifo < wq1)
        // Kleinrock's conservation law (work-conserving, non-pre-emptive): sum rho_k Wq_k = rho W_FIFO.
        expectClose(rho0 * wq0 + rho1 * wq1, (rho0 + rho1) * fifo, relative: 1e-12, "\(label) conservation law of the formulas")
    }
}

import Foundation
import SimulationEngine

/// The figures of a `queue` run: per-replication results folded into means (with 95%
/// confidence half-widths when there are several replications), the analytic answer where
/// one exists, and their JSON and table renderings.
struct QueueReport {
    let arrivalRate: Double
    let serviceSpec: String
    let service: Distribution
    let servers: Int
    let capacity: Int?
    let customers: Int
    let warmUp: Int
    let seed: UInt64
    let results: [SingleStationSimulation.Result]
    let wallSeconds: Double

    var replications: Int { results.count }

    /// Mean over replications of one figure, with its confidence interval.
    func interval(_ figure: (SingleStationSimulation.Result) -> Double) -> ConfidenceInterval {
        ConfidenceInterval(samples: results.map(figure), confidence: 0.95)
    }

    func mean(_ figure: (SingleStationSimulation.Result) -> Double) -> Double {
        interval(figure).mean
    }

    var meanWait: ConfidenceInterval { interval(\.meanWait) }
    var meanResponse: ConfidenceInterval { interval(\.meanResponse) }
    var utilization: ConfidenceInterval { interval(\.utilization) }
    /// Events processed, summed over all replications.
    var totalEvents: Int { results.reduce(0) { $0 + $1.events } }
    /// Customers that arrived after the warm-up (the same in every replication).
    var measuredCustomers: Int { results.first?.customers ?? 0 }

    /// Kendall notation of the model, such as M/M/10, M/D/1 or M/G/4/20.
    var model: String {
        var s = "M/\(QueueTheory.kendallLetter(service))/\(servers)"
        if let capacity { s += "/\(capacity)" }
        return s
    }

    /// Arrival rate times mean service time per server (rho); 1 or more is unstable without a capacity.
    var offeredLoad: Double { arrivalRate * service.mean / Double(servers) }

    var theory: QueueTheory? {
        QueueTheory(arrivalRate: arrivalRate, service: service, servers: servers, capacity: capacity)
    }

    // MARK: JSON

    /// The `queue --format json` document (written by ``JSONOutput``, like every command's JSON).
    struct Document: Encodable {
        var model: String
        var arrivalRate: Double
        var service: String
        var serviceMean: Double
        var serviceSCV: Double
        var offeredLoad: Double
        var servers: Int
        /// nil (null) without a capacity.
        var capacity: Int?
        var customers: Int
        var warmUp: Int
        var measuredCustomers: Int
        var seed: UInt64
        var replications: Int
        var meanWait: Double
        var meanResponse: Double
        var utilization: Double
        var meanQueueLength: Double
        var meanInSystem: Double
        var blockingProbability: Double
        var throughput: Double
        var simulatedTime: Double
        var events: Int
        var wallSeconds: Double
        var meanWaitCI95: Double?
        var meanResponseCI95: Double?
        var utilizationCI95: Double?
        var theory: Theory?

        struct Theory: Encodable {
            var model: String
            var method: String
            var meanWait: Double
            var meanResponse: Double
            var meanQueueLength: Double
            var meanInSystem: Double
            var utilization: Double
            var blockingProbability: Double
            var throughput: Double
            var waitProbability: Double?
        }

        enum CodingKeys: String, CodingKey {
            case model, arrivalRate, service, serviceMean, serviceSCV, offeredLoad, servers, capacity, customers, warmUp
            case measuredCustomers, seed, replications, meanWait, meanResponse, utilization, meanQueueLength, meanInSystem
            case blockingProbability, throughput, simulatedTime, events, wallSeconds, meanWaitCI95, meanResponseCI95, utilizationCI95, theory
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(model, forKey: .model); try c.encode(arrivalRate, forKey: .arrivalRate); try c.encode(service, forKey: .service)
            try c.encode(serviceMean, forKey: .serviceMean); try c.encode(serviceSCV, forKey: .serviceSCV)
            try c.encode(offeredLoad, forKey: .offeredLoad); try c.encode(servers, forKey: .servers)
            try c.encode(capacity, forKey: .capacity)  // null when unlimited: the key is always there
            try c.encode(customers, forKey: .customers); try c.encode(warmUp, forKey: .warmUp)
            try c.encode(measuredCustomers, forKey: .measuredCustomers); try c.encode(seed, forKey: .seed)
            try c.encode(replications, forKey: .replications); try c.encode(meanWait, forKey: .meanWait)
            try c.encode(meanResponse, forKey: .meanResponse); try c.encode(utilization, forKey: .utilization)
            try c.encode(meanQueueLength, forKey: .meanQueueLength); try c.encode(meanInSystem, forKey: .meanInSystem)
            try c.encode(blockingProbability, forKey: .blockingProbability); try c.encode(throughput, forKey: .throughput)
            try c.encode(simulatedTime, forKey: .simulatedTime); try c.encode(events, forKey: .events)
            try c.encode(wallSeconds, forKey: .wallSeconds)
            try c.encodeIfPresent(meanWaitCI95, forKey: .meanWaitCI95)
            try c.encodeIfPresent(meanResponseCI95, forKey: .meanResponseCI95)
            try c.encodeIfPresent(utilizationCI95, forKey: .utilizationCI95)
            try c.encodeIfPresent(theory, forKey: .theory)
        }
    }

    var document: Document {
        let several = replications > 1
        return Document(
            model: model, arrivalRate: arrivalRate, service: serviceSpec, serviceMean: service.mean, serviceSCV: service.squaredCV,
            offeredLoad: offeredLoad, servers: servers, capacity: capacity, customers: customers, warmUp: warmUp,
            measuredCustomers: measuredCustomers, seed: seed, replications: replications, meanWait: meanWait.mean,
            meanResponse: meanResponse.mean, utilization: utilization.mean, meanQueueLength: mean(\.meanQueueLength),
            meanInSystem: mean(\.meanInSystem), blockingProbability: mean(\.blockingProbability), throughput: mean(\.acceptedArrivalRate),
            simulatedTime: mean(\.simulatedTime), events: totalEvents, wallSeconds: wallSeconds,
            meanWaitCI95: several ? meanWait.halfWidth : nil, meanResponseCI95: several ? meanResponse.halfWidth : nil,
            utilizationCI95: several ? utilization.halfWidth : nil,
            theory: theory.map { t in
                Document.Theory(model: t.model, method: t.method, meanWait: t.meanWait, meanResponse: t.meanResponse,
                                meanQueueLength: t.meanQueueLength, meanInSystem: t.meanInSystem, utilization: t.utilization,
                                blockingProbability: t.blockingProbability, throughput: t.throughput, waitProbability: t.waitProbability)
            })
    }

    // MARK: Table

    func table() -> String {
        let t = theory
        var out = ""
        let reps = replications == 1 ? "1 replication" : "\(replications) replications"
        out += "\(model) station: \(reps) of \(customers) customers (warm-up \(warmUp)), seed \(seed)\n\n"
        let capacityText = capacity.map { "\($0) customers" } ?? "unlimited"
        let settings: [(String, String)] = [
            ("arrival rate", "\(shown(arrivalRate)) /s"),
            ("service", "\(serviceSpec)  (mean \(Self.compact(service.mean)) s, cv \(Self.compact(service.squaredCV.squareRoot())))"),
            ("servers", "\(servers)"),
            ("capacity", capacityText),
            ("offered load", "\(Self.compact(offeredLoad)) per server"),
        ]
        for (name, value) in settings {
            out += "  " + Self.pad(name, 24) + value + "\n"
        }
        out += "\n"

        var rows: [[String]] = []
        let header = ["figure", "unit", replications > 1 ? "simulated (95% CI)" : "simulated"] + (t.map { ["theory (\($0.method))"] } ?? [])
        func row(_ name: String, _ unit: String, _ simulated: String, _ theoretical: Double?) {
            var r = [name, unit, simulated]
            if t != nil { r.append(theoretical.map { Self.number($0) } ?? "") }
            rows.append(r)
        }
        row("mean wait in queue", "s", withCI(meanWait), t?.meanWait)
        row("mean response time", "s", withCI(meanResponse), t?.meanResponse)
        row("utilization per server", "", withCI(utilization), t?.utilization)
        row("mean queue length", "customers", Self.number(mean(\.meanQueueLength)), t?.meanQueueLength)
        row("mean in system", "customers", Self.number(mean(\.meanInSystem)), t?.meanInSystem)
        row("blocking probability", "", Self.number(mean(\.blockingProbability)), t?.blockingProbability)
        row("throughput", "customers/s", Self.number(mean(\.acceptedArrivalRate)), t?.throughput)
        row("simulated time", "s", Self.number(mean(\.simulatedTime)), nil)
        row("events (all replications)", "", "\(totalEvents)", nil)

        let widths = (0..<header.count).map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            var s = "  "
            for (c, cell) in cells.enumerated() {
                s += c + 1 < cells.count ? Self.pad(cell, widths[c] + 2) : cell
            }
            while s.last == " " { s.removeLast() }
            return s + "\n"
        }
        out += line(header)
        out += line(widths.map { String(repeating: "-", count: $0) })
        for r in rows { out += line(r) }
        out += "\n"
        let rate = wallSeconds > 0 ? ", \(Self.compact(Double(totalEvents) / wallSeconds / 1e6)) million events/s" : ""
        out += "Wall time " + String(format: "%.3f", wallSeconds) + " s\(rate).\n"
        if capacity == nil && !(offeredLoad < 1) {
            out += "Offered load is not below 1 and capacity is unlimited: the queue grows without bound, so the figures depend on --customers.\n"
        }
        if replications == 1 {
            out += "One replication: use --replications to get confidence intervals.\n"
        }
        return out
    }

    func withCI(_ ci: ConfidenceInterval) -> String {
        guard replications > 1 else { return Self.number(ci.mean) }
        return Self.number(ci.mean) + " ± " + Self.number(ci.halfWidth, like: ci.mean)
    }

    /// Four decimals in the usual range, scientific notation for very small or large values.
    static func number(_ x: Double, like reference: Double? = nil) -> String {
        guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "∞" : "-∞") }
        let r = abs(reference ?? x)
        if x == 0 && reference == nil { return "0" }
        if r == 0 || (r >= 1e-3 && r < 1e9) { return String(format: "%.4f", x) }
        return String(format: "%.4e", x)
    }

    /// Up to four significant digits, no trailing zeros: settings rather than estimates.
    static func compact(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "∞" : "-∞") }
        return String(format: "%.4g", x)
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}

/// Exact steady-state figures for the cases queueing theory solves, computed from the
/// parameters alone with ``QueueingFormulas`` (never from the simulation).
struct QueueTheory {
    var model: String
    var method: String
    var meanWait: Double
    var meanResponse: Double
    var meanQueueLength: Double
    var meanInSystem: Double
    var utilization: Double
    var blockingProbability: Double
    var throughput: Double
    var waitProbability: Double?

    /// Largest capacity for which the O(K) M/M/c/K sums are computed.
    static let maxCapacity = 10_000_000

    /// Nil when no formula applies: non-exponential service with several servers, an
    /// unstable queue without capacity, or a service time without finite variance.
    init?(arrivalRate lambda: Double, service: Distribution, servers c: Int, capacity: Int?) {
        let mu = Self.exponentialRate(service)
        if let k = capacity {
            guard let mu, k <= Self.maxCapacity else { return nil }
            let r = QueueingFormulas.mmck(arrivalRate: lambda, serviceRate: mu, servers: c, capacity: k)
            self.init(model: "M/M/\(c)/\(k)", method: "M/M/c/K",
                      meanWait: r.meanWait, meanResponse: r.meanResponse,
                      meanQueueLength: r.meanQueueLength, meanInSystem: r.meanInSystem,
                      utilization: r.utilization, blockingProbability: r.blockingProbability,
                      throughput: r.effectiveArrivalRate, waitProbability: r.waitProbability)
            return
        }
        if let mu {
            guard lambda < Double(c) * mu else { return nil }
            let a = lambda / mu
            let wq = QueueingFormulas.mmcMeanWait(arrivalRate: lambda, serviceRate: mu, servers: c)
            self.init(model: "M/M/\(c)", method: "Erlang C",
                      meanWait: wq, meanResponse: wq + 1 / mu,
                      meanQueueLength: lambda * wq, meanInSystem: lambda * (wq + 1 / mu),
                      utilization: a / Double(c), blockingProbability: 0,
                      throughput: lambda, waitProbability: QueueingFormulas.erlangC(servers: c, offeredLoad: a))
            return
        }
        if c == 1 {
            let s = service.mean, scv = service.squaredCV
            guard s.isFinite, scv.isFinite, lambda * s < 1 else { return nil }
            let wq = QueueingFormulas.pollaczekKhinchineMeanWait(arrivalRate: lambda, meanService: s, scv: scv)
            self.init(model: "M/G/1", method: "Pollaczek-Khinchine",
                      meanWait: wq, meanResponse: wq + s,
                      meanQueueLength: lambda * wq, meanInSystem: lambda * (wq + s),
                      utilization: lambda * s, blockingProbability: 0,
                      throughput: lambda, waitProbability: nil)
            return
        }
        return nil
    }

    init(model: String, method: String, meanWait: Double, meanResponse: Double, meanQueueLength: Double,
         meanInSystem: Double, utilization: Double, blockingProbability: Double, throughput: Double,
         waitProbability: Double?) {
        self.model = model
        self.method = method
        self.meanWait = meanWait
        self.meanResponse = meanResponse
        self.meanQueueLength = meanQueueLength
        self.meanInSystem = meanInSystem
        self.utilization = utilization
        self.blockingProbability = blockingProbability
        self.throughput = throughput
        self.waitProbability = waitProbability
    }

    /// The rate of an exponential service time, whichever spelling gave it.
    static func exponentialRate(_ d: Distribution) -> Double? {
        switch d {
        case .exponential(let m): return 1 / m
        case .erlang(let k, let m) where k == 1: return 1 / m
        case .gamma(let k, let theta) where k == 1: return 1 / theta
        default: return nil
        }
    }

    static func kendallLetter(_ d: Distribution) -> String {
        if exponentialRate(d) != nil { return "M" }
        switch d {
        case .deterministic: return "D"
        case .erlang(let k, _): return "E\(k)"
        default: return "G"
        }
    }
}

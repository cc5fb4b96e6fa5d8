/// One station fed by a renewal arrival stream: the reference model behind the `queue`
/// command, the engine benchmark and the queueing-theory tests (M/M/c, M/G/1, M/M/c/K).
///
/// The run stops accepting arrivals after `customers` of them and then drains, as the
/// reference implementations in `shared/anchors` do, so its figures compare with theirs.
public struct SingleStationSimulation: SimulationModel {
    public struct Configuration: Sendable, Equatable {
        public var interarrival: Distribution
        public var service: Distribution
        public var servers: Int
        /// Most customers in the station (waiting plus in service); nil for unlimited.
        public var capacity: Int?
        /// Customers to generate.
        public var customers: Int
        /// Patience of waiting customers (reneging); nil for none.
        public var patience: Distribution?
        /// Customers whose statistics are discarded at the start (warm-up deletion).
        public var warmUpCustomers: Int

        public init(interarrival: Distribution, service: Distribution, servers: Int, capacity: Int? = nil,
                    customers: Int, patience: Distribution? = nil, warmUpCustomers: Int = 0) {
            self.interarrival = interarrival
            self.service = service
            self.servers = servers
            self.capacity = capacity
            self.customers = customers
            self.patience = patience
            self.warmUpCustomers = warmUpCustomers
        }
    }

    /// What one run measured (after warm-up).
    public struct Result: Sendable, Equatable {
        public var customers: Int
        public var completions: Int
        public var rejected: Int
        public var reneged: Int
        public var meanWait: Double
        public var meanResponse: Double
        public var waitVariance: Double
        /// Average busy servers / servers.
        public var utilization: Double
        public var meanQueueLength: Double
        /// Mean number in the station (waiting plus in service).
        public var meanInSystem: Double
        public var blockingProbability: Double
        public var renegingProbability: Double
        /// Accepted arrivals per unit time over the measured window.
        public var acceptedArrivalRate: Double
        public var simulatedTime: Double
        public var events: Int
    }

    enum Kind {
        static let arrival: Int32 = 0
        static let completion: Int32 = 1
        static let patience: Int32 = 2
    }

    public let configuration: Configuration
    public private(set) var station: QueueingStation
    var arrivalsRNG: Xoshiro256StarStar
    var serviceRNG: Xoshiro256StarStar
    var patienceRNG: Xoshiro256StarStar
    var generated = 0
    var measuredFrom = 0.0
    /// Time-average number in system, kept alongside the station's own averages.
    var inSystem: TimeAverage

    public init(_ configuration: Configuration, streams: RandomStreams) {
        self.configuration = configuration
        station = QueueingStation(name: "station", servers: configuration.servers, capacity: configuration.capacity,
                                  index: 0, completionKind: Kind.completion, patienceKind: Kind.patience)
        arrivalsRNG = streams.stream("arrivals")
        serviceRNG = streams.stream("service")
        patienceRNG = streams.stream("patience")
        inSystem = TimeAverage()
    }

    public mutating func handle(_ event: Event, in sim: inout Simulator) {
        switch event.kind {
        case Kind.arrival:
            generated &+= 1
            if generated == configuration.warmUpCustomers + 1 && configuration.warmUpCustomers > 0 {
                station.resetStatistics(at: sim.now)
                inSystem.reset(at: sim.now)
                measuredFrom = sim.now
            }
            let service = configuration.service.sample(&serviceRNG)
            let patience = configuration.patience?.sample(&patienceRNG) ?? .infinity
            if station.arrive(Int32(truncatingIfNeeded: generated), serviceTime: service, patience: patience, in: &sim) != .rejected {
                inSystem.add(1, at: sim.now)
            }
            if generated < configuration.customers {
                sim.schedule(after: configuration.interarrival.sample(&arrivalsRNG), kind: Kind.arrival)
            }
        case Kind.completion:
            _ = station.complete(event, in: &sim)
            inSystem.add(-1, at: sim.now)
        case Kind.patience:
            if station.patienceExpired(event, in: &sim) != nil { inSystem.add(-1, at: sim.now) }
        default:
            preconditionFailure("unknown event kind \(event.kind)")
        }
    }

    /// Runs one replication from an empty station to the last departure.
    public static func run(_ configuration: Configuration, streams: RandomStreams) -> Result {
        var model = SingleStationSimulation(configuration, streams: streams)
        var sim = Simulator()
        if configuration.customers > 0 {  // the first arrival is the first of `customers`
            var first = model.arrivalsRNG
            sim.schedule(at: configuration.interarrival.sample(&first), kind: Kind.arrival)
            model.arrivalsRNG = first
        }
        sim.runToCompletion(&model)
        return model.result(at: sim.now, events: sim.processedEvents)
    }

    func result(at end: Double, events: Int) -> Result {
        let s = station
        let span = end - measuredFrom
        let accepted = s.arrivals - s.rejections
        return Result(
            customers: s.arrivals,
            completions: s.completions,
            rejected: s.rejections,
            reneged: s.reneges,
            meanWait: s.waitingTimes.mean,
            meanResponse: s.responseTimes.mean,
            waitVariance: s.waitingTimes.variance,
            utilization: s.utilization(at: end),
            meanQueueLength: s.queueLength.average(at: end),
            meanInSystem: inSystem.average(at: end),
            blockingProbability: s.arrivals > 0 ? Double(s.rejections) / Double(s.arrivals) : 0,
            renegingProbability: accepted > 0 ? Double(s.reneges) / Double(accepted) : 0,
            acceptedArrivalRate: span > 0 ? Double(accepted) / span : 0,
            simulatedTime: end,
            events: events
        )
    }
}

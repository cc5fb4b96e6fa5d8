import ArgumentParser
import PlatformModel
import SimulationEngine

extension PlatformSim {
    /// `platform-sim queue`: one station fed by Poisson arrivals (M/G/c, optionally M/G/c/K).
    struct Queue: ParsableCommand {
        static let maxServers = 1_000_000

        static let configuration = CommandConfiguration(
            abstract: "Simulates one station fed by Poisson arrivals and reports its waits, queue length and utilization.",
            discussion: """
                Customers arrive with exponential interarrival times of mean 1/R and are served \
                first come, first served by C identical servers; after N arrivals the station \
                drains. With --replications M the figures are means over M independent \
                replications with 95% confidence half-widths (Student t). Where queueing theory \
                has an exact answer (Erlang C for exponential service, Pollaczek-Khinchine for \
                one server, M/M/c/K with --capacity and exponential service) it is shown beside \
                the simulated figures. Statistics are gathered from the end of the warm-up to \
                the last departure; "events" counts the events of all replications together.

                Service time forms: \(Distribution.specForms).
                """
        )

        @Option(parsing: .unconditional, help: ArgumentHelp("Arrivals per second (Poisson arrivals).", valueName: "rate"))
        var arrivalRate: Double

        @Option(help: ArgumentHelp("Service time distribution, such as exp:1 or lognormal:1,2.", valueName: "spec"))
        var service: String

        @Option(parsing: .unconditional, help: ArgumentHelp("Identical servers at the station.", valueName: "count"))
        var servers: Int

        @Option(parsing: .unconditional, help: ArgumentHelp("Most customers in the station, waiting plus in service (default: unlimited).", valueName: "count"))
        var capacity: Int?

        @Option(parsing: .unconditional, help: ArgumentHelp("Customers to generate in each replication.", valueName: "count"))
        var customers: Int

        @Option(parsing: .unconditional, help: ArgumentHelp("Customers at the start whose statistics are discarded.", valueName: "count"))
        var warmUp: Int = 0

        @OptionGroup var replication: ReplicationOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var limits: WorkLimitOptions

        /// The most places M/M/c/K's formula sums over: ten million take a fraction of a second,
        /// and past that the station is unlimited in all but name.
        static let maxCapacity = 10_000_000

        func validate() throws {
            guard arrivalRate.isFinite else {
                throw ValidationError("--arrival-rate must be a finite number, got \(arrivalRate)")
            }
            guard arrivalRate > 0 else {
                throw ValidationError("--arrival-rate must be positive, got \(shown(arrivalRate))")
            }
            guard (1 / arrivalRate).isFinite else {
                throw ValidationError("--arrival-rate is too small to give a finite mean interarrival time, got \(arrivalRate)")
            }
            do {
                _ = try Distribution(spec: service)
            } catch {
                throw ValidationError("--service: \(error)")
            }
            guard servers >= 1 else {
                throw ValidationError("--servers must be at least 1, got \(servers)")
            }
            guard servers <= Self.maxServers else {
                throw ValidationError("--servers must be at most \(Self.maxServers), got \(servers)")
            }
            if let capacity, capacity < servers {
                throw ValidationError("--capacity must be at least --servers (\(servers)), got \(capacity)")
            }
            if let capacity, capacity > Self.maxCapacity {
                throw ValidationError("--capacity must be at most \(Self.maxCapacity), got \(capacity)")
            }
            guard customers >= 1 else {
                throw ValidationError("--customers must be at least 1, got \(customers)")
            }
            guard warmUp >= 0 else {
                throw ValidationError("--warm-up must not be negative, got \(warmUp)")
            }
            guard warmUp < customers else {
                throw ValidationError("--warm-up must be less than --customers (\(customers)), got \(warmUp)")
            }
        }

        func run() throws {
            let serviceDistribution = try Distribution(spec: service)
            // Each customer is an arrival, a start of service and a departure; an unstable station
            // (arrivals faster than service) holds every customer still waiting.
            let unstable = arrivalRate * serviceDistribution.mean >= Double(servers) && capacity == nil
            try limits.check(events: 3 * Double(customers) * Double(replication.replications),
                             memoryBytes: WorkEstimate.baseBytes + (unstable ? 64 * Double(customers) * Double(Swift.min(replication.threads, replication.replications)) : 0),
                             what: "this simulation", cores: Swift.min(replication.threads, replication.replications),
                             smaller: "ask for fewer --customers or --replications")
            let configuration = SingleStationSimulation.Configuration(
                interarrival: try .exponential(checkedMean: 1 / arrivalRate),
                service: serviceDistribution,
                servers: servers,
                capacity: capacity,
                customers: customers,
                warmUpCustomers: warmUp
            )
            let replication = self.replication
            let clock = ContinuousClock()
            let start = clock.now
            let results = ParallelRunner.run(count: replication.replications, jobs: replication.threads) { r in
                SingleStationSimulation.run(configuration, streams: replication.streams(replication: r))
            }
            let elapsed = clock.now - start
            let wallSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18

            let report = QueueReport(
                arrivalRate: arrivalRate,
                serviceSpec: service,
                service: serviceDistribution,
                servers: servers,
                capacity: capacity,
                customers: customers,
                warmUp: warmUp,
                seed: replication.seed,
                results: results,
                wallSeconds: wallSeconds
            )
            switch output.format {
            case .json: print(try RunJSON.encode(report.document), terminator: "")
            case .table: print(report.table(), terminator: "")
            }
        }
    }
}

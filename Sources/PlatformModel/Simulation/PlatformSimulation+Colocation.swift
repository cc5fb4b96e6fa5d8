import SimulationEngine

extension PlatformSimulation {
    /// How much longer a piece of co-located work (Redis's or PgBouncer's thread) takes on
    /// server `s`'s cores than on a core of its own: processor sharing with the queries and
    /// other work present when it arrives, `(n + 1) / cores` once they outnumber the cores.
    /// The figure of the moment of arrival stands for the whole call (its calls are tens of
    /// microseconds against queries of a millisecond).
    @inline(__always)
    func colocatedSlowdown(server s: Int) -> Double {
        let n = servers[s].station.count + 1
        let cores = servers[s].station.servers
        return n <= cores ? 1 : Double(n) / Double(cores)
    }

    /// Adds `work` seconds of co-located CPU to server `s`'s cores: a customer of their
    /// processor sharing with no request behind it (customer -1), which slows the queries
    /// while it is there and is counted apart from them (``DatabaseServer/colocatedWork``). It is
    /// not a backend: the contention curve fitted to Postgres's backends (USL) leaves it out.
    @inline(__always)
    mutating func addColocatedWork(_ work: Double, server s: Int, in sim: inout Simulator) {
        guard work > 0 else { return }
        if measuring { servers[s].colocatedWork += work }
        _ = servers[s].station.arrive(-1, work: work, contends: false, in: &sim)
    }

    /// A load generator on the first primary's host sends a request: the send's share of its
    /// CPU for it (`database.postgres.colocated.loadGeneratorCpuPerRequestMs` and
    /// `loadGeneratorSendShare`), and the loop's wake-up when it finds it idle
    /// (`loadGeneratorWakeUpCpuMs`), on its loop and the host's cores.
    @inline(__always)
    mutating func loadGeneratorSends(in sim: inout Simulator) {
        let g = hot.parameters.loadGeneratorCPU
        guard g >= 0 else { return }
        var cpu = hot.sample(g, &serviceRNG) * hot.parameters.loadGeneratorSendShare
        cpu += loadGeneratorLoop.wakeUpCost(hot.parameters.loadGeneratorWakeUpCPU, at: sim.now)
        _ = loadGeneratorLoop.serve(arrival: sim.now, service: cpu)
        addColocatedWork(cpu, server: 0, in: &sim)
    }

    /// The load generator receives a response that left the platform at `now`: it wakes its
    /// core if idle, waits for its loop (sends and other receipts before it), and spends the
    /// receipt's share of its CPU (and the loop's wake-up when it finds it idle). Returns what
    /// the generator adds to the latency it records: the send's CPU (its clock starts before
    /// the send, after the loop woke) and the receipt's delay.
    @inline(__always)
    mutating func loadGeneratorReceives(at now: Double, in sim: inout Simulator) -> Double {
        let p = hot.parameters
        let wake = hostWakeUp(server: 0, at: now, curve: .eventLoop)
        var cpu = hot.sample(p.loadGeneratorCPU, &serviceRNG) * (1 - p.loadGeneratorSendShare)
        cpu += loadGeneratorLoop.wakeUpCost(p.loadGeneratorWakeUpCPU, at: now + wake)
        let done = loadGeneratorLoop.serve(arrival: now + wake, service: cpu)
        addColocatedWork(cpu, server: 0, in: &sim)
        return p.loadGeneratorSendMean + (done - now)
    }
}

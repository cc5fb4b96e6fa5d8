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

    /// A load generator on the first primary's host sends a request: its CPU for it
    /// (`database.postgres.colocated.loadGeneratorCpuPerRequestMs`).
    @inline(__always)
    mutating func loadGeneratorSends(in sim: inout Simulator) {
        let g = hot.parameters.loadGeneratorCPU
        guard g >= 0 else { return }
        addColocatedWork(hot.sample(g, &serviceRNG), server: 0, in: &sim)
    }
}

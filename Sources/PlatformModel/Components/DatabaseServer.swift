import SimulationEngine

/// One Postgres server (a primary, a replica, or a shard's primary): its cores shared by the
/// active queries (processor sharing) with throughput that falls past the best number of
/// active backends (the Universal Scalability Law fitted in the model) and its connection
/// limit. Its page reads and WAL flushes go to its ``StorageVolume``.
public struct DatabaseServer: Sendable {
    public enum Role: String, Sendable { case primary, replica }
    public let name: String
    public let role: Role
    public let shard: Int
    public let size: InstanceSize
    public let maxConnections: Int
    public var station: ProcessorSharingStation
    /// Backends (server connections) open now and at most.
    public var backends = 0
    /// The last wake-up of these cores (``IdleWakeUpModel``): with the station's last
    /// departure, how long they have been idle.
    public var wake = CoreWakeUp()
    public var peakBackends = 0
    public var refusedConnections = 0
    public var queries = 0
    public var writes = 0
    public var rowsRead = 0.0
    /// Rows index-only scans fetched from the heap (pages not all-visible), in the window.
    public var heapFetches = 0.0
    /// Co-located work (PostgresModel.colocated) on these cores in the window: the CPU it
    /// asked for, the pieces finished and their time in the station. The station's own
    /// figures include it; the server's reported queries and response times leave it out.
    public var colocatedWork = 0.0
    public var colocatedCompletions = 0
    public var colocatedResponseSum = 0.0

    public init(name: String, role: Role, shard: Int, size: InstanceSize, maxConnections: Int, usl: USLModel,
                index: Int32, completionKind: Int32, startTime: Double) {
        self.name = name
        self.role = role
        self.shard = shard
        self.size = size
        self.maxConnections = maxConnections
        let top = Swift.max(maxConnections, 1) + 1
        var curve = [0.0]
        for n in 1...top { curve.append(Swift.max(1e-6, usl.capacity(activeBackends: n, cores: size.vcpu))) }
        station = ProcessorSharingStation(name: name, servers: Swift.max(1, Int(saturating: size.vcpu.rounded(.up))), capacityCurve: curve,
                                          index: index, completionKind: completionKind, startTime: startTime)
    }

    /// Opens a backend if `max_connections` allows.
    public mutating func openBackend() -> Bool {
        guard backends < maxConnections else { refusedConnections += 1; return false }
        backends += 1
        if backends > peakBackends { peakBackends = backends }
        return true
    }

    /// CPU utilization as `top` would show it: cores occupied by active queries over the cores.
    /// Past the best concurrency, part of that is lost to contention (see ``usefulShare(at:)``).
    public func utilization(at time: Double) -> Double {
        Swift.min(1, station.occupied.average(at: time) / size.vcpu)
    }

    /// Useful work done over the cores' capacity: below ``utilization(at:)`` when contention
    /// (too many active backends) wastes CPU.
    public func usefulShare(at time: Double) -> Double { station.busy.average(at: time) / size.vcpu }

    /// Whether the cores are idle: no query and no co-located work on them. Work arriving then
    /// wakes them, late (``IdleWakeUpModel``) and at a CPU cost (``PostgresModel/wakeUpCPU``).
    /// On a server of several cores this counts only when all are idle, the one idle time the
    /// station keeps (``ProcessorSharingStation/emptySince``): exact on the testbed's one core,
    /// an undercount where a query would land on one idle core among busy ones.
    @inlinable public var coresIdle: Bool { station.count == 0 }

    /// The extra CPU of a round trip arriving now: `wakeUp` when it finds the cores idle, 0
    /// when they are running (``FCFSServer/wakeUpCost(_:at:)``'s rule for a server of cores).
    @inlinable public func wakeUpCost(_ wakeUp: Double) -> Double { wakeUp > 0 && coresIdle ? wakeUp : 0 }

    public mutating func resetStatistics(at time: Double) {
        station.resetStatistics(at: time)
        peakBackends = backends
        refusedConnections = 0
        queries = 0
        writes = 0
        rowsRead = 0
        heapFetches = 0
        colocatedWork = 0
        colocatedCompletions = 0
        colocatedResponseSum = 0
    }
}

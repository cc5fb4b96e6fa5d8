import SimulationEngine

/// One PgBouncer process in transaction mode: a single thread that spends a little CPU per
/// statement, a pool of server connections lent for one transaction at a time, and the client
/// connections it accepts (at most `max_client_conn`).
public struct PgBouncer: Sendable {
    /// Its single thread.
    public var thread: FCFSServer
    /// Server connections (`default_pool_size`), with `query_wait_timeout` for the waiters.
    public var serverPool: ConnectionPool
    public var clients = 0
    public var refusedClients = 0
    public let maxClients: Int

    public init(poolSize: Int, waitTimeout: Double, maxClients: Int, index: Int32, deadlineKind: Int32, origin: Double) {
        thread = FCFSServer(startTime: origin)
        serverPool = ConnectionPool(limit: poolSize, timeout: waitTimeout, index: index, deadlineKind: deadlineKind, startTime: origin)
        self.maxClients = maxClients
    }

    /// A client (an app pool's connection) connects; false when `max_client_conn` is reached.
    public mutating func connectClient() -> Bool {
        guard clients < maxClients else { refusedClients += 1; return false }
        clients += 1
        return true
    }

    public mutating func resetStatistics(at now: Double) {
        thread.resetStatistics(at: now)
        serverPool.resetStatistics(at: now)
        refusedClients = 0
    }
}

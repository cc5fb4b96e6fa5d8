/// Every request a run simulated, one record each, for writing traces and access logs.
///
/// Off unless asked for (``PlatformRun/run(model:settings:plan:monitor:recordRequests:)``):
/// a record costs 40 bytes and one append per arrival, and a peak hour at 1M users has
/// millions of requests. Records are in arrival order; a client's retry is a record of its own
/// with `attempt` above 0.
public struct RequestLog: Sendable {
    /// One request as the client saw it.
    public struct Record: Sendable, Equatable {
        /// Seconds into the simulated day when the request reached the edge (the CDN or the
        /// load balancer). The warm-up's requests come before the measured window's start.
        public var arrival: Double
        /// Seconds until the response, as the client saw it (capped at the request timeout);
        /// NaN when the run ended before it finished.
        public var latency: Double
        /// Index into ``PlatformModel/endpoints``.
        public var endpoint: Int32
        /// The user (index into the population), or -1 for unauthenticated traffic, webhooks
        /// and health checks.
        public var user: Int32
        /// The source IP (users behind one office IP share it).
        public var ip: Int32
        /// The page size asked for on list endpoints (0 when the endpoint takes none).
        public var pageLimit: Float
        /// The user's tier index into ``TrafficModel/tiers`` (-1 without a user).
        public var tier: Int8
        /// 0 for a first attempt; n for the client's n-th retry.
        public var attempt: UInt8
        /// The ``ErrorKind`` raw value, 0 for success (see ``error``).
        public var errorCode: UInt8
        /// Answered by a CDN edge without reaching the origin.
        public var servedByCDN: Bool

        /// Why the request failed, or nil.
        public var error: ErrorKind? { ErrorKind(rawValue: errorCode) }
        /// Whether the response has come back within the run.
        public var finished: Bool { !latency.isNaN }
    }

    public private(set) var records: ContiguousArray<Record> = []
    /// The measured window's start, seconds into the day.
    public internal(set) var measureStart: Double = 0

    public init() {}

    @inline(__always)
    mutating func arrive(_ record: Record) -> Int32 {
        records.append(record)
        return Int32(records.count - 1)
    }

    @inline(__always)
    mutating func finish(_ index: Int32, latency: Double, error: ErrorKind?) {
        records[Int(index)].latency = latency
        records[Int(index)].errorCode = error?.rawValue ?? 0
    }

    @inline(__always)
    mutating func markServedByCDN(_ index: Int32) { records[Int(index)].servedByCDN = true }
}

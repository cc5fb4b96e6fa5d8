/// What a measured component is: the one list of component kinds, from the simulation to the
/// notebooks. The raw value is the stable name stored in the database and written in JSON.
public enum ComponentKind: String, CaseIterable, Sendable, Codable, Hashable {
    case loadBalancer
    /// The API's Node.js processes (their event loops), as one group.
    case apiProcess
    /// libuv's thread pool in the API processes (bcrypt).
    case threadPool
    case rateLimiter
    case redis
    /// Prisma's connection pools of every process, as one group.
    case connectionPool
    case pgbouncer
    case postgresPrimary
    case postgresReplica
    /// The volume under a Postgres server (its IOPS limit as a queue) with the server's buffer
    /// cache in front of it.
    case storageVolume
    /// BullMQ worker processes and their job queue.
    case workers
    /// A provider called over HTTP (Mailgun, the LLM).
    case externalService
    case cdn

    /// Whether its capacity cannot grow with load by its scaling rule alone (a single thread,
    /// one primary, a fixed count, a provider's limit): where a run's bottleneck is looked for
    /// when nothing failed.
    public var hasBoundedCapacity: Bool {
        switch self {
        case .redis, .pgbouncer, .postgresPrimary, .postgresReplica, .storageVolume, .externalService, .apiProcess, .workers, .threadPool: true
        case .loadBalancer, .rateLimiter, .connectionPool, .cdn: false
        }
    }

    /// The component-specific figures a component of this kind reports.
    public var metrics: [ComponentMetric] {
        switch self {
        case .loadBalancer: []
        case .apiProcess: [.instances, .processesPerInstance, .vcpuPerInstance, .peakInFlightPerProcess, .cpuSegmentsPerSecond,
                           .instancesAddedByAutoscaling]
        case .threadPool: [.threadsPerProcess]
        case .rateLimiter: [.rejected, .falseRejected, .keysLive, .windowSeconds]
        case .redis: [.memoryMB, .maxMemoryMB, .keys, .peakKeys, .evictions, .roundTripsPerSecond]
        case .connectionPool: [.connectionLimit, .openConnections, .poolTimeoutSeconds, .waitingInAPIProcesses]
        case .pgbouncer: [.serverPoolUtilization, .clientConnections, .refusedClients, .defaultPoolSize]
        case .postgresPrimary: [.vcpu, .memoryGB, .backends, .peakBackends, .usefulCapacityShare, .maxConnections, .cacheMissRatio,
                                .hottestShardShare, .colocatedCPU, .heapFetchesPerSecond]
        case .postgresReplica: [.vcpu, .memoryGB, .backends, .peakBackends, .usefulCapacityShare, .maxConnections, .cacheMissRatio,
                                .staleReadsAvoided, .readsSentToPrimaryWhileReplicasDown, .heapFetchesPerSecond]
        case .storageVolume: [.iopsLimit, .readIops, .writeIops, .backgroundReadIops, .backgroundWriteIops, .readUtilization,
                              .writeUtilization, .throughputLimitMBps, .ioLatencyMs, .dataGB, .maxVolumeGB, .bufferCacheHitRatio,
                              .predictedBufferCacheHitRatio, .bufferCacheGB, .workingSetGB, .characteristicTimeS]
        case .workers: [.concurrency, .instances, .queueDepthAtEnd, .maxQueueDepth]
        case .externalService: [.failures, .rateLimited, .timeouts]
        case .cdn: [.hitRate]
        }
    }
}

/// A component-specific figure (a key of ``ComponentMetrics/details``). The raw value is the
/// stable name in the database's `details` JSON and in the `run` command's JSON.
public enum ComponentMetric: String, CaseIterable, Sendable, Codable, Hashable, Comparable {
    // API processes and workers
    case instances, processesPerInstance, vcpuPerInstance, peakInFlightPerProcess, cpuSegmentsPerSecond, instancesAddedByAutoscaling
    case threadsPerProcess
    // Rate limiters
    case rejected, falseRejected, keysLive, windowSeconds
    // Redis
    case memoryMB, maxMemoryMB, keys, peakKeys, evictions, roundTripsPerSecond
    // Connection pools
    case connectionLimit, openConnections, poolTimeoutSeconds
    /// Mean queries waiting for a connection in the API processes' pools alone (the component's
    /// mean queue counts the workers' too): what the testbed's API reports of its one pool.
    case waitingInAPIProcesses
    // PgBouncer
    case serverPoolUtilization, clientConnections, refusedClients, defaultPoolSize
    // Postgres
    case vcpu, memoryGB, backends, peakBackends, usefulCapacityShare, maxConnections, cacheMissRatio, hottestShardShare
    /// Cores' worth of other work on the server's cores (PostgresModel.colocated), within its utilization.
    case colocatedCPU
    /// Rows index-only scans fetched from the heap per second, on pages the visibility map did
    /// not mark all-visible (reported when autovacuum is modelled, PostgresModel.autovacuum).
    case heapFetchesPerSecond
    case staleReadsAvoided, readsSentToPrimaryWhileReplicasDown
    // Storage volumes: the IOPS limit, the I/O asked of it per second (foreground reads and WAL
    // flushes measured; background from the plan), each side's busy share, the throughput limit,
    // an I/O's unloaded time, the data on the volume and the class's largest volume; the buffer
    // cache in front (page hit ratio measured and predicted by Che's approximation, its size,
    // the pages every active user's items would take, the characteristic time).
    case iopsLimit, readIops, writeIops, backgroundReadIops, backgroundWriteIops, readUtilization, writeUtilization
    case throughputLimitMBps, ioLatencyMs, dataGB, maxVolumeGB
    case bufferCacheHitRatio, predictedBufferCacheHitRatio, bufferCacheGB, workingSetGB, characteristicTimeS
    // Workers
    case concurrency, queueDepthAtEnd, maxQueueDepth
    // Providers
    case failures, rateLimited, timeouts
    // CDN
    case hitRate

    public static func < (a: ComponentMetric, b: ComponentMetric) -> Bool { a.rawValue < b.rawValue }
}

/// A component's specific figures, keyed by ``ComponentMetric``: a figure it does not report
/// is nil, never a silent 0. Encoded as a JSON object with the metrics' names as keys.
public struct ComponentDetails: Sendable, Equatable, Hashable {
    public private(set) var values: [ComponentMetric: Double]

    public init(_ values: [ComponentMetric: Double] = [:]) { self.values = values }

    public subscript(metric: ComponentMetric) -> Double? {
        get { values[metric] }
        set { values[metric] = newValue }
    }

    /// Every figure in name order (the order in which they are stored).
    public var sorted: [(metric: ComponentMetric, value: Double)] { values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    public var isEmpty: Bool { values.isEmpty }
}

extension ComponentDetails: Codable {
    public init(from decoder: Decoder) throws {
        let raw = try [String: Double](from: decoder)
        var values: [ComponentMetric: Double] = [:]
        for (k, v) in raw {
            guard let m = ComponentMetric(rawValue: k) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown component metric '\(k)'"))
            }
            values[m] = v
        }
        self.values = values
    }

    public func encode(to encoder: Encoder) throws {
        var raw: [String: Double] = [:]
        for (k, v) in values { raw[k.rawValue] = v }
        try raw.encode(to: encoder)
    }
}

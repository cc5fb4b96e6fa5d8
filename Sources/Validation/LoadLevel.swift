import PlatformModel

/// The figures the validation compares at one load level, on either side.
public struct LevelFigures: Sendable, Equatable {
    /// Requests per second the trace offers in the measured window.
    public var offeredPerSecond = 0.0
    /// Responses per second in the measured window.
    public var throughput = 0.0
    public var meanMs = 0.0
    public var p50Ms = 0.0
    public var p95Ms = 0.0
    public var p99Ms = 0.0
    /// The p99 of the requests the platform answers alone: every endpoint but those that wait
    /// on a provider (the LLM's seconds, Mailgun's hundreds of milliseconds). The saturation
    /// criterion uses it: a mix where 2% of requests wait 9 s on the LLM has a p99 that is the
    /// LLM's at any load, and whether a 15-second probe caught one of them or not is chance.
    /// The predicted side counts replication 0, the trace's own requests.
    public var platformP99Ms = 0.0
    /// Requests in the measured window.
    public var requests = 0
    /// Failed requests by kind: an ``ErrorKind`` name, or `other` for a failure the simulator
    /// has no kind for (a client-side connection error, an unexpected 500).
    public var errors: [String: Int] = [:]
    /// Hit ratio of each enabled cache with lookups.
    public var cacheHitRatio: [String: Double] = [:]
    /// Cores of CPU Postgres used (the testbed's Postgres has one).
    public var postgresCPU = 0.0
    /// Mean active Postgres backends (queries under way).
    public var postgresActive = 0.0
    /// Mean queries waiting for a connection of the API's pool (measured: once a second, nil in
    /// runs that did not sample it).
    public var apiPoolWaiting: Double?
    /// Cores of CPU the API process used.
    public var apiCPU = 0.0
    /// Cores of CPU used by the other work on the database's core: measured, the replayer,
    /// Redis, PgBouncer, the worker and the provider stubs (all pinned there); predicted, the
    /// co-located work of the model (`database.postgres.colocated`).
    public var colocatedCPU = 0.0
    /// Each endpoint's latency (its answered requests in the measured window, errors among
    /// them as the mix's figures count them): the mix's
    /// figures above are weighted by it, and an endpoint of seconds (the LLM's) can hide a
    /// miss on every endpoint of milliseconds.
    public var endpoints: [String: EndpointLatency] = [:]

    /// Errors other than 429s, as a share of requests (429s are policy, not capacity).
    public var capacityErrorShare: Double {
        let n = errors.filter { $0.key != ErrorKind.rateLimited.name && $0.key != ErrorKind.rateLimitedFalse.name }.values.reduce(0, +)
        return requests > 0 ? Double(n) / Double(requests) : 0
    }

    /// The kinds, in the order tables show them: the simulator's kinds, then `other`.
    public static let errorKinds = ErrorKind.allCases.map(\.name) + ["other"]
}

/// One endpoint's latency at one load level, on either side.
public struct EndpointLatency: Sendable, Equatable {
    /// Answered requests counted (429s and other errors among them).
    public var requests: Int
    public var p50Ms: Double
    public var p95Ms: Double
}

extension LevelFigures {
    /// The measured side: the trace's measured window and the replayer's responses for it.
    public init(trace: Trace, measurement: Measurement, requestTimeoutMs: Double, waitsOnProvider: Set<String> = []) {
        let start = trace.header.warmUpSeconds
        let end = start + trace.header.durationSeconds
        var latencies: [Double] = []
        var completed = 0
        var errors: [String: Int] = [:]
        var byEndpoint: [Int: [Double]] = [:]
        let known = Set(ErrorKind.allCases.map(\.name))
        for (i, r) in trace.records.enumerated() where r.time >= start && r.time < end {
            let m = measurement.responses[i]
            if !m.latencyMs.isNaN { byEndpoint[r.endpoint, default: []].append(m.latencyMs) }
            let latency = m.latencyMs.isNaN ? requestTimeoutMs : Swift.min(m.latencyMs, requestTimeoutMs)
            latencies.append(latency)
            if !m.latencyMs.isNaN { completed += 1 }
            var kind = m.error
            if kind.isEmpty && m.status >= 400 { kind = "other" }
            if !kind.isEmpty { errors[known.contains(kind) ? kind : "other", default: 0] += 1 }
        }
        let duration = trace.header.durationSeconds
        self.init()
        offeredPerSecond = Double(latencies.count) / duration
        throughput = Double(completed) / duration
        requests = latencies.count
        (meanMs, p50Ms, p95Ms, p99Ms) = Self.summary(latencies)
        platformP99Ms = Self.platformP99(trace, waitsOnProvider: waitsOnProvider, requestTimeoutMs: requestTimeoutMs) {
            let ms = measurement.responses[$0].latencyMs
            return ms.isNaN ? nil : ms
        }
        self.errors = errors
        for (e, values) in byEndpoint where e < trace.header.endpoints.count {
            let (_, p50, p95, _) = Self.summary(values)
            endpoints[trace.header.endpoints[e]] = EndpointLatency(requests: values.count, p50Ms: p50, p95Ms: p95)
        }
        let s = measurement.servers
        for (name, c) in s.caches where c.lookups > 0 { cacheHitRatio[name] = Double(c.hits) / Double(c.lookups) }
        postgresCPU = (s.cpuSeconds["postgres"] ?? 0) / s.windowSeconds
        apiCPU = (s.cpuSeconds["api"] ?? 0) / s.windowSeconds
        colocatedCPU = ["replayer", "redis", "pgbouncer", "worker", "providers"].map { s.cpuSeconds[$0] ?? 0 }.reduce(0, +) / s.windowSeconds
        postgresActive = s.samples.isEmpty ? 0 : s.samples.map(\.pgActive).reduce(0, +) / Double(s.samples.count)
        apiPoolWaiting = Self.mean(s.samples.compactMap(\.apiPoolWaiting))
    }

    /// The API's and Postgres's CPU per response, in ms (nil when nothing was answered).
    var apiCPUPerRequestMs: Double? { throughput > 0 ? apiCPU / throughput * 1000 : nil }
    var postgresCPUPerRequestMs: Double? { throughput > 0 ? postgresCPU / throughput * 1000 : nil }

    /// The mean of the figures present (nil when none is: a run that did not record it).
    static func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }

    /// The predicted side: one simulation run of the same configuration and traffic.
    public init(result r: RunResult, offeredPerSecond: Double) {
        self.init()
        self.offeredPerSecond = offeredPerSecond
        throughput = r.throughput
        meanMs = r.latencyMs.mean
        p50Ms = r.latencyMs.p50
        p95Ms = r.latencyMs.p95
        p99Ms = r.latencyMs.p99
        requests = r.requests
        for (kind, n) in r.errors.byKind where n > 0 { errors[kind.name] = n }
        for c in r.cache where c.lookups > 0 { cacheHitRatio[c.name] = c.hitRate }
        for e in r.endpoints where e.requests > 0 {
            endpoints[e.name] = EndpointLatency(requests: e.requests, p50Ms: e.latencyMs.p50, p95Ms: e.latencyMs.p95)
        }
        if let pg = r.components.first(where: { $0.kind == .postgresPrimary }) {
            // Postgres's own CPU, as the testbed measures its processes: less the co-located work.
            colocatedCPU = pg.details[.colocatedCPU] ?? 0
            postgresCPU = Swift.max(0, pg.utilization * r.capacity.postgresVCPU - colocatedCPU)
            postgresActive = pg.meanInSystem ?? 0
        }
        if let api = r.components.first(where: { $0.kind == .apiProcess }) { apiCPU = api.utilization * Double(api.count) }
        apiPoolWaiting = r.components.first { $0.kind == .connectionPool }?.details[.waitingInAPIProcesses]
    }

    /// Responses per second to the requests a trace offers in its measured window, as the
    /// simulator predicted them (the trace's own run): the same requests the measured
    /// throughput counts, so the two differ only by what each side answered.
    public static func predictedThroughput(_ trace: Trace) -> Double {
        let start = trace.header.warmUpSeconds, end = start + trace.header.durationSeconds
        let answered = trace.records.lazy.filter { $0.time >= start && $0.time < end && $0.predictedLatencyMs.isFinite }.count
        return Double(answered) / trace.header.durationSeconds
    }

    /// The p99 (ms) of a trace's measured-window requests to endpoints that wait on no
    /// provider, given each record's latency by index (nil: no answer, counted at the timeout,
    /// as the replayer gave up there): one rule for the measured side and replication 0's.
    public static func platformP99(_ trace: Trace, waitsOnProvider: Set<String>, requestTimeoutMs: Double,
                                   latencyMs: (Int) -> Double?) -> Double {
        let values = trace.records.indices.compactMap { k -> Double? in
            let r = trace.records[k]
            guard trace.inMeasuredWindow(r), !waitsOnProvider.contains(trace.header.endpoints[r.endpoint]) else { return nil }
            return Swift.min(latencyMs(k) ?? requestTimeoutMs, requestTimeoutMs)
        }
        return summary(values).3
    }

    /// The mean of several runs' figures (error counts and requests rounded).
    public static func mean(_ runs: [LevelFigures]) -> LevelFigures {
        guard let first = runs.first else { return LevelFigures() }
        if runs.count == 1 { return first }
        let n = Double(runs.count)
        func avg(_ f: (LevelFigures) -> Double) -> Double { runs.map(f).reduce(0, +) / n }
        var m = LevelFigures()
        m.offeredPerSecond = avg(\.offeredPerSecond)
        m.throughput = avg(\.throughput)
        m.meanMs = avg(\.meanMs)
        m.p50Ms = avg(\.p50Ms)
        m.p95Ms = avg(\.p95Ms)
        m.p99Ms = avg(\.p99Ms)
        m.platformP99Ms = avg(\.platformP99Ms)
        m.requests = Int(avg { Double($0.requests) }.rounded())
        for k in Set(runs.flatMap(\.errors.keys)) { m.errors[k] = Int(avg { Double($0.errors[k] ?? 0) }.rounded()) }
        for k in Set(runs.flatMap(\.cacheHitRatio.keys)) { m.cacheHitRatio[k] = avg { $0.cacheHitRatio[k] ?? 0 } }
        m.postgresCPU = avg(\.postgresCPU)
        m.postgresActive = avg(\.postgresActive)
        m.apiPoolWaiting = Self.mean(runs.compactMap(\.apiPoolWaiting))
        m.apiCPU = avg(\.apiCPU)
        m.colocatedCPU = avg(\.colocatedCPU)
        // Each endpoint's percentiles averaged over the runs that answered it.
        for name in Set(runs.flatMap(\.endpoints.keys)) {
            let some = runs.compactMap { $0.endpoints[name] }
            let k = Double(some.count)
            m.endpoints[name] = EndpointLatency(requests: Int((Double(some.map(\.requests).reduce(0, +)) / k).rounded()),
                                                p50Ms: some.map(\.p50Ms).reduce(0, +) / k, p95Ms: some.map(\.p95Ms).reduce(0, +) / k)
        }
        return m
    }

    /// Mean and percentiles (nearest rank) of latencies in milliseconds.
    static func summary(_ values: [Double]) -> (Double, Double, Double, Double) {
        guard !values.isEmpty else { return (0, 0, 0, 0) }
        let sorted = values.sorted()
        func q(_ p: Double) -> Double { sorted[Swift.min(sorted.count - 1, Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))] }
        return (values.reduce(0, +) / Double(values.count), q(0.5), q(0.95), q(0.99))
    }
}

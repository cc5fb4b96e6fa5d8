import Histogram
import SimulationEngine

/// The counters each bucket's figures are taken from by difference: what they read at the last
/// bucket's end. Sized once per run; the event loop never touches them (it only counts, as it
/// does for the run's totals, and records endpoint latencies in histograms made up front), so
/// the series cost nothing per event.
struct BucketBaselines: Sendable {
    var completions: [Int] = []
    var population: [Double] = []
    var occupied: [Double] = []
    var redisCommands = 0
    var redisBusy = 0.0
    var cacheLookups: [Int] = []
    var cacheHits: [Int] = []
    var externalCalls: [Int] = []
    var externalFailed: [Int] = []
}

extension PlatformSimulation {
    /// Latency histogram of one endpoint's responses in a bucket: two significant digits (a
    /// bucket's p99 to 1%) keep the set small enough to clear every bucket.
    static func newBucketHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 86_400_000_000, numberOfSignificantValueDigits: .two)
    }

    /// Queries in every database server's CPU, integrated over time since the last reset.
    func databaseArea(at now: Double) -> Double {
        var area = 0.0
        for s in servers.indices { area += servers[s].station.population.integral(at: now) }
        return area
    }

    /// Takes the counters as they are now as the start of the next bucket (at the start of the
    /// run and when the warm-up ends, after the statistics were reset).
    mutating func resetBucketBaselines(at now: Double) {
        flushLatencies()
        var b = BucketBaselines()
        for s in servers.indices {
            b.completions.append(servers[s].station.completions)
            b.population.append(servers[s].station.population.integral(at: now))
            b.occupied.append(servers[s].station.occupied.integral(at: now))
        }
        b.redisCommands = redis.commands
        b.redisBusy = redis.thread.busyTime
        b.cacheLookups = caches.map(\.lookups)
        b.cacheHits = caches.map(\.hits)
        b.externalCalls = externals.map(\.calls)
        b.externalFailed = externals.map { $0.failures + $0.rateLimited + $0.timeouts }
        bucketBaselines = b
        lastTickDatabaseArea = databaseArea(at: now)
        for e in bucketEndpointLatency.indices { bucketEndpointLatency[e].reset() }
    }

    /// Closes a measured bucket of every series (see ``BucketSeries``): each figure from the
    /// counters' change since the last bucket, appended in a fixed order.
    mutating func recordBucketSeries(at now: Double, width: Double) {
        flushLatencies()
        var k = 0
        let filled = timeSeries.count - 1
        func add(_ subject: SeriesSubject, _ name: String, _ metric: SeriesMetric, _ value: Double?) {
            let v = value.flatMap { $0.isFinite ? $0 : nil }
            if k == bucketSeries.count {
                bucketSeries.append(BucketSeries(subject: subject, name: name, metric: metric, values: Array(repeating: nil, count: Swift.max(0, filled))))
            }
            bucketSeries[k].values.append(v)
            k += 1
        }
        let b = bucketBaselines

        // Database servers: each primary (shard) on its own, the replicas as one group.
        var groups: [(name: String, members: [Int])] = []
        for s in servers.indices where servers[s].role == .primary { groups.append((servers[s].name, [s])) }
        let replicas = servers.indices.filter { servers[$0].role == .replica }
        if !replicas.isEmpty { groups.append(("postgres-replicas", Array(replicas))) }
        for g in groups {
            var queries = 0, active = 0.0, occupied = 0.0, cores = 0.0, open = 0
            for s in g.members {
                let station = servers[s].station
                queries += station.completions - b.completions[s]
                active += station.population.integral(at: now) - b.population[s]
                occupied += station.occupied.integral(at: now) - b.occupied[s]
                cores += servers[s].size.vcpu
                open += servers[s].backends
            }
            add(.database, g.name, .queriesPerSecond, Double(queries) / width)
            add(.database, g.name, .activeBackends, active / width)
            add(.database, g.name, .openBackends, Double(open))
            add(.database, g.name, .cpuUtilization, Swift.min(1, Swift.max(0, occupied / (width * Swift.max(1e-9, cores)))))
        }

        add(.redis, "redis", .commandsPerSecond, Double(redis.commands - b.redisCommands) / width)
        add(.redis, "redis", .threadUtilization, Swift.min(1, Swift.max(0, (redis.thread.busyTime - b.redisBusy) / width)))

        for (c, cache) in model.caches.enumerated() where cache.enabled {
            let lookups = caches[c].lookups - b.cacheLookups[c], hits = caches[c].hits - b.cacheHits[c]
            add(.cache, cache.name, .lookupsPerSecond, Double(lookups) / width)
            add(.cache, cache.name, .hitRate, lookups > 0 ? Double(hits) / Double(lookups) : nil)
        }

        for (s, svc) in model.externalServices.enumerated() {
            let e = externals[s]
            add(.externalService, svc.name, .callsPerSecond, Double(e.calls - b.externalCalls[s]) / width)
            add(.externalService, svc.name, .failuresPerSecond, Double(e.failures + e.rateLimited + e.timeouts - b.externalFailed[s]) / width)
        }

        for e in model.endpoints.indices {
            let h = bucketEndpointLatency[e]
            add(.endpoint, model.endpoints[e].name, .requestsPerSecond, Double(h.totalCount) / width)
            add(.endpoint, model.endpoints[e].name, .p99Ms, h.totalCount > 0 ? Double(h.valueAtPercentile(99)) / 1000 : nil)
        }

        resetBucketBaselines(at: now)
    }
}

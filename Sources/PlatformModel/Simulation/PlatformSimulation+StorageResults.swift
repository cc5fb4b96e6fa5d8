import Histogram
import SimulationEngine

extension PlatformSimulation {
    /// The volumes as components: each primary's (shard's) volume on its own, the replicas'
    /// volumes as one group; with the buffer cache in front of them (its measured page hit
    /// ratio beside Che's prediction).
    func storageMetrics(window: Double, now: Double) -> [ComponentMetrics] {
        var out: [ComponentMetrics] = []
        for s in servers.indices where servers[s].role == .primary {
            out.append(volumeMetrics([s], name: volumes[s].name, cache: bufferCaches[0], window: window, now: now))
        }
        let replicas = servers.indices.filter { servers[$0].role == .replica }
        if !replicas.isEmpty {
            // Replica r of every shard shares one cache view; their pages together.
            var cache = bufferCaches[1]
            for c in bufferCaches.dropFirst(2) { cache.pagesTouched += c.pagesTouched; cache.pagesMissed += c.pagesMissed }
            out.append(volumeMetrics(replicas, name: "replica-volumes", cache: cache, window: window, now: now))
        }
        return out
    }

    func volumeMetrics(_ group: [Int], name: String, cache: BufferCache, window: Double, now: Double) -> ComponentMetrics {
        var util = 0.0, maxUtil = 0.0, readUtil = 0.0, writeUtil = 0.0, population = 0.0, completions = 0, responseSum = 0.0
        var readUnits = 0.0, writeUnits = 0.0, delaySum = 0.0, beyondPace = 0.0
        let separate = volumes[group[0]].writes != nil
        for s in group {
            let v = volumes[s]
            let u = v.utilization(at: now)
            util += u
            maxUtil = Swift.max(maxUtil, u)
            readUtil += v.readUtilization(at: now)
            writeUtil += v.writeUtilization(at: now) ?? 0
            for station in [v.reads] + (v.writes.map { [$0] } ?? []) {
                population += station.population.average(at: now)
                beyondPace += station.population.average(at: now) - station.busy.average(at: now)
                completions += station.completions
                responseSum += station.responseTimes.sum
            }
            readUnits += v.readUnits
            writeUnits += v.writeUnits
            delaySum += v.readDelaySum + v.writeDelaySum
        }
        let n = Double(group.count)
        let v = volumes[group[0]]
        let storage = servers[group[0]].role == .replica ? replicaStorage ?? primaryStorage : primaryStorage
        var details: [ComponentMetric: Double] = [
            .iopsLimit: v.spec.iops, .readIops: readUnits / window / n, .writeIops: writeUnits / window / n,
            .backgroundReadIops: v.backgroundReadIOPS, .backgroundWriteIops: v.backgroundWriteIOPS,
            .readUtilization: readUtil / n, .throughputLimitMBps: v.spec.throughputMBps, .ioLatencyMs: v.spec.ioLatency * 1000,
            .dataGB: storage.dataBytes / 1e9, .maxVolumeGB: v.spec.maxSizeGB,
            .predictedBufferCacheHitRatio: cache.predictedHitRatio, .bufferCacheGB: storage.cachePages * StorageDemand.pageBytes / 1e9,
            .workingSetGB: storage.workingSetPages * StorageDemand.pageBytes / 1e9]
        // Infinite when every item fits: not reported then.
        if storage.characteristicTime.isFinite { details[.characteristicTimeS] = storage.characteristicTime }
        if separate { details[.writeUtilization] = writeUtil / n }
        if let h = cache.hitRatio { details[.bufferCacheHitRatio] = h }
        return ComponentMetrics(
            name: name, kind: .storageVolume, count: group.count, utilization: util / n, maxUtilization: maxUtil,
            meanQueue: Swift.max(0, beyondPace), meanWaitMs: completions > 0 ? delaySum / Double(completions) * 1000 : 0,
            p99WaitMs: Self.p99ms(volumeDelay), throughput: Double(completions) / window, meanInSystem: population,
            meanResponseMs: completions > 0 ? responseSum / Double(completions) * 1000 : 0,
            limitHits: storage.dataBytes / 1e9 > v.spec.maxSizeGB ? 1 : 0, details: details)
    }
}

import Analysis
import PlatformModel
import Formatting

/// One run as text: the headline figures, endpoints, components, caches, errors and cost.
public enum RunReport {
    public enum Style: Sendable { case plain, markdown }

    public static func render(_ run: DiagnosedRun, style: Style) -> String {
        let r = run.result, d = run.diagnosis
        func table(_ t: TextTable) -> String { style == .markdown ? t.markdown() : t.plain() }
        func heading(_ s: String) -> String { style == .markdown ? "### \(s)\n\n" : "\(s)\n" }
        var out = ""
        if style == .markdown { out += "## \(r.config) at \(Format.users(r.users)) users\n\n" }
        else { out += "\(r.config) at \(Format.grouped(r.users)) users (\(Format.grouped(r.activeUsers)) active today), seed \(r.seed)\n\n" }

        var head = TextTable(["figure", "value"], alignments: [.left, .left])
        head.add(["window", "\(Format.fixed(r.simulatedSeconds, 0)) s from hour \(Format.fixed(r.windowStartHour, 1)) after \(Format.fixed(r.warmUpSeconds, 0)) s warm-up"])
        head.add(["requests", Format.grouped(r.requests)])
        head.add(["throughput", "\(Format.number(r.throughput)) req/s"])
        head.add(["latency p50 / p95 / p99", "\(Format.number(r.latencyMs.p50)) / \(Format.number(r.latencyMs.p95)) / \(Format.number(r.latencyMs.p99)) ms"])
        head.add(["error rate", Format.percent(r.errorRate, 2)])
        head.add(["bottleneck", "\(d.bottleneck.component): \(d.bottleneck.reason)"])
        for other in d.causes.dropFirst() where other.requestShare > 0 { head.add(["also", "\(other.component): \(other.reason)"]) }
        if let h = d.headroom {
            let since = h.saturatesAt < r.users ? " since about \(Format.roundedUsers(h.saturatesAt)) users" : ""
            head.add(["headroom", h.users == 0 ? "none: \(h.component) is saturated\(since) (\(h.limit))"
                                               : "about \(Format.grouped(h.users)) more users until \(h.component) saturates (\(h.limit))"])
        }
        head.add(["monthly cost", "\(Format.usd(d.cost.monthlyUSD)) (\(Format.fixed(d.cost.perThousandUsersUSD, 2)) per 1,000 users, \(d.cost.provider))"])
        head.add(["capacity", "\(r.capacity.apiInstances) API instances (\(r.capacity.apiProcesses) processes), Postgres \(r.capacity.postgresSize)"
                  + " on \(r.capacity.volume.className) (\(Format.number(r.capacity.volume.iops)) IOPS)"
                  + (r.capacity.replicasPerShard > 0 ? ", \(r.capacity.replicasPerShard) replicas" : "")
                  + (r.capacity.shards > 1 ? ", \(r.capacity.shards) shards" : "")
                  + (r.capacity.workerInstances > 0 ? ", \(r.capacity.workerInstances) workers" : "")])
        for l in r.capacity.limits { head.add(["scaling limit", l]) }
        if let w = r.warmUp {
            head.add(["warm-up check", "MSER-5 on throughput would discard \(Format.fixed(w.mser5ThroughputSeconds, 0)) s; "
                      + "the run discarded \(Format.fixed(w.discardedSeconds, 0)) s: " + (w.sufficient ? "long enough" : "too short, raise --warm-up")
                      + (w.reliable ? "" : " (series too short to be sure)")])
        }
        head.add(["events", "\(Format.grouped(r.events)) in \(Format.fixed(r.wallSeconds, 2)) s wall"])
        out += table(head) + "\n"

        out += heading("Errors")
        var errors = TextTable(["kind", "count", "share"])
        for (kind, n) in r.errors.byKind where n > 0 { errors.add([kind.name, Format.grouped(n), Format.percent(Double(n) / Double(Swift.max(1, r.requests)), 2)]) }
        if errors.rows.isEmpty { errors.add(["none", "0", "0%"]) }
        out += table(errors) + "\n"

        out += heading("Components")
        var comps = TextTable(["component", "kind", "count", "utilization", "max", "mean queue", "mean wait ms", "p99 wait ms", "per second", "limit hits"])
        for c in r.components {
            comps.add([c.name, c.kind.rawValue, String(c.count), Format.percent(c.utilization), Format.percent(c.maxUtilization),
                       Format.number(c.meanQueue), Format.number(c.meanWaitMs), Format.number(c.p99WaitMs), Format.number(c.throughput), Format.grouped(c.limitHits)])
        }
        out += table(comps) + "\n"

        let volumes = r.components.filter { $0.kind == .storageVolume }
        if !volumes.isEmpty {
            out += heading("Storage")
            var t = TextTable(["volume", "IOPS limit", "read IOPS", "write IOPS", "background IOPS", "busy", "buffer cache GB",
                               "working set GB", "page hit ratio", "Che estimate", "data GB", "largest volume GB"])
            for v in volumes {
                func f(_ m: ComponentMetric) -> String { v.details[m].map(Format.number) ?? "" }
                func p(_ m: ComponentMetric) -> String { v.details[m].map { Format.percent($0) } ?? "" }
                let background = (v.details[.backgroundReadIops] ?? 0) + (v.details[.backgroundWriteIops] ?? 0)
                t.add([v.name, f(.iopsLimit), f(.readIops), f(.writeIops), Format.number(background), Format.percent(v.maxUtilization),
                       f(.bufferCacheGB), f(.workingSetGB), p(.bufferCacheHitRatio), p(.predictedBufferCacheHitRatio), f(.dataGB), f(.maxVolumeGB)])
            }
            out += table(t) + "\n"
        }

        out += heading("Endpoints")
        var eps = TextTable(["endpoint", "requests", "errors", "p50 ms", "p95 ms", "p99 ms"])
        for e in r.endpoints where e.requests > 0 {
            eps.add([e.name, Format.grouped(e.requests), Format.grouped(e.errors), Format.number(e.latencyMs.p50), Format.number(e.latencyMs.p95), Format.number(e.latencyMs.p99)])
        }
        out += table(eps) + "\n"

        if !r.cache.isEmpty {
            out += heading("Caches")
            var caches = TextTable(["cache", "location", "lookups", "hit rate", "TTL formula (Poisson)"])
            for c in r.cache {
                caches.add([c.name, c.location, Format.grouped(c.lookups), Format.percent(c.hitRate), c.location == "edge" ? "" : Format.percent(c.predictedHitRate)])
            }
            out += table(caches) + "\n"
        }
        if r.jobs.contains(where: { $0.enqueued > 0 }) {
            out += heading("Jobs")
            var jobs = TextTable(["job", "enqueued", "completed", "failed attempts", "dead-lettered", "p50 ms", "p99 ms"])
            for j in r.jobs where j.enqueued > 0 {
                jobs.add([j.name, Format.grouped(j.enqueued), Format.grouped(j.completed), Format.grouped(j.failedAttempts), Format.grouped(j.deadLettered),
                          Format.number(j.latencyMs.p50), Format.number(j.latencyMs.p99)])
            }
            out += table(jobs) + "\n"
        }
        do {
            let c = d.cost
            out += heading("Monthly cost (\(c.provider))")
            var cost = TextTable(["item", "USD per month", "basis"], alignments: [.left, .right, .left])
            for i in c.items { cost.add([i.name, Format.usd(i.monthlyUSD), i.basis]) }
            cost.add(["total", Format.usd(c.monthlyUSD), "\(Format.fixed(c.perThousandUsersUSD, 2)) per 1,000 users"])
            out += table(cost)
        }
        return out
    }
}

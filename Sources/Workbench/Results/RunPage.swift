import Formatting
import Foundation
import Reports
import ResultsStore

/// One stored run in detail: what made it, the headline figures, every component, endpoint,
/// error kind, cost item, cache and job, and its time series as a chart.
enum RunPage {
    static func render(_ run: StoredRun, experiment e: ExperimentRecord, footer: PageFooter) -> String {
        let r = run.run
        let base = "/results/" + HTML.urlComponent(e.name)
        var body = "<p><a href=\"\(base)\">← experiment <code>\(HTML.escape(e.name))</code></a></p>"
        body += "<h1><code>\(HTML.escape(r.configuration))</code> · \(HTML.escape(r.variant)) · \(Format.grouped(r.users)) users</h1>"
        let overrides = r.overrideList
        var facts: [(String, String)] = [
            ("seed, replication", "\(r.seed), \(r.replication)"),
            ("window", "\(shown(r.warmUpS)) s warm-up, \(shown(r.simulatedS)) s measured from \(Format.fixed(r.windowStartHour, 1)) h"),
            ("requests", "\(Format.grouped(r.requests)) (\(Format.number(r.throughputPerS)) per second), \(Format.grouped(r.activeUsers)) users active today"),
            ("latency p50 / p95 / p99", "\(Format.number(r.p50Ms)) / \(Format.number(r.p95Ms)) / \(Format.number(r.p99Ms)) ms"),
            ("error rate", "\(Format.percent(r.errorRate, 2)) (\(Format.grouped(r.errors)) errors)"),
            ("bottleneck", "\(r.bottleneckComponent): \(r.bottleneckReason)"),
            ("headroom", r.headroomComponent.map { c in (r.headroomUsers ?? 0) == 0 ? "none: \(c) is saturated" : "about \(Format.grouped(r.headroomUsers ?? 0)) more users until \(c) saturates" } ?? "no fixed-capacity component is loaded"),
            ("monthly cost", "\(Format.usd(r.monthlyCostUSD)) (\(Format.fixed(r.costPer1kUsersUSD, 2)) per 1,000 users, \(r.costProvider))"),
            ("capacity", "\(r.apiInstances) API instances (\(r.apiProcesses) processes), Postgres \(r.postgresSize) (\(Format.number(r.postgresVCPU)) vCPU), "
                + "\(r.replicasPerShard) replicas per shard, \(r.shards) shard\(r.shards == 1 ? "" : "s"), \(r.workerInstances) workers, \(r.pgbouncerProcesses) PgBouncer processes"),
            ("model", "\(r.modelFile), sha256 \(r.modelSHA256.prefix(16))…"),
            ("pricing", "\(r.pricingFile), sha256 \(r.pricingSHA256.prefix(16))…"),
            ("overrides", overrides.isEmpty ? "none" : overrides.joined(separator: ", ")),
            ("program", "platform-sim \(r.programVersion); \(Format.grouped(r.events)) events in \(Format.fixed(r.wallS, 2)) s"),
        ]
        for l in r.capacityLimitList { facts.append(("scaling limit", l)) }
        body += "<table class=\"facts\" id=\"run-facts\"><tbody>" + facts.map { "<tr><th>\(HTML.escape($0.0))</th><td>\(HTML.escape($0.1))</td></tr>" }.joined() + "</tbody></table>"

        if !run.timeSeries.isEmpty {
            let svg = ExperimentCharts.timeline(run, title: "\(r.configuration) at \(Format.users(r.users)) users, seed \(r.seed)",
                                                subtitle: "10-second buckets of the measured window", bands: [], sloP99Ms: e.sloP99Ms)
            body += "<h2>Through the window</h2><figure class=\"chart\" data-chart=\"timeline\">\(ResultsPages.inlineSVG(svg))</figure>"
        }
        body += "<h2>Components</h2>" + HTML.table(
            ["component", "kind", "count", "utilization", "max", "mean queue", "mean wait ms", "p99 wait ms", "per second", "limit hits"],
            run.components.sorted { $0.position < $1.position }.map { c in
                ["<code>\(HTML.escape(c.component))</code>", HTML.escape(c.kind), String(c.count), Format.percent(c.utilization), Format.percent(c.maxUtilization),
                 Format.number(c.meanQueue), Format.number(c.meanWaitMs), Format.number(c.p99WaitMs), Format.number(c.throughputPerS), Format.grouped(c.limitHits)]
            }, numeric: Set(2...9), id: "run-components")
        body += "<h2>Endpoints</h2>" + HTML.table(
            ["endpoint", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"],
            run.endpoints.sorted { $0.position < $1.position }.filter { $0.requests > 0 }.map { x in
                ["<code>\(HTML.escape(x.endpoint))</code>", Format.grouped(x.requests), Format.grouped(x.errors), Format.number(x.p50Ms),
                 Format.number(x.p95Ms), Format.number(x.p99Ms), Format.number(x.maxMs)]
            }, numeric: Set(1...6), id: "run-endpoints")
        let errors = run.errors.sorted { $0.position < $1.position }.filter { $0.count > 0 }
        body += "<h2>Errors</h2>" + (errors.isEmpty ? "<p>None.</p>" : HTML.table(["kind", "what", "count", "share"], errors.map {
            ["<code>\(HTML.escape($0.kind))</code>", HTML.escape($0.description), Format.grouped($0.count), Format.percent($0.shareOfRequests, 3)]
        }, numeric: [2, 3], id: "run-errors"))
        body += "<h2>Monthly cost</h2>" + HTML.table(["item", "USD per month", "basis"], run.costItems.sorted { $0.position < $1.position }.map {
            [HTML.escape($0.item), Format.usd($0.monthlyUSD), HTML.escape($0.basis)]
        }, numeric: [1], id: "run-costs")
        if !run.caches.isEmpty {
            body += "<h2>Caches</h2>" + HTML.table(["cache", "where", "lookups", "hit rate", "TTL formula"], run.caches.sorted { $0.position < $1.position }.map {
                [HTML.escape($0.cache), HTML.escape($0.location), Format.grouped($0.lookups), Format.percent($0.hitRate), Format.percent($0.predictedHitRate)]
            }, numeric: [2, 3, 4])
        }
        if !run.jobs.isEmpty {
            body += "<h2>Background jobs</h2>" + HTML.table(["job", "enqueued", "completed", "failed attempts", "dead-lettered", "p50 ms", "p99 ms"],
                run.jobs.sorted { $0.position < $1.position }.map {
                    [HTML.escape($0.job), Format.grouped($0.enqueued), Format.grouped($0.completed), Format.grouped($0.failedAttempts),
                     Format.grouped($0.deadLettered), Format.number($0.p50Ms), Format.number($0.p99Ms)]
                }, numeric: Set(1...6))
        }
        return HTML.page(title: "\(r.configuration) at \(r.users) users", section: .results, footer: footer, body: body)
    }
}

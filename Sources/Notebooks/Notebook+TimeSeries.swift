import PlatformModel
import Reports
import ResultsStore
import Formatting

/// Runs through a fault or a traffic spike, bucket by bucket: charts with the trigger shaded,
/// and when throughput, p99 and the queues come back to their level before it.
extension Notebook {
    /// A fault or spike, in seconds from the start of the measured window.
    struct Trigger {
        /// What happens, in full; `short` labels the shaded band.
        var label: String
        var from: Double
        var to: Double
        var short: String
    }

    func triggers(_ model: PlatformModel, windowStartHour: Double) -> [Trigger] {
        let f = model.faults
        var out: [Trigger] = []
        if let w = f.redisOutage { out.append(Trigger(label: "Redis down (fail \(f.redisFailMode.rawValue))", from: w.start, to: w.end, short: "Redis down")) }
        if let w = f.replicaLoss { out.append(Trigger(label: "read replicas lost", from: w.start, to: w.end, short: "replicas lost")) }
        if let w = f.primaryFailover { out.append(Trigger(label: "primary failover", from: w.start, to: w.end, short: "failover")) }
        if let w = f.degradation, let s = f.degradedService {
            let name = ComponentGauge.displayName(model.externalServices[s].name)
            out.append(Trigger(label: "\(name) degraded: latency ×\(Prose.number(f.latencyMultiplier)), \(Format.percent(f.degradedFailureProbability, 0)) failing",
                               from: w.start, to: w.end, short: "\(name) degraded"))
        }
        if let spike = model.traffic.spike {
            let start = spike.start - windowStartHour * 3600
            out.append(Trigger(label: "traffic ×\(Prose.number(spike.multiplier))", from: start, to: start + spike.duration, short: "traffic ×\(Prose.number(spike.multiplier))"))
        }
        return out
    }

    /// The charts, the section's text and the recovery findings.
    func timeSeries() -> (charts: [ChartFile], text: String, findings: [Finding]) {
        let lines = m.lines.count > 6 ? m.lines.filter { $0.variant == variants(of: $0.configuration).first } : m.lines
        var charts: [ChartFile] = [], text = "", bullets: [String] = []
        for l in lines {
            let (c, v) = (l.configuration, l.variant)
            guard let u = users(c, v).last, let run = m.runs(c, v, u).first, let model = model(c, v, u) else { continue }
            let trig = triggers(model, windowStartHour: run.run.windowStartHour)
            guard !trig.isEmpty, !run.timeSeries.isEmpty else { continue }
            let file = "timeline-\(c)" + (m.hasVariants ? "-\(v)" : "") + "-\(Format.users(u).filter { $0 != "," })"
            let seed = run.run.replication > 0 ? "seed \(run.run.seed), replication \(run.run.replication)" : "seed \(run.run.seed)"
            let title = "\(e.name): \(m.name(l)) at \(Prose.users(u)), bucket by bucket"
            let width = ExperimentCharts.bucketWidth(run.timeSeries)
            let subtitle = "\(seed); \(Prose.number(width)) s buckets; shaded: " + trig.map(\.label).joined(separator: "; ")
            let svg = ExperimentCharts.timeline(run, title: title, subtitle: subtitle,
                                                bands: trig.map { Band(from: $0.from, to: $0.to, label: $0.short) }, sloP99Ms: s.sloP99Ms)
            let chart = ChartFile(name: file, title: title, svg: svg)
            charts.append(chart)
            text += "![\(title)](\(input.chartFolder)/\(file).svg)\n\n"
            let componentsTitle = "\(e.name): \(m.name(l)) at \(Prose.users(u)), component by component"
            if let components = ExperimentCharts.componentTimeline(run, title: componentsTitle, subtitle: subtitle,
                                                                   bands: trig.map { Band(from: $0.from, to: $0.to, label: $0.short) }) {
                charts.append(ChartFile(name: file + "-components", title: componentsTitle, svg: components))
                text += "![\(componentsTitle)](\(input.chartFolder)/\(file)-components.svg)\n\n"
            }
            if let r = recovery(run, trig[0]) { bullets.append("- " + name(c, v) + " at \(Prose.users(u)): " + r) }
        }
        guard !charts.isEmpty else { return ([], "", []) }
        text = "Each chart follows one run (the first seed at the largest user count) through the measured window in buckets of 10 simulated seconds: "
            + "requests served and errors per second, the p99 of the requests that finished in the bucket, what is waiting "
            + "(requests for a database connection and jobs in BullMQ at the bucket's end, queries running in Postgres on average over the bucket), "
            + "and how busy the event loops are. The chart under it follows each part of the platform through the same window: "
            + "Postgres's queries per second and active backends (queries being executed), Redis's commands per second, each cache's hit rate, "
            + "failed provider calls when there were any, and the p99 of the four endpoints (of those with 2% of the requests or more) "
            + "the trigger slows most. "
            + "The shaded stretch is the trigger.\n\n" + text
        let finding = Finding(title: "Through the trigger and back", text: bullets.joined(separator: "\n") + "\n\n"
            + "Recovered means back inside the range seen before the trigger for three buckets in a row: p99 under the worst pre-trigger bucket plus 10%, throughput within 5% of the pre-trigger range, queues no longer than before. "
            + "A backlog built during the trigger (requests or jobs) has to drain at the spare capacity left over, which is why recovery takes longer the closer the platform runs to its limits.")
        return (charts, text, bullets.isEmpty ? [] : [finding])
    }

    /// Before, during and after the trigger, with the time to recover after it ends.
    func recovery(_ run: StoredRun, _ t: Trigger) -> String? {
        let rows = run.timeSeries.sorted { $0.tS < $1.tS }
        let width = ExperimentCharts.bucketWidth(rows)
        let pre = rows.filter { $0.tS + width <= t.from && $0.tS >= width }  // the first bucket still settles
        let during = rows.filter { $0.tS + width > t.from && $0.tS < t.to }
        let after = rows.filter { $0.tS >= t.to }
        guard !pre.isEmpty, !during.isEmpty else { return nil }
        let preP99 = pre.map(\.p99Ms).max()!, preTpLo = pre.map(\.throughputPerS).min()!, preTpHi = pre.map(\.throughputPerS).max()!
        let prePool = pre.map(\.poolWaiting).max()!, preJobs = pre.map(\.jobQueueDepth).max()!
        var out = "before the trigger (\(Prose.seconds(pre.first!.tS))–\(Prose.seconds(t.from))) p99 per bucket stayed at or under \(Prose.ms(preP99)) at \(Prose.number(preTpLo))–\(Prose.number(preTpHi)) requests/s; "
        let worstP99 = during.map(\.p99Ms).max()!, errors = during.reduce(0) { $0 + $1.errors }
        out += "during it (\(t.label), \(Prose.seconds(t.from))–\(Prose.seconds(t.to))) the worst bucket's p99 was \(Prose.ms(worstP99)), \(Format.grouped(errors)) requests failed"
        let preErrors = Double(pre.reduce(0) { $0 + $1.errors }) / (Double(pre.count) * width)
        out += " (\(Prose.number(Double(errors) / (Double(during.count) * width))) per second, against \(Prose.number(preErrors)) before)"
        let jobPeak = during.map(\.jobQueueDepth).max()!, poolPeak = during.map(\.poolWaiting).max()!
        if jobPeak > preJobs { out += ", up to \(Format.grouped(jobPeak)) jobs waited in BullMQ" }
        if poolPeak > prePool { out += ", up to \(Format.grouped(poolPeak)) requests waited for a database connection" }
        out += ". "
        guard !after.isEmpty else { return out + "The window ends with the trigger, so recovery is not seen." }
        func settled(_ ok: (TimeSeriesRecord) -> Bool) -> Double? {
            for i in after.indices where after[i...].prefix(3).allSatisfy(ok) && after[i...].prefix(3).count == min(3, after.count - i) {
                return after[i].tS - t.to
            }
            return nil
        }
        let p99Back = settled { $0.p99Ms <= preP99 * 1.1 }
        let tpBack = settled { $0.throughputPerS >= preTpLo * 0.95 && $0.throughputPerS <= preTpHi * 1.05 }
        let queuesBack = settled { $0.jobQueueDepth <= max(preJobs, 1) && $0.poolWaiting <= max(prePool, 1) }
        let left = (after.last!.tS + width) - t.to
        // Subjects with the same outcome share one clause ("p99 and throughput are back ...").
        var subjects: [(what: String, back: Double?)] = [("p99", p99Back), ("throughput", tpBack)]
        if jobPeak > preJobs || poolPeak > prePool { subjects.append(("the queues", queuesBack)) }
        var groups: [(names: [String], back: Double?)] = []
        for s in subjects {
            if let i = groups.firstIndex(where: { $0.back == s.back }) { groups[i].names.append(s.what) } else { groups.append(([s.what], s.back)) }
        }
        let parts = groups.map { g -> String in
            let what = Prose.list(g.names)
            let verb = g.names.count > 1 || g.names == ["the queues"] ? "are" : "is"
            guard let x = g.back else { return "\(what) \(verb) not back within the \(Prose.seconds(left)) left in the window" }
            return x == 0 ? "\(what) \(verb) back in the first bucket after it" : "\(what) \(verb) back \(Prose.seconds(x)) after it"
        }
        out += "After it ends (\(Prose.seconds(t.to))), " + Prose.list(parts)
        return out + "."
    }
}

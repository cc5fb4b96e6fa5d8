import Analysis
import PlatformModel
import Formatting

/// A replicated run: every figure as mean ± the half-width of its 95% confidence interval.
public enum ReplicationReport {
    public static func estimate(_ e: Estimate, percent: Bool = false) -> String {
        func f(_ x: Double) -> String { percent ? Format.percent(x, 2) : Format.number(x) }
        guard e.halfWidth.isFinite else { return f(e.mean) }
        return "\(f(e.mean)) ± \(f(e.halfWidth))"
    }

    public static func render(_ s: ReplicationSummary, order: [ComponentMetrics], markdown: Bool) -> String {
        func table(_ t: TextTable) -> String { markdown ? t.markdown() : t.plain() }
        var out = markdown ? "## \(s.config) at \(Format.users(s.users)) users, \(s.replications) replications\n\n"
                           : "\(s.config) at \(Format.grouped(s.users)) users: \(s.replications) replications of seed \(s.seed) (mean ± 95% half-width)\n\n"
        var head = TextTable(["figure", "value"], alignments: [.left, .left])
        head.add(["throughput req/s", estimate(s.throughput)])
        head.add(["latency p50 ms", estimate(s.latencyP50Ms)])
        head.add(["latency p95 ms", estimate(s.latencyP95Ms)])
        head.add(["latency p99 ms", estimate(s.latencyP99Ms)])
        head.add(["error rate", estimate(s.errorRate, percent: true)])
        head.add(["monthly cost USD", estimate(s.monthlyCostUSD)])
        head.add(["bottleneck", s.bottlenecks.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                    .map { "\($0.key) (\($0.value) of \(s.replications))" }.joined(separator: ", ")])
        out += table(head) + "\n"
        var errors = TextTable(["error kind", "share of requests"])
        for (kind, e) in s.errors.sorted(by: { $0.key < $1.key }) where e.mean > 0 { errors.add([kind, estimate(e, percent: true)]) }
        if !errors.rows.isEmpty { out += table(errors) + "\n" }
        var comps = TextTable(["component", "utilization", "p99 wait ms"])
        for c in order {
            guard let u = s.utilization[c.name], let w = s.p99WaitMs[c.name], u.mean > 0 || w.mean > 0 else { continue }
            comps.add([c.name, estimate(u, percent: true), estimate(w)])
        }
        out += table(comps) + "\n"
        var cost = TextTable(["cost item", "USD per month"])
        for (name, e) in s.costItemsUSD.sorted(by: { $0.key < $1.key }) { cost.add([name, estimate(e)]) }
        out += table(cost)
        return out
    }
}

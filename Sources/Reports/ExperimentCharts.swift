import Foundation
import ResultsStore
import Formatting

/// One chart of an experiment: a file name (without `.svg`), its title and the SVG document.
public struct ChartFile: Sendable, Equatable {
    public var name: String
    public var title: String
    public var svg: String
    public init(name: String, title: String, svg: String) { self.name = name; self.title = title; self.svg = svg }
}

/// The charts of an experiment against users, from its database records: p99 latency with the
/// SLO line, error rate, monthly cost and cost per 1,000 users, the utilization of the leading
/// components per configuration, and with variants the leading component and the endpoint that
/// differ most between them. A line per configuration (and variant); past seven lines, a chart
/// per configuration. The bytes depend on the records only.
public struct ExperimentCharts {
    public init() {}

    /// `report --out DIR`: the charts of one experiment as files `EXPERIMENT-NAME.svg`.
    public func files(for results: ExperimentResults, summary: ExperimentSummary) -> [(name: String, text: String)] {
        Self.charts(ExperimentMetrics(results, summary: summary)).map { ("\(summary.experiment)-\($0.name).svg", $0.svg) }
    }

    /// At most this many lines on one chart against users.
    public static let maxLines = 7

    public static func charts(_ m: ExperimentMetrics) -> [ChartFile] {
        let s = m.summary
        var out: [ChartFile] = []
        let means = s.runsPerCell > 1 ? "means over \(s.runsPerCell) runs per point" : "one run per point"
        for g in groups(m) {
            out.append(usersChart(m, g, name: "latency", title: "p99 latency against users",
                                  subtitle: "\(means); dashed grey line: the SLO",
                                  y: Axis("p99 latency", scale: .log10, format: .milliseconds),
                                  lines: [ReferenceLine(s.sloP99Ms, label: "SLO p99 \(Format.number(s.sloP99Ms)) ms")]) { c in
                c.p99Ms > 0 ? c.p99Ms : .nan
            })
        }
        for g in groups(m) {
            out.append(usersChart(m, g, name: "errors", title: "Error rate against users",
                                  subtitle: "\(means); log scale: a point with no errors is not drawn",
                                  y: Axis("error rate (share of requests)", scale: .log10, format: .percent),
                                  lines: [ReferenceLine(s.sloErrorRate, label: "SLO \(Format.percent(s.sloErrorRate, 2))")]) { c in
                c.errorRate > 0 ? c.errorRate : .nan
            })
        }
        for g in groups(m) {
            out.append(usersChart(m, g, name: "cost", title: "Monthly cost against users", subtitle: "\(means); USD per month, log scales",
                                  y: Axis("monthly cost", scale: .log10, format: .usd), lines: []) { $0.monthlyCostUSD })
        }
        for g in groups(m) {
            out.append(usersChart(m, g, name: "cost-per-1k-users", title: "Monthly cost per 1,000 users",
                                  subtitle: "\(means); fixed costs spread over more users, volume costs grow with them",
                                  y: Axis("USD per month per 1,000 users", format: .usd), lines: []) { $0.costPer1kUsersUSD })
        }
        for c in s.configurations {
            guard let v = s.variants.first(where: { v in s.cells.contains { $0.configuration == c && $0.variant == v } }) else { continue }
            if let chart = utilizationChart(m, configuration: c, variant: v) { out.append(chart) }
            if m.hasVariants, let chart = gaugeByVariantChart(m, configuration: c) { out.append(chart) }
        }
        if m.hasVariants, let endpoint = endpointDifferingMost(m) {
            for g in groups(m) {
                out.append(usersChart(m, g, name: "endpoint-\(endpoint)", title: "p99 of \(endpoint) against users",
                                      subtitle: "\(means); the endpoint whose p99 differs most between the variants",
                                      y: Axis("\(endpoint) p99", scale: .log10, format: .milliseconds), lines: []) { c in
                    m.endpointP99(endpoint, c.configuration, c.variant, c.users) ?? .nan
                })
            }
        }
        return out
    }

    /// Lines drawn together: all of them, or past `maxLines` one group per configuration.
    public struct LineGroup: Sendable {
        public var suffix: String
        public var configuration: String?
        public var lines: [ExperimentMetrics.Line]
    }

    public static func groups(_ m: ExperimentMetrics) -> [LineGroup] {
        let lines = m.lines
        if lines.count <= maxLines || m.summary.configurations.count == 1 {
            return [LineGroup(suffix: "", configuration: nil, lines: lines)]
        }
        return m.summary.configurations.map { c in LineGroup(suffix: "-\(c)", configuration: c, lines: lines.filter { $0.configuration == c }) }
    }

    /// A figure of every cell against users, a line per configuration and variant.
    static func usersChart(_ m: ExperimentMetrics, _ g: LineGroup, name: String, title: String, subtitle: String, y: Axis,
                           lines: [ReferenceLine], value: (CellSummary) -> Double) -> ChartFile {
        let series = g.lines.map { l in
            Series(g.configuration == nil ? m.name(l) : l.variant,
                   points: m.userCounts.map { u in (Double(u), m.cell(l.configuration, l.variant, u).map(value) ?? .nan) },
                   slot: slot(m, l, grouped: g.configuration != nil))
        }
        let fullTitle = "\(m.summary.experiment): \(title)" + (g.configuration.map { ", \($0)" } ?? "")
        let chart = LineChart(title: fullTitle, subtitle: subtitle, x: .users("users (log scale)"), y: y, series: series,
                              horizontalLines: lines)
        return ChartFile(name: name + g.suffix, title: fullTitle, svg: chart.svg())
    }

    /// The palette slot of a line: its place among all lines, or among the variants when the
    /// charts are per configuration (so a variant keeps its colour from chart to chart).
    static func slot(_ m: ExperimentMetrics, _ l: ExperimentMetrics.Line, grouped: Bool) -> Int {
        if grouped { return m.summary.variants.firstIndex(of: l.variant) ?? 0 }
        return m.lines.firstIndex(of: l) ?? 0
    }

    /// The gauges of a line, with their value at each user count (nan: not measured).
    public static func gauges(_ m: ExperimentMetrics, configuration c: String, variant v: String) -> [(gauge: ComponentGauge, values: [Double])] {
        var result: [(ComponentGauge, [Double])] = []
        for name in m.componentNames(c, v) {
            guard let kind = m.userCounts.lazy.compactMap({ m.component(name, c, v, $0)?.kind }).first else { continue }
            for gauge in ComponentGauge.gauges(for: name, kind: kind) {
                result.append((gauge, m.userCounts.map { u in m.component(name, c, v, u).flatMap(gauge.value) ?? .nan }))
            }
        }
        return result
    }

    /// The gauges closest to capacity at any user count, highest first.
    public static func leadingGauges(_ m: ExperimentMetrics, configuration c: String, variant v: String, count: Int = 4)
        -> [(gauge: ComponentGauge, values: [Double])] {
        let all = gauges(m, configuration: c, variant: v)
        func peak(_ values: [Double]) -> Double { values.filter(\.isFinite).max() ?? 0 }
        let order = all.indices.sorted { peak(all[$0].values) > peak(all[$1].values) || (peak(all[$0].values) == peak(all[$1].values) && $0 < $1) }
        let top = order.prefix(count).map { all[$0] }
        // Near-idle gauges are left out, unless everything is near idle (then the chart says so).
        let busy = top.filter { peak($0.values) >= 0.005 }
        return busy.isEmpty ? Array(top.prefix(1)) : busy
    }

    static func utilizationChart(_ m: ExperimentMetrics, configuration c: String, variant v: String) -> ChartFile? {
        let leading = leadingGauges(m, configuration: c, variant: v)
        guard !leading.isEmpty else { return nil }
        let x = m.userCounts.map(Double.init)
        let series = leading.map { Series($0.gauge.label, x: x, y: $0.values) }
        let title = "\(m.summary.experiment): utilization of the leading components, \(c)" + (m.hasVariants ? " / \(v)" : "")
        let (axis, note) = utilizationAxis(leading.map { ($0.gauge.label, $0.values) }, m)
        let chart = LineChart(title: title, subtitle: "the \(leading.count) closest to capacity at any user count; capacity is sized anew at each count by the scaling rules" + note,
                              x: .users("users (log scale)"), y: axis, series: series, horizontalLines: [ReferenceLine(0.85, label: "85%")])
        return ChartFile(name: "utilization-\(c)", title: title, svg: chart.svg())
    }

    /// The gauge closest to capacity in any variant of a configuration, a line per variant.
    static func gaugeByVariantChart(_ m: ExperimentMetrics, configuration c: String) -> ChartFile? {
        let variants = m.summary.variants.filter { v in m.summary.cells.contains { $0.configuration == c && $0.variant == v } }
        guard variants.count > 1 else { return nil }
        var best: (gauge: ComponentGauge, peak: Double)?
        for v in variants {
            for g in leadingGauges(m, configuration: c, variant: v, count: 1) {
                let peak = g.values.filter(\.isFinite).max() ?? 0
                if best == nil || peak > best!.peak { best = (g.gauge, peak) }
            }
        }
        guard let gauge = best?.gauge else { return nil }
        let x = m.userCounts.map(Double.init)
        let series = variants.map { v in
            Series(v, x: x, y: m.userCounts.map { u in m.component(gauge.component, c, v, u).flatMap(gauge.value) ?? .nan },
                   slot: m.summary.variants.firstIndex(of: v))
        }
        let title = "\(m.summary.experiment): \(gauge.label) by variant, \(c)"
        let (axis, note) = utilizationAxis(series.map { ($0.name, $0.points.map(\.y)) }, m)
        let chart = LineChart(title: title, subtitle: "the component closest to capacity in any variant; 85%: saturated" + note,
                              x: .users("users (log scale)"), y: axis, series: series, horizontalLines: [ReferenceLine(0.85, label: "85%")])
        return ChartFile(name: "utilization-\(c)-by-variant", title: title, svg: chart.svg())
    }

    /// The utilization axis: 0 to 120% when a gauge goes past that (a provider's calls can exceed
    /// its rate limit many times over), with a note of what is off the chart.
    static func utilizationAxis(_ lines: [(name: String, values: [Double])], _ m: ExperimentMetrics) -> (Axis, String) {
        let cap = 1.2
        var off: [String] = []
        for l in lines {
            guard let i = l.values.indices.filter({ l.values[$0].isFinite }).max(by: { l.values[$0] < l.values[$1] }), l.values[i] > cap else { continue }
            off.append("\(l.name) \(Format.percent(l.values[i], 0)) at \(Format.users(m.userCounts[i]))")
        }
        guard !off.isEmpty else { return (Axis("utilization (share of capacity)", format: .percent), "") }
        return (Axis("utilization (share of capacity)", format: .percent, range: 0...cap), "; off the chart: " + off.joined(separator: ", "))
    }

    /// The endpoint whose p99 differs most between the variants of a cell (by ratio, at least
    /// 1.2x and 5 ms), among those with at least 0.5% of all requests.
    public static func endpointDifferingMost(_ m: ExperimentMetrics) -> String? {
        var best: (name: String, ratio: Double)?
        let total = Double(max(1, m.results.runs.reduce(0) { $0 + $1.run.requests }))
        for e in m.endpointNames {
            let requests = m.results.runs.reduce(0) { sum, r in sum + (r.endpoints.first { $0.endpoint == e }?.requests ?? 0) }
            guard Double(requests) >= 0.005 * total else { continue }
            var ratio = 1.0
            for c in m.summary.configurations {
                for u in m.userCounts {
                    let values = m.summary.variants.compactMap { m.endpointP99(e, c, $0, u) }.filter { $0 > 0 }
                    guard values.count > 1, let lo = values.min(), let hi = values.max(), hi - lo >= 5 else { continue }
                    ratio = max(ratio, hi / lo)
                }
            }
            if ratio >= 1.2 && (best == nil || ratio > best!.ratio) { best = (e, ratio) }
        }
        return best?.name
    }
}

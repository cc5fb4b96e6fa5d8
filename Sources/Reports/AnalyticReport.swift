import Analysis
import PlatformModel
import Formatting

/// The analytic figures, alone or beside the simulation's.
public enum AnalyticReport {
    public static func stations(_ stations: [AnalyticStation], markdown: Bool) -> String {
        var t = TextTable(["station", "kind", "members", "servers each", "arrivals/s each", "mean service ms", "utilization", "mean wait ms", "mean queue"])
        for s in stations {
            t.add([s.name, s.kind, String(s.count), s.servers == 0 ? "inf" : String(s.servers), Format.number(s.arrivalRate),
                   Format.number(s.meanServiceMs), Format.percent(s.utilization), s.meanWaitMs.isFinite ? Format.number(s.meanWaitMs) : "unstable",
                   s.meanQueue.isFinite ? Format.number(s.meanQueue) : "unstable"])
        }
        return markdown ? t.markdown() : t.plain()
    }

    public static func comparison(_ rows: [AnalyticModel.Comparison], markdown: Bool) -> String {
        var t = TextTable(["station", "utilization sim", "analytic", "mean wait ms sim", "analytic", "difference", "flag", "likely reason"],
                          alignments: [.left, .right, .right, .right, .right, .right, .left, .left])
        for c in rows {
            t.add([c.name, Format.percent(c.simulatedUtilization), Format.percent(c.analyticUtilization), Format.number(c.simulatedWaitMs),
                   c.analyticWaitMs.isFinite ? Format.number(c.analyticWaitMs) : "unstable", Format.percent(c.difference, 0),
                   c.flagged ? "> 10%" : "", c.likelyReason])
        }
        return markdown ? t.markdown() : t.plain()
    }
}

/// The thresholds every judgement of a run uses, in one place: the diagnosis, the SLO
/// verdicts, sizing, the tables and the notebooks read them from here.
public enum DiagnosisRules {
    /// Busy share at which a component counts as saturated: past it, queueing delay grows
    /// steeply (an M/M/1 wait is 5.7 service times at 85%, 19 at 95%), so capacity rules and
    /// headroom stop here rather than at 100%.
    public static let saturation = 0.85
    /// A hard limit binds when its errors reach this share of requests (one in a thousand);
    /// below it a few errors in a long window do not make it the bottleneck on their own.
    public static let bindingErrorShare = 0.001
    /// A kind of error explains a failing cell when it is at least this share of the cell's
    /// errors (a notebook writes a paragraph for it).
    public static let explainingErrorShare = 0.2
    /// A kind of error is worth naming in a breakdown when it is at least this share of errors.
    public static let notableErrorShare = 0.1
    /// The tail endpoint must carry at least this share of requests to set the overall p99.
    public static let tailEndpointMinimumShare = 0.01
    /// A component more than half busy is worth growing when a sizing run fails.
    public static let growableUtilization = 0.5
}

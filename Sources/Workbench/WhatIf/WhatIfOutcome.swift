import Analysis
import PlatformModel

/// What a what-if found: every run of both sides in replication order (the same seeds on both
/// sides, so run `i` of one pairs with run `i` of the other) and the figures a page shows.
struct WhatIfOutcome: Sendable {
    var baseline: [DiagnosedRun]
    var whatIf: [DiagnosedRun]
    /// Whether the baseline's runs came from an earlier what-if with the same baseline.
    var reusedBaseline: Bool

    /// The what-if minus the baseline, paired run by run (common random numbers), with the
    /// 95% half-width of the mean difference (infinite with one pair).
    func difference(_ f: (DiagnosedRun) -> Double) -> Estimate {
        Estimate.pairedDifference(whatIf.map(f), baseline.map(f))
    }

    /// The mean of a figure over one side's runs, with its 95% half-width.
    static func estimate(_ runs: [DiagnosedRun], _ f: (DiagnosedRun) -> Double) -> Estimate { Estimate(runs.map(f)) }

    /// The bottleneck most runs of a side named, with the reason its first such run gives.
    static func usualBottleneck(_ runs: [DiagnosedRun]) -> (bottleneck: Cause, runs: Int)? {
        var counts: [String: Int] = [:]
        for r in runs { counts[r.diagnosis.bottleneck.component, default: 0] += 1 }
        guard let top = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }),
              let first = runs.map(\.diagnosis.bottleneck).first(where: { $0.component == top.key }) else { return nil }
        return (first, top.value)
    }
}

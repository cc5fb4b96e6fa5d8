import Analysis
import PlatformModel

/// What a what-if found: every run of both sides in replication order (the same seeds on both
/// sides, so run `i` of one pairs with run `i` of the other) and the figures a page shows.
struct WhatIfOutcome: Sendable {
    var baseline: [DiagnosedRun]
    var whatIf: [DiagnosedRun]
    /// Whether the baseline's runs came from an earlier what-if with the same baseline.
    var reusedBaseline: Bool

    /// The two sides figure by figure, with paired differences (``RunComparison``: the same
    /// comparison as `platform-sim compare`).
    var comparison: RunComparison { RunComparison(baseline: baseline, other: whatIf) }
}

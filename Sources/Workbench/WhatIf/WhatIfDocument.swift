import Analysis
import ModelSchema
import PlatformModel
import ResultsStore

/// A finished what-if as the outside sees it: the JSON download (every run of both sides and
/// what made them) and the rows saved into the results database.
struct WhatIfDocument: Encodable {
    var configuration: String
    var users: Int
    var overrides: [String]
    var seed: UInt64
    var replications: Int
    var warmUpSeconds: Double
    var durationSeconds: Double
    var startHour: Double?
    var slo: String
    var baselineProvenance: ModelProvenance
    var whatIfProvenance: ModelProvenance
    var baseline: [DiagnosedRun]
    var whatIf: [DiagnosedRun]
    var version: String

    init(job: WhatIfJob, outcome: WhatIfOutcome, version: String) {
        let p = job.prepared, s = p.specification
        configuration = s.configuration; users = s.users; overrides = s.overrides; seed = s.seed
        replications = s.replications; warmUpSeconds = s.warmUpS; durationSeconds = s.durationS; startHour = s.startHour
        slo = s.sloText; baselineProvenance = p.baseline.provenance; whatIfProvenance = p.whatIf.provenance
        // Wall times zeroed: the document then depends on the inputs and seed only.
        func zeroed(_ runs: [DiagnosedRun]) -> [DiagnosedRun] { runs.map { var r = $0; r.result.wallSeconds = 0; return r } }
        baseline = zeroed(outcome.baseline); whatIf = zeroed(outcome.whatIf)
        self.version = version
    }

    /// 1 to 64 letters, digits, `.`, `_` or `-`, not starting with `.`: a name that is safe in
    /// a URL and a file name.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "._-".unicodeScalars.contains($0) }
    }

    static let variants = ["baseline", "what-if"]

    /// The experiment row: one configuration and user count, two variants.
    static func experiment(name: String, job: WhatIfJob) -> ExperimentRecord {
        let p = job.prepared, s = p.specification
        let change = s.overrides.isEmpty ? "nothing changed" : s.overrides.joined(separator: ", ")
        return ExperimentRecord(
            name: name,
            question: "What if \(change) in \(s.configuration) at \(s.users) users? (a what-if saved from platform-sim serve)",
            experimentFile: "platform-sim serve", experimentSHA256: p.whatIf.provenance.modelHash,
            modelFile: p.baseline.provenance.baseFile, pricingFile: nil, configurations: [s.configuration], variants: variants,
            users: [s.users], sloP99Ms: s.slo.p99Ms, sloErrorRate: s.slo.errorRate,
            sloCountsIntended429s: s.slo.countsIntendedRateLimits, warmUpS: s.warmUpS, durationS: s.durationS,
            startHour: s.startHour)
    }

    /// Every run of both sides, each with what made it.
    static func storedRuns(experiment: String, job: WhatIfJob, outcome: WhatIfOutcome, version: String) -> [StoredRun] {
        let p = job.prepared, s = p.specification
        var out: [StoredRun] = []
        for (variant, side, runs) in [(variants[0], p.baseline, outcome.baseline), (variants[1], p.whatIf, outcome.whatIf)] {
            let provenance = RunProvenance(modelFile: side.provenance.baseFile, modelSHA256: side.provenance.modelHash,
                                           pricingFile: side.provenance.pricingFile, pricingSHA256: side.provenance.pricingHash,
                                           overrides: side.provenance.overrides, programVersion: version)
            for (r, result) in runs.enumerated() {
                let key = RunKey(experiment: experiment, configuration: s.configuration, variant: variant, users: s.users,
                                 seed: Int(clamping: s.seed), replication: r)
                out.append(StoredRun(key: key, run: result, provenance: provenance))
            }
        }
        return out
    }
}

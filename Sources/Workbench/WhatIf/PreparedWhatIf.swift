import Analysis
import Foundation
import ModelFiles
import ModelSchema
import PlatformModel

/// A what-if ready to simulate: the baseline and the changed model loaded and validated by the
/// same loader as the command line, each sized by its scaling rules, and the analytic answer
/// for both (queueing formulas, available before any simulation).
struct PreparedWhatIf: Sendable {
    var specification: WhatIfSpecification
    var baseline: Side
    var whatIf: Side

    struct Side: Sendable {
        var model: PlatformModel
        var provenance: ModelProvenance
        var plan: CapacityPlan
        var stations: [AnalyticStation]
    }

    /// The settings of replication `r` (the same for both sides: common random numbers).
    func settings(replication r: Int) -> RunSettings {
        let s = specification
        return RunSettings(seed: s.seed, replication: r, startHour: s.startHour, warmUp: s.warmUpS, duration: s.durationS)
    }

    /// Whether the what-if changes nothing (then its runs are the baseline's).
    var changesNothing: Bool { baseline.provenance.modelHash == whatIf.provenance.modelHash && specification.overrides.isEmpty }

    /// Loads both sides; the what-if's model errors come back as field errors, each the line
    /// `platform-sim run --set ...` would print.
    static func prepare(_ spec: WhatIfSpecification, modelPath: String) -> Result<PreparedWhatIf, WhatIfErrors> {
        func side(_ overrides: [String]) throws(ModelErrors) -> Side {
            let (model, provenance) = try PlatformModelFile.load(modelPath, configuration: spec.configuration, overrides: overrides, users: spec.users)
            let settings = RunSettings(seed: spec.seed, replication: 0, startHour: spec.startHour, warmUp: spec.warmUpS, duration: spec.durationS)
            let (load, plan) = PlatformRun.plan(model: model, settings: settings)
            return Side(model: model, provenance: provenance, plan: plan,
                        stations: AnalyticModel.stations(model: model, plan: plan, load: load))
        }
        let baseline: Side
        do { baseline = try side([]) } catch { return .failure(WhatIfErrors(fieldErrors(error))) }
        do {
            let whatIf = spec.overrides.isEmpty ? baseline : try side(spec.overrides)
            return .success(PreparedWhatIf(specification: spec, baseline: baseline, whatIf: whatIf))
        } catch {
            return .failure(WhatIfErrors(fieldErrors(error)))
        }
    }

    /// A model error's line as `platform-sim` prints it: as it is when it starts with a file
    /// location (`Models/platform.yaml:12:3: error: ...`), else after `error: ` (an override's
    /// error, `--set KEY=VALUE: error: ...`, whose label is no file name). The same rule as the
    /// command line's `CommandLineErrors.errorLine`.
    static func commandLine(_ line: String) -> String {
        let parts = line.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        if parts.count >= 2, let file = parts.first, !file.isEmpty, !file.contains(" ") {
            if parts[1] == " error" { return line }
            if parts.count >= 3, !parts[1].isEmpty, parts[1].allSatisfy(\.isNumber) { return line }
        }
        return "error: " + line
    }

    /// Each model error as a field error: an override's error belongs to the field of its key,
    /// an unknown configuration to the configuration field, anything else to the whole form.
    static func fieldErrors(_ errors: ModelErrors) -> [FieldError] {
        errors.errors.map { e in
            var field: String?
            if let file = e.location?.file, file.hasPrefix("--set ") {
                let text = file.dropFirst("--set ".count)
                field = text.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) }
            } else if e.message.hasPrefix("unknown configuration") {
                field = "configuration"
            }
            return FieldError(field: field, line: commandLine(e.description))
        }
    }
}

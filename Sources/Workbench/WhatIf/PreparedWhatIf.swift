import Analysis
import Formatting
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
    /// A what-if whose estimated work exceeds `limits` is refused here, before it queues.
    static func prepare(_ spec: WhatIfSpecification, modelPath: String, limits: WorkbenchLimits = WorkbenchLimits(),
                        threads: Int = 1) -> Result<PreparedWhatIf, WhatIfErrors> {
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
            let prepared = PreparedWhatIf(specification: spec, baseline: baseline, whatIf: whatIf)
            if let refusal = prepared.workRefusal(limits: limits, threads: threads) { return .failure(WhatIfErrors([refusal])) }
            return .success(prepared)
        } catch {
            return .failure(WhatIfErrors(fieldErrors(error)))
        }
    }

    /// The refusal of a what-if that would take more than the limits allow (the events of
    /// both sides' replications, the memory of the runs at once), as the command line words it;
    /// nil when it is within them.
    func workRefusal(limits: WorkbenchLimits, threads: Int) -> FieldError? {
        var events = 0.0, memory = 0.0
        let sides = changesNothing ? [baseline] : [baseline, whatIf]
        for side in sides {
            for r in 0..<specification.replications {
                let settings = settings(replication: r)
                let estimate = WorkEstimate(model: side.model, settings: settings, load: PlatformRun.plan(model: side.model, settings: settings).0, plan: side.plan)
                events += estimate.events
                memory = Swift.max(memory, estimate.memoryBytes)
            }
        }
        let atOnce = Swift.max(1, Swift.min(threads, sides.count * specification.replications))
        memory *= Double(atOnce)
        let machine = Double(ProcessInfo.processInfo.physicalMemory) * 0.8
        let what = "this what-if (\(sides.count * specification.replications) runs) " + WorkEstimate.describe(events: events, memoryBytes: memory, cores: atOnce)
        if events > limits.maxEvents {
            return FieldError(field: nil, line: "error: \(what); that is more than the workbench's maxEvents \(WorkEstimate.count(limits.maxEvents)) "
                + "(serve --limits FILE): simulate fewer users, a shorter window, fewer replications or lighter traffic")
        }
        if memory > machine {
            return FieldError(field: nil, line: "error: \(what); that is more than 80% of this machine's memory (\(WorkEstimate.bytes(machine))): "
                + "simulate fewer users or fewer replications")
        }
        return nil
    }

    /// A model error's line as `platform-sim` prints it (``ErrorLine/commandLine(_:)``, the
    /// command line's own rule).
    static func commandLine(_ line: String) -> String { ErrorLine.commandLine(line) }

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

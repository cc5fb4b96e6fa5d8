import Foundation
import ModelFiles
import ModelSchema
import PlatformModel
import ResultsStore

/// One cell of an experiment's grid, ready to run: its key, the loaded model (users set), the
/// window and what made it.
public struct SweepCell: Sendable {
    public var key: RunKey
    public var model: PlatformModel
    public var settings: RunSettings
    public var provenance: RunProvenance

    /// Relative work, for ordering and the time-left estimate: simulated requests grow with
    /// users and the window; a run also has a fixed cost of setting up.
    public var weight: Double {
        Double(key.users) * (settings.warmUp + settings.duration) / 3600 + 2_000
    }
}

/// An experiment turned into cells, every model loaded and checked before anything runs or is
/// written.
public struct SweepPlan: Sendable {
    public var experiment: Experiment
    /// In key order (configuration, variant and users in the file's order, then seed and replication).
    public var cells: [SweepCell]

    /// Loads every (configuration, overrides) model the grid needs, once each. A model error
    /// about an override from the experiment file points at the line that wrote it.
    public static func prepare(_ e: Experiment, programVersion: String) throws(ModelErrors) -> SweepPlan {
        var loaded: [String: (PlatformModel, ModelProvenance)] = [:]
        var cells: [SweepCell] = []
        let settingsBase = RunSettings(seed: 0, replication: 0, startHour: e.window.startHour,
                                       warmUp: e.window.warmUpS, duration: e.window.durationS)
        for configuration in e.configurations {
            for variant in e.variants {
                for users in e.users {
                    let overrides = e.overrides(configuration: configuration, users: users, variant: variant.name)
                    let cacheKey = ([configuration] + overrides).joined(separator: "\n")
                    let (base, provenance): (PlatformModel, ModelProvenance)
                    if let hit = loaded[cacheKey] {
                        (base, provenance) = hit
                    } else {
                        do {
                            (base, provenance) = try PlatformModelFile.load(e.modelPath, configuration: configuration,
                                                                             overrides: overrides, pricing: e.pricingPath,
                                                                             extraOverlays: e.overlayPaths)
                        } catch {
                            throw relocated(error, e)
                        }
                        loaded[cacheKey] = (base, provenance)
                    }
                    var model = base
                    model.traffic.users = users
                    let runProvenance = RunProvenance(
                        modelFile: e.model, modelSHA256: provenance.modelHash, pricingFile: e.pricing ?? relativePricing(provenance, e),
                        pricingSHA256: provenance.pricingHash, overrides: overrides, programVersion: programVersion)
                    for (n, s) in e.seeds.enumerated() {
                        var model = model
                        var runProvenance = runProvenance
                        if e.parameterUncertainty {
                            // The n-th seed or replication runs joint draw n of the measured parameters.
                            let drawn = try drawnModel(e, configuration: configuration, overrides: overrides, users: users, draw: n)
                            model = drawn.model
                            runProvenance.overrides = overrides + drawn.draw
                            runProvenance.modelSHA256 = drawn.provenance.modelHash
                        }
                        var settings = settingsBase
                        settings.seed = UInt64(s.seed)
                        settings.replication = s.replication
                        let key = RunKey(experiment: e.name, configuration: configuration, variant: variant.name,
                                         users: users, seed: s.seed, replication: s.replication)
                        cells.append(SweepCell(key: key, model: model, settings: settings, provenance: runProvenance))
                    }
                }
            }
        }
        return SweepPlan(experiment: e, cells: cells)
    }

    /// The model of one cell with its measured parameters set to joint draw `n`.
    static func drawnModel(_ e: Experiment, configuration: String, overrides: [String], users: Int, draw n: Int)
        throws(ModelErrors) -> (model: PlatformModel, provenance: ModelProvenance, draw: [String]) {
        do {
            let draw = try PlatformModelFile.parameterDraw(n, base: e.modelPath, configuration: configuration, overrides: overrides,
                                                           extraOverlays: e.overlayPaths)
            let (model, provenance) = try PlatformModelFile.load(e.modelPath, configuration: configuration, overrides: overrides + draw,
                                                                 users: users, pricing: e.pricingPath, extraOverlays: e.overlayPaths)
            return (model, provenance, draw)
        } catch {
            throw relocated(error, e)
        }
    }

    /// The pricing file the model names, written relative to the model's folder as the experiment
    /// writes the model (`Models/pricing/railway.yaml`), so stored rows do not depend on where
    /// the project was checked out.
    static func relativePricing(_ p: ModelProvenance, _ e: Experiment) -> String {
        let modelFolder = (e.modelPath as NSString).deletingLastPathComponent
        let writtenFolder = (e.model as NSString).deletingLastPathComponent
        guard p.pricingFile.hasPrefix(modelFolder + "/") else { return p.pricingFile }
        let rest = String(p.pricingFile.dropFirst(modelFolder.count + 1))
        return writtenFolder.isEmpty ? rest : writtenFolder + "/" + rest
    }

    /// Errors about `--set TEXT` moved to where the experiment file wrote TEXT.
    static func relocated(_ errors: ModelErrors, _ e: Experiment) -> ModelErrors {
        ModelErrors(errors.errors.map { error in
            guard let file = error.location?.file, file.hasPrefix("--set ") else { return error }
            let text = String(file.dropFirst("--set ".count))
            guard let at = e.overrideLocations[text] else { return error }
            return ModelError("\(error.message) (in '\(text)')", at: at)
        })
    }

    /// The `experiments` row for this plan.
    public var record: ExperimentRecord {
        let e = experiment
        return ExperimentRecord(
            name: e.name, question: e.question, experimentFile: e.file, experimentSHA256: e.fileHash, modelFile: e.model,
            pricingFile: e.pricing, configurations: e.configurations, variants: e.variants.map(\.name), users: e.users,
            sloP99Ms: e.slo.p99Ms, sloErrorRate: e.slo.errorRate, sloCountsIntended429s: e.slo.countsIntended429s, warmUpS: e.window.warmUpS, durationS: e.window.durationS,
            startHour: e.window.startHour)
    }
}

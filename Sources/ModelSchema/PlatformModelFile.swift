import Foundation
import ModelFiles
import PlatformModel
import SimulationEngine

/// What made a model: the files read, the overrides, and a hash of their exact bytes.
public struct ModelProvenance: Sendable, Codable, Equatable {
    public var baseFile: String
    public var configuration: String
    public var files: [String]
    public var overrides: [String]
    public var pricingFile: String
    /// SHA-256 of the model files and overrides, then of the pricing file.
    public var modelHash: String
    public var pricingHash: String
}

/// Loads `Models/platform.yaml` (or any base file) with the overlays of one configuration,
/// command-line overrides and a pricing catalog, into a validated ``PlatformModel``.
public enum PlatformModelFile {
    /// The configurations the base file declares, in file order, with their overlay files
    /// (paths relative to the base file's folder, resolved here).
    public static func configurations(in basePath: String) throws(ModelErrors) -> [(name: String, overlays: [String])] {
        let document = try ModelDocument.load(base: basePath)
        guard let entry = document.root.entries?.first(where: { $0.key == "configurations" }) else {
            throw ModelErrors([ModelError("missing required key 'configurations' (the configurations this model defines)", at: document.root.location)])
        }
        guard let items = entry.value.entries, !items.isEmpty else {
            throw ModelErrors([ModelError("configurations: expected a mapping of configuration names to overlay lists", at: entry.value.location)])
        }
        let folder = (basePath as NSString).deletingLastPathComponent
        var result: [(String, [String])] = []
        for item in items {
            guard case .list(let files) = item.value.content else {
                throw ModelErrors([ModelError("configurations.\(item.key): expected a list of overlay files", at: item.value.location)])
            }
            var paths: [String] = []
            for f in files {
                guard case .scalar(let text, _) = f.content, !f.isNull else {
                    throw ModelErrors([ModelError("configurations.\(item.key): expected a file name", at: f.location)])
                }
                paths.append(folder.isEmpty ? text : (folder as NSString).appendingPathComponent(text))
            }
            result.append((item.key, paths))
        }
        return result
    }

    /// The pricing file the base model names (resolved against the base file's folder).
    public static func pricingFile(in basePath: String) throws(ModelErrors) -> String { try defaultPricing(in: basePath) }

    /// The pricing file the base model names (resolved against the base file's folder).
    static func defaultPricing(in basePath: String) throws(ModelErrors) -> String {
        let document = try ModelDocument.load(base: basePath)
        guard let entry = document.root.entries?.first(where: { $0.key == "pricing" }),
              case .scalar(let text, _) = entry.value.content, !entry.value.isNull else {
            throw ModelErrors([ModelError("missing required key 'pricing' (the pricing catalog file)", at: document.root.location)])
        }
        let folder = (basePath as NSString).deletingLastPathComponent
        return folder.isEmpty ? text : (folder as NSString).appendingPathComponent(text)
    }

    /// Loads and validates one configuration.
    /// - Parameters:
    ///   - overrides: `KEY.PATH=VALUE` texts from `--set`, applied after the overlays.
    ///   - users: replaces `traffic.users` when given.
    ///   - pricing: a pricing file instead of the one the model names.
    public static func load(_ basePath: String, configuration: String, overrides: [String] = [], users: Int? = nil,
                            pricing: String? = nil, extraOverlays: [String] = []) throws(ModelErrors) -> (PlatformModel, ModelProvenance) {
        let loaded = try loadWithCalibration(basePath, configuration: configuration, overrides: overrides, users: users,
                                             pricing: pricing, extraOverlays: extraOverlays)
        return (loaded.model, loaded.provenance)
    }

    /// Mappings that overlays may add entries to: the measured parameters a calibration writes.
    static let openPaths = ["calibration.measured"]

    /// ``load(_:configuration:overrides:users:pricing:extraOverlays:)`` with the model's
    /// `calibration:` section (route table, statement patterns, measured parameters).
    public static func loadWithCalibration(_ basePath: String, configuration: String, overrides: [String] = [], users: Int? = nil,
                                           pricing: String? = nil, extraOverlays: [String] = [])
        throws(ModelErrors) -> (model: PlatformModel, provenance: ModelProvenance, calibration: CalibrationSection) {
        let configs = try configurations(in: basePath)
        guard let config = configs.first(where: { $0.name == configuration }) else {
            let names = configs.map(\.name).joined(separator: ", ")
            throw ModelErrors([ModelError("unknown configuration '\(configuration)' (the model defines: \(names))", at: ModelLocation(file: basePath))])
        }
        let overlays = config.overlays + extraOverlays
        let document = try ModelDocument.load(base: basePath, overlays: overlays, overrides: overrides, openPaths: openPaths)
        let pricingPath: String
        if let pricing { pricingPath = pricing } else { pricingPath = try defaultPricing(in: basePath) }
        let pricingDocument = try ModelDocument.load(base: pricingPath)
        let pricingModel = try pricingDocument.validate { root in try PricingReader.read(root) }
        var (model, calibration) = try document.validate { root -> (PlatformModel, CalibrationSection)? in
            guard let model = try PlatformReader(configuration: configuration).read(root, pricing: pricingModel) else { return nil }
            let section = try CalibrationReader().read(root, endpoints: model.endpoints.map(\.name), queries: model.database.queries.map(\.name))
            return (model, section)
        }
        if let users {
            guard users >= 1 else { throw ModelErrors([ModelError("--users must be at least 1, got \(users)", at: nil)]) }
            model.traffic.users = users
        }
        let provenance = ModelProvenance(baseFile: basePath, configuration: configuration, files: document.sources,
                                         overrides: overrides, pricingFile: pricingPath,
                                         modelHash: document.sourceHash, pricingHash: pricingDocument.sourceHash)
        return (model, provenance, calibration)
    }
}

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
    /// Top-level keys of the base model file that overlays and `--set` may not change: the
    /// loader reads them from the base file alone, so a change elsewhere would be ignored.
    static let baseOnlyKeys: [String: String] = [
        "name": "",
        "description": "",
        "configurations": "the base file lists every configuration and its overlays",
        "pricing": "pass --pricing FILE for another catalog",
    ]

    /// The configurations the base file declares, in file order, with their overlay files.
    ///
    /// Overlay paths are relative to the base file's folder, as are absolute ones inside it;
    /// every overlay must be a `.yaml` or `.yml` file inside that folder (symbolic links
    /// resolved), so that a model file cannot make the program read `../.env` or `/etc/shadow`
    /// (a path given on the command line, `--overlay`, may be anywhere). Configuration names
    /// follow ``NameRule``.
    public static func configurations(in basePath: String) throws(ModelErrors) -> [(name: String, overlays: [String])] {
        let document = try ModelDocument.load(base: basePath)
        guard let entry = document.root.entries?.first(where: { $0.key == "configurations" }) else {
            throw ModelErrors([ModelError("missing required key 'configurations' (the configurations this model defines)", at: document.root.location)])
        }
        guard let items = entry.value.entries, !items.isEmpty else {
            throw ModelErrors([ModelError("configurations: expected a mapping of configuration names to overlay lists", at: entry.value.location)])
        }
        var errors: [ModelError] = []
        var result: [(String, [String])] = []
        for item in items {
            if let problem = NameRule.problem(with: item.key) {
                errors.append(ModelError("configuration name '\(NameRule.shown(item.key))' \(problem)", at: item.keyLocation))
                continue
            }
            guard case .list(let files) = item.value.content else {
                errors.append(ModelError("configurations.\(item.key): expected a list of overlay files", at: item.value.location))
                continue
            }
            var paths: [String] = []
            for f in files {
                guard case .scalar(let text, _) = f.content, !f.isNull else {
                    errors.append(ModelError("configurations.\(item.key): expected a file name", at: f.location))
                    continue
                }
                do {
                    paths.append(try ModelPath.resolve(text, besideModel: basePath, key: "configurations.\(item.key)", at: f.location))
                } catch {
                    errors.append(error)
                }
            }
            result.append((item.key, paths))
        }
        guard errors.isEmpty else { throw ModelErrors(errors) }
        return result
    }

    /// The pricing file the base model names (resolved against the base file's folder).
    public static func pricingFile(in basePath: String) throws(ModelErrors) -> String { try defaultPricing(in: basePath) }

    /// The pricing file the base model names, under the base file's folder like the overlays.
    static func defaultPricing(in basePath: String) throws(ModelErrors) -> String {
        let document = try ModelDocument.load(base: basePath)
        guard let entry = document.root.entries?.first(where: { $0.key == "pricing" }),
              case .scalar(let text, _) = entry.value.content, !entry.value.isNull else {
            throw ModelErrors([ModelError("missing required key 'pricing' (the pricing catalog file)", at: document.root.location)])
        }
        do {
            return try ModelPath.resolve(text, besideModel: basePath, key: "pricing", at: entry.value.location)
        } catch {
            throw ModelErrors([error])
        }
    }

    /// One configuration's files merged (base, its overlays, `extraOverlays`, then the
    /// overrides), not yet validated: what `model show` prints, every value with where it was set.
    public static func merged(_ basePath: String, configuration: String, overrides: [String] = [],
                              extraOverlays: [String] = []) throws(ModelErrors) -> ModelDocument {
        let configs = try configurations(in: basePath)
        guard let config = configs.first(where: { $0.name == configuration }) else {
            let names = configs.map(\.name).joined(separator: ", ")
            throw ModelErrors([ModelError("unknown configuration '\(configuration)' (the model defines: \(names))", at: ModelLocation(file: basePath))])
        }
        return try ModelDocument.load(base: basePath, overlays: config.overlays + extraOverlays, overrides: overrides,
                                      openPaths: openPaths, baseOnly: baseOnlyKeys)
    }

    /// What each value of a merged platform model accepts, by key path, in words (the schema's
    /// constraints with their reasons): what `model keys` lists.
    public static func acceptedValues(_ document: ModelDocument, configuration: String) -> [String: String] {
        document.acceptedValues { root -> PlatformModel? in
            guard let model = try PlatformReader(configuration: configuration).read(root, pricing: PricingReader.standIn) else { return nil }
            _ = try CalibrationReader().read(root, endpoints: model.endpoints.map(\.name), queries: model.database.queries.map(\.name))
            return model
        }
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
        let pricingPath: String
        if let pricing { pricingPath = pricing } else { pricingPath = try defaultPricing(in: basePath) }
        // The model and the pricing catalog are checked together, so that one pass reports the
        // problems of both; a model read against a broken catalog uses a stand-in for it.
        var errors: [ModelError] = []
        var pricingModel: PricingModel?
        var pricingHash = ""
        do {
            let pricingDocument = try ModelDocument.load(base: pricingPath)
            pricingHash = pricingDocument.sourceHash
            pricingModel = try pricingDocument.validate { root in try PricingReader.read(root) }
        } catch {
            errors += error.errors
        }
        var document: ModelDocument?
        var read: (PlatformModel, CalibrationSection)?
        do {
            let loaded = try ModelDocument.load(base: basePath, overlays: overlays, overrides: overrides, openPaths: openPaths, baseOnly: baseOnlyKeys)
            document = loaded
            read = try loaded.validate { root -> (PlatformModel, CalibrationSection)? in
                guard let model = try PlatformReader(configuration: configuration).read(root, pricing: pricingModel ?? PricingReader.standIn) else { return nil }
                let section = try CalibrationReader().read(root, endpoints: model.endpoints.map(\.name), queries: model.database.queries.map(\.name))
                return (model, section)
            }
        } catch {
            errors += error.errors
        }
        guard errors.isEmpty, let read, let document else { throw ModelErrors(errors) }
        var model = read.0
        let calibration = read.1
        if let users {
            guard users >= 1, users <= UserCount.maximum else {
                throw ModelErrors([ModelError("--users must be between 1 and \(UserCount.maximum), got \(users)", at: nil)])
            }
            model.traffic.users = users
        }
        let provenance = ModelProvenance(baseFile: basePath, configuration: configuration, files: document.sources,
                                         overrides: overrides, pricingFile: pricingPath,
                                         modelHash: document.sourceHash, pricingHash: pricingHash)
        return (model, provenance, calibration)
    }
}

/// Where a file named inside a model file is, and the check that it stays in the model's folder.
enum ModelPath {
    /// `written` resolved against the folder of `modelPath`: relative paths from there, absolute
    /// ones as they are (as in experiment files). The result must be a `.yaml` or `.yml` file
    /// under that folder once `..` and symbolic links are resolved; otherwise the error names
    /// the key, the path and the folder, and never the content of what it points at.
    static func resolve(_ written: String, besideModel modelPath: String, key: String, at location: ModelLocation) throws(ModelError) -> String {
        let folder = (modelPath as NSString).deletingLastPathComponent
        let path = written.hasPrefix("/") ? written : (folder.isEmpty ? written : (folder as NSString).appendingPathComponent(written))
        let lower = written.lowercased()
        guard lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") else {
            throw ModelError("\(key) names '\(NameRule.shown(written))', which is not a .yaml file", at: location)
        }
        func real(_ p: String) -> String {
            URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path
        }
        let root = real(folder.isEmpty ? "." : folder)
        let target = real(path)
        guard target.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            let shownFolder = folder.isEmpty ? "." : folder
            throw ModelError("\(key) names '\(NameRule.shown(written))', which is outside the model's folder \(shownFolder)/; "
                             + "files a model names must be inside its folder (pass a file elsewhere with --overlay or --pricing)", at: location)
        }
        return path
    }
}

import Foundation
import ModelFiles
import ModelSchema
import Notebooks

/// The model files as the Model page and the what-if form show them: the configurations the
/// base file declares, every parameter with its value in each configuration, its unit, and the
/// comment that gives its source or says `assumption` (the notebooks' ``AssumptionIndex``).
///
/// Values come from the merged tree of each configuration (base, then its overlays in order,
/// exactly as a run loads them), so what the page shows is what a run would read.
struct ModelCatalog: Sendable {
    struct Configuration: Sendable, Equatable {
        var name: String
        /// Overlay files as the base file names them (relative to its folder).
        var overlays: [String]
    }

    /// One parameter: a scalar, or a list or small mapping edited as one YAML value.
    struct Parameter: Sendable, Equatable {
        /// Dotted key path, as `--set` takes it.
        var path: String
        /// Top-level section (`traffic`, `database`...), for grouping.
        var section: String
        var unit: String?
        /// The value in each configuration (catalog order), as one line of YAML; nil when the
        /// configuration does not have the key.
        var values: [String?]
        /// The label and comment in each configuration (an overlay's own comment replaces the base's).
        var labels: [AssumptionIndex.Label]
        var comments: [String]
        /// Where each configuration's value was written: `file:line`.
        var origins: [String]

        /// Whether the value is `true` or `false` in every configuration that has it.
        var isBoolean: Bool {
            let present = values.compactMap { $0 }
            return !present.isEmpty && present.allSatisfy { $0 == "true" || $0 == "false" }
        }
    }

    /// One change an overlay makes: a parameter whose value differs from the previous configuration's.
    struct Change: Sendable, Equatable {
        var path: String
        var before: String?
        var after: String?
        var comment: String
        var label: AssumptionIndex.Label
    }

    let basePath: String
    let configurations: [Configuration]
    let parameters: [Parameter]
    /// The pricing file the base model names.
    let pricingPath: String

    /// Reads the base file, every configuration's overlays, and their comments.
    static func load(modelPath: String) throws(ModelErrors) -> ModelCatalog {
        let configs = try PlatformModelFile.configurations(in: modelPath)
        let pricing = try PlatformModelFile.pricingFile(in: modelPath)
        let folder = (modelPath as NSString).deletingLastPathComponent
        func relative(_ p: String) -> String {
            folder.isEmpty ? p : String(p.dropFirst(folder.count + 1))
        }
        var order: [String] = []
        var rows: [String: Parameter] = [:]
        for (index, config) in configs.enumerated() {
            let document = try ModelDocument.load(base: modelPath, overlays: config.overlays)
            var index_ = AssumptionIndex()
            for file in [modelPath] + config.overlays {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
                index_.add(text: text, file: file == modelPath ? (modelPath as NSString).lastPathComponent : relative(file))
            }
            for leaf in Self.leaves(of: document.root, path: []) {
                let annotation = index_.parameter(leaf.path) ?? index_.parameter(leaf.path + "[0]")
                if rows[leaf.path] == nil {
                    order.append(leaf.path)
                    rows[leaf.path] = Parameter(
                        path: leaf.path, section: String(leaf.path.split(separator: ".").first ?? ""),
                        unit: ParameterUnit.unit(ofPath: leaf.path),
                        values: Array(repeating: nil, count: configs.count),
                        labels: Array(repeating: .unlabelled, count: configs.count),
                        comments: Array(repeating: "", count: configs.count),
                        origins: Array(repeating: "", count: configs.count))
                }
                rows[leaf.path]!.values[index] = leaf.value
                rows[leaf.path]!.labels[index] = annotation?.label ?? .unlabelled
                rows[leaf.path]!.comments[index] = annotation?.comment ?? ""
                rows[leaf.path]!.origins[index] = leaf.origin
            }
        }
        return ModelCatalog(basePath: modelPath,
                            configurations: configs.map { Configuration(name: $0.name, overlays: $0.overlays.map(relative)) },
                            parameters: order.compactMap { rows[$0] }, pricingPath: pricing)
    }

    /// The sections in file order.
    var sections: [String] {
        var seen = Set<String>()
        return parameters.map(\.section).filter { seen.insert($0).inserted }
    }

    func index(of configuration: String) -> Int? { configurations.firstIndex { $0.name == configuration } }

    /// What configuration `index` changes against the one before it (the first: nothing).
    func changes(in index: Int) -> [Change] {
        guard index > 0 && index < configurations.count else { return [] }
        return parameters.compactMap { p in
            guard p.values[index] != p.values[index - 1] else { return nil }
            return Change(path: p.path, before: p.values[index - 1], after: p.values[index],
                          comment: p.comments[index], label: p.labels[index])
        }
    }

    /// The parameters that are not files (`configurations`, `pricing`): the ones a what-if may change.
    var editable: [Parameter] { parameters.filter { !Self.fileKeys.contains($0.section) } }

    /// Top-level keys whose values name files: a what-if may not change them, so that the
    /// server reads no file it was not given.
    static let fileKeys: Set<String> = ["configurations", "pricing"]
}

// MARK: - Flattening

extension ModelCatalog {
    struct Leaf { var path: String; var value: String; var origin: String }

    /// Every scalar and list of a tree with its dotted path, in file order; an empty mapping
    /// is a leaf (`{}`).
    static func leaves(of node: ModelNode, path: [String]) -> [Leaf] {
        switch node.content {
        case .mapping(let entries) where !entries.isEmpty:
            return entries.flatMap { leaves(of: $0.value, path: path + [$0.key]) }
        default:
            return [Leaf(path: path.joined(separator: "."), value: flowYAML(node), origin: node.location.description)]
        }
    }

    /// A node as one line of YAML that `--set` reads back as the same value.
    static func flowYAML(_ node: ModelNode) -> String {
        switch node.content {
        case .scalar(let text, let plain):
            if plain { return text.isEmpty ? "~" : text }
            return quoted(text)
        case .list(let items):
            return "[" + items.map(flowYAML).joined(separator: ", ") + "]"
        case .mapping(let entries):
            return "{" + entries.map { "\($0.key): \(flowYAML($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}

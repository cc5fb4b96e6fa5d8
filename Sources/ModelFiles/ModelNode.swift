import Foundation
import Yams

/// One node of a model tree, with the place it was written.
///
/// The tree is what ``ModelDocument`` holds after merging the base file, the overlays and the
/// overrides; schema code normally reads it through ``ObjectReader`` and ``ValueReader`` rather than
/// directly. Unlike Yams' `Node` it is `Sendable`, has plain string keys in file order, and its
/// scalars keep only what the readers need.
public struct ModelNode: Sendable {
    public enum Content: Sendable {
        /// A scalar as written. `plain` is false for quoted, block (`|`, `>`) and `!!str`-tagged
        /// scalars: those are always strings, never numbers, booleans or null.
        case scalar(String, plain: Bool)
        case list([ModelNode])
        /// Entries in file order (order matters for determinism).
        case mapping([ModelEntry])
    }

    public var content: Content
    /// Where the value starts (for a block mapping, its first key).
    public var location: ModelLocation

    public init(_ content: Content, at location: ModelLocation) {
        self.content = content
        self.location = location
    }

    /// A plain `~`, `null` (`Null`, `NULL`) or an empty value (`key:` with nothing after it).
    public var isNull: Bool {
        guard case .scalar(let text, plain: true) = content else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(text)
    }

    /// The entries if this is a mapping.
    public var entries: [ModelEntry]? {
        if case .mapping(let entries) = content { return entries }
        return nil
    }

    /// How the node reads in a "got ..." message: `'abc'`, `the quoted string '4'`, `null`,
    /// `nothing`, `a list`, `a mapping`.
    var shortDescription: String {
        switch content {
        case .scalar(let text, let plain):
            if plain, text.isEmpty { return "nothing" }
            if isNull { return "null" }
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return plain ? "'\(shown)'" : "the quoted string '\(shown)'"
        case .list: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// The same tree with every location replaced (used for command-line overrides, whose values
    /// have no lines of their own).
    func relocated(to location: ModelLocation) -> ModelNode {
        switch content {
        case .scalar: return ModelNode(content, at: location)
        case .list(let items): return ModelNode(.list(items.map { $0.relocated(to: location) }), at: location)
        case .mapping(let entries):
            return ModelNode(.mapping(entries.map {
                ModelEntry(key: $0.key, keyLocation: location, value: $0.value.relocated(to: location))
            }), at: location)
        }
    }
}

/// One `key: value` pair of a mapping.
public struct ModelEntry: Sendable {
    public var key: String
    /// Where the key is written; errors about the key itself (unknown, not allowed in an overlay)
    /// point here, errors about its value point at `value.location`.
    public var keyLocation: ModelLocation
    public var value: ModelNode

    public init(key: String, keyLocation: ModelLocation, value: ModelNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}

// MARK: - From YAML text

extension ModelNode {
    /// Parses one YAML document. Returns nil for an empty document (only comments or nothing).
    /// Refuses what would make the loader expand the text without bound (see
    /// ``ModelFileLimits``): aliases as keys, explicit `? ` keys, too many or too deeply nested
    /// alias expansions, too many values.
    static func parse(yaml: String, file: String) throws -> ModelNode? {
        try YAMLKeyScan.check(yaml, file: file)
        // The parser stays alive through the conversion: Yams' nodes hold their anchors weakly,
        // and the anchors are how the conversion tells an alias from the node it repeats.
        let parser: Parser
        let node: Yams.Node?
        do {
            parser = try Parser(yaml: yaml)
            node = try parser.singleRoot()
        } catch let error as YamlError {
            throw ModelError(yamlError: error, file: file, text: yaml)
        }
        var budget = ExpansionBudget(file: file)
        let converted = try node.map { try ModelNode(yams: $0, file: file, budget: &budget) }
        withExtendedLifetime(parser) {}
        return converted
    }

    /// Converts a composed Yams node. Aliases arrive already resolved by Yams (with the anchor's
    /// location); YAML merge keys (`<<: *defaults`) are applied here, explicit keys winning.
    /// Every value converted, and every alias expanded, is counted against `budget`.
    init(yams node: Yams.Node, file: String, budget: inout ExpansionBudget) throws {
        let location = ModelLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
        try budget.countValue(at: location)
        let anchor: AnyObject?
        switch node {
        case .scalar(let scalar): anchor = scalar.anchor
        case .sequence(let sequence): anchor = sequence.anchor
        case .mapping(let mapping): anchor = mapping.anchor
        case .alias: anchor = nil
        }
        let expanding = try budget.enter(anchor: anchor, at: location)
        defer { if expanding { budget.leave() } }
        switch node {
        case .scalar(let scalar):
            let plain = scalar.style == .plain && scalar.tag.rawValue != Tag.Name.str.rawValue
            self.init(.scalar(scalar.string, plain: plain), at: location)
        case .sequence(let sequence):
            var items: [ModelNode] = []
            for item in sequence { items.append(try ModelNode(yams: item, file: file, budget: &budget)) }
            self.init(.list(items), at: location)
        case .mapping(let mapping):
            self.init(.mapping(try Self.entries(of: mapping, file: file, budget: &budget)), at: location)
        case .alias(let alias):
            // Yams' composer resolves aliases; kept for completeness.
            throw ModelError("unresolved YAML alias '*\(alias.anchor.rawValue)'", at: location)
        }
    }

    private static func entries(of mapping: Yams.Node.Mapping, file: String, budget: inout ExpansionBudget) throws -> [ModelEntry] {
        func isMergeKey(_ key: Yams.Node) -> Bool {
            if case .scalar(let s) = key { return s.string == "<<" && s.style == .plain }
            return false
        }
        var explicit = Set<String>()
        var entries: [ModelEntry] = []
        for (key, value) in mapping where !isMergeKey(key) {
            let keyLocation = ModelLocation(file: file, line: key.mark?.line ?? 0, column: key.mark?.column ?? 0)
            guard case .scalar(let scalar) = key else {
                throw ModelError("a mapping key must be a name, not a list or mapping", at: keyLocation)
            }
            guard explicit.insert(scalar.string).inserted else {
                throw ModelError("duplicate key '\(scalar.string)'", at: keyLocation)
            }
            entries.append(ModelEntry(key: scalar.string, keyLocation: keyLocation,
                                      value: try ModelNode(yams: value, file: file, budget: &budget)))
        }
        // Merge keys: entries of the merged mapping(s) that the mapping does not set itself, in
        // their order, after the explicit ones; with a list of mappings the first one wins.
        var present = explicit
        for (key, value) in mapping where isMergeKey(key) {
            let merged = try ModelNode(yams: value, file: file, budget: &budget)
            let sources: [ModelNode]
            switch merged.content {
            case .mapping: sources = [merged]
            case .list(let items): sources = items
            case .scalar: sources = [merged]
            }
            for source in sources {
                guard let sourceEntries = source.entries else {
                    throw ModelError("'<<' must merge a mapping or a list of mappings, got \(source.shortDescription)",
                                     at: source.location)
                }
                for entry in sourceEntries where present.insert(entry.key).inserted {
                    entries.append(entry)
                }
            }
        }
        return entries
    }
}

extension ModelError {
    /// A Yams parse error as one located line. Yams' own descriptions span several lines (with a
    /// snippet, and for duplicate keys the whole document), so only the problem is kept.
    init(yamlError: YamlError, file: String, text: String) {
        func at(_ mark: Mark) -> ModelLocation { ModelLocation(file: file, line: mark.line, column: mark.column) }
        func syntax(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> ModelError {
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return ModelError(message, at: at(mark))
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let line = mark.line >= 1 && mark.line <= lines.count ? Array(lines[mark.line - 1].unicodeScalars) : []
            if mark.column >= 1, mark.column <= line.count, line[mark.column - 1] == "\t" {
                self = ModelError("YAML syntax error: a tab character; YAML indents with spaces only", at: at(mark))
            } else if problem == "but found another document" {
                self = ModelError("a model file must hold a single YAML document, found a second one", at: at(mark))
            } else {
                self = syntax(problem, context, mark)
            }
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams points at the first occurrence.
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            self = ModelError("key \(names) appears more than once in this mapping", at: at(context.mark))
        case let .reader(problem, offset, _, _):
            var location = ModelLocation(file: file)
            if let offset {
                let prefix = text.prefix(offset)
                let lines = prefix.split(separator: "\n", omittingEmptySubsequences: false)
                location = ModelLocation(file: file, line: lines.count, column: (lines.last?.unicodeScalars.count ?? 0) + 1)
            }
            self = ModelError("cannot read the YAML text: \(problem)", at: location)
        default:
            self = ModelError("YAML error: \(yamlError)", at: ModelLocation(file: file))
        }
    }
}

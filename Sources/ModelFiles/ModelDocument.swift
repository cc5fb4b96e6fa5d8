import Foundation

/// A model: a base file, phase overlays applied in order, then `--set` overrides, merged into one
/// tree whose every node remembers where it was written. Read it with ``validate(_:)``.
///
/// Merge rules (see README.md):
/// - a mapping in an overlay merges into the base mapping key by key, recursively;
/// - any other value (scalar, list, null) replaces the base value whole, and takes the overlay's
///   location, so a bad value set by an overlay is reported at the overlay's line;
/// - an overlay may only set keys the model already has, except directly under an *open path*
///   (a mapping of named items, e.g. `api.endpoints`), where it may add new entries.
public struct ModelDocument: Sendable {
    /// The merged tree; its root is always a mapping.
    public let root: ModelNode
    /// The sources in the order they were applied: the base path, the overlay paths, then one
    /// `--set KEY=VALUE` label per override. Errors are sorted in this order.
    public let sources: [String]
    /// SHA-256, in hex, of the exact bytes of the base file, each overlay and each override, in
    /// order; see ``hashInput(files:overrides:)`` for the framing. It depends on contents only, not
    /// on paths, so the same model loaded from another folder has the same hash.
    public let sourceHash: String
    /// The text of each file read, by the path as given: where ``comment(at:)`` finds the
    /// comments that the YAML parser drops.
    public let texts: [String: String]

    /// Loads and merges a model.
    ///
    /// - Parameters:
    ///   - base: path of the base model file.
    ///   - overlays: paths of phase overlays, applied in order.
    ///   - overrides: `KEY.PATH=VALUE` texts, as given after `--set`, applied after the overlays;
    ///     the value is YAML (`4`, `fifo`, `[a, b]`, `{mean: 3}`; quote a value that contains `: `).
    ///   - openPaths: dotted key paths of mappings that overlays and overrides may add entries to;
    ///     a segment `*` matches any one key (`services.*.endpoints`).
    ///   - baseOnly: top-level keys that only the base file may set, each with what to do
    ///     instead (`"pricing": "pass --pricing FILE for another catalog"`): settings the loader
    ///     reads from the base file alone, which an overlay or override would change in
    ///     appearance only.
    /// - Throws: ``ModelErrors``, one per problem found: unreadable files, YAML syntax errors, keys
    ///   an overlay or override sets that the model does not have.
    public static func load(
        base: String,
        overlays: [String] = [],
        overrides: [String] = [],
        openPaths: [String] = [],
        baseOnly: [String: String] = [:]
    ) throws(ModelErrors) -> ModelDocument {
        let open = OpenPaths(openPaths)
        var texts: [String: String] = [:]
        let sources = [base] + overlays + overrides.map(overrideLabel)
        var errors: [ModelError] = []
        var files: [[UInt8]] = []

        /// The top-level mapping of a file, or nil after recording why there is none.
        func readMapping(_ path: String, _ what: String) -> ModelNode? {
            do {
                let bytes = try readFile(path)
                files.append(bytes)
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw ModelError("the file is not UTF-8 text", at: ModelLocation(file: path))
                }
                texts[path] = text
                return try topLevelMapping(ModelNode.parse(yaml: text, file: path), file: path, what: what)
            } catch {
                errors.append(error as? ModelError ?? ModelError("\(error)", at: ModelLocation(file: path)))
                return nil
            }
        }

        // Without a base there is nothing to merge into: stop at its problem.
        guard var root = readMapping(base, "a model file") else { throw ModelErrors(errors) }

        let keys = KeyIndex(root)
        for path in overlays {
            guard let overlay = readMapping(path, "a phase overlay") else { continue }
            refuseBaseOnly(overlay, baseOnly, errors: &errors) { "a phase overlay cannot set '\($0)': only the base model file may" }
            merge(overlay, into: &root, path: [], open: open, keys: keys, errors: &errors) {
                "phase overlay sets '\($0)', which the base model does not have"
            }
        }

        for text in overrides {
            do {
                let overlay = try parseOverride(text)
                refuseBaseOnly(overlay, baseOnly, errors: &errors) { "--set cannot change '\($0)': only the base model file sets it" }
                merge(overlay, into: &root, path: [], open: open, keys: keys, errors: &errors) {
                    "override sets '\($0)', which the model does not have"
                }
            } catch {
                errors.append(error as? ModelError ?? ModelError("\(error)", at: ModelLocation(file: overrideLabel(text))))
            }
        }

        if !errors.isEmpty { throw ModelErrors(errors).sorted(sourceOrder: sources) }
        let hash = SHA256.hex(hashInput(files: files, overrides: overrides))
        return ModelDocument(root: root, sources: sources, sourceHash: hash, texts: texts)
    }

    /// Records an error for each top-level key of `overlay` that only the base file may set.
    private static func refuseBaseOnly(_ overlay: ModelNode, _ baseOnly: [String: String], errors: inout [ModelError],
                                       message: (String) -> String) {
        guard let entries = overlay.entries else { return }
        for entry in entries {
            if let instead = baseOnly[entry.key] {
                errors.append(ModelError(message(entry.key) + (instead.isEmpty ? "" : " (\(instead))"), at: entry.keyLocation))
            }
        }
    }

    /// A model from YAML text in memory (one source, no overlays), for tests and tools.
    public init(yaml: String, name: String = "<memory>") throws(ModelErrors) {
        let root: ModelNode
        do {
            guard yaml.utf8.count <= ModelFileLimits.maxFileBytes else {
                throw ModelError("the text has more than \(ModelFileLimits.maxFileBytes) bytes; a model may have at most that",
                                 at: ModelLocation(file: name))
            }
            root = try Self.topLevelMapping(ModelNode.parse(yaml: yaml, file: name), file: name, what: "a model file")
        } catch {
            throw ModelErrors([error as? ModelError ?? ModelError("\(error)", at: ModelLocation(file: name))])
        }
        self.init(root: root, sources: [name], sourceHash: SHA256.hex(Self.hashInput(files: [Array(yaml.utf8)], overrides: [])),
                  texts: [name: yaml])
    }

    /// The parsed top level as a mapping: an empty or null document is an empty mapping (so an
    /// empty overlay changes nothing); anything else that is not a mapping is an error.
    private static func topLevelMapping(_ parsed: ModelNode?, file: String, what: String) throws -> ModelNode {
        guard let parsed, !parsed.isNull else { return ModelNode(.mapping([]), at: ModelLocation(file: file, line: 1, column: 1)) }
        guard parsed.entries != nil else {
            // Not the value itself: a file named by mistake (or on purpose, `../.env`) must not
            // have its content printed.
            let got: String
            switch parsed.content {
            case .scalar: got = "text, not YAML keys and values (is it a model file?)"
            case .list: got = "a list"
            case .mapping: got = "a mapping"
            }
            throw ModelError("\(what) must be a mapping of keys at the top level, got \(got)", at: parsed.location)
        }
        return parsed
    }

    init(root: ModelNode, sources: [String], sourceHash: String, texts: [String: String] = [:]) {
        self.root = root
        self.sources = sources
        self.sourceHash = sourceHash
        self.texts = texts
    }

    /// What ``sourceHash`` digests: for each file in load order `file <BYTE COUNT>\n` then its
    /// bytes, then for each override `set <BYTE COUNT>\n` then its UTF-8 text (`KEY=VALUE`). The
    /// counts keep the boundaries unambiguous (`ab`+`c` differs from `a`+`bc`).
    static func hashInput(files: [[UInt8]], overrides: [String]) -> [UInt8] {
        var input: [UInt8] = []
        for bytes in files {
            input += Array("file \(bytes.count)\n".utf8) + bytes
        }
        for text in overrides {
            let bytes = Array(text.utf8)
            input += Array("set \(bytes.count)\n".utf8) + bytes
        }
        return input
    }

    /// The label that errors about an override print instead of a file position.
    static func overrideLabel(_ text: String) -> String { "--set \(text)" }

    /// The bytes of a model file, refusing a directory, a device or FIFO (which could block or
    /// never end) and anything larger than ``ModelFileLimits/maxFileBytes`` before reading it.
    static func readFile(_ path: String) throws -> [UInt8] {
        let location = ModelLocation(file: path)
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: resolved)
        } catch {
            throw ModelError(FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file", at: location)
        }
        let type = attributes[.type] as? FileAttributeType
        guard type != .typeDirectory else { throw ModelError("is a directory, not a model file", at: location) }
        guard type == .typeRegular else { throw ModelError("is not a regular file", at: location) }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= ModelFileLimits.maxFileBytes else {
            throw ModelError("the file has \(size) bytes; a model file may have at most \(ModelFileLimits.maxFileBytes) "
                             + "(1 MiB: the platform's own model has about 30 kB)", at: location)
        }
        guard let handle = FileHandle(forReadingAtPath: resolved) else { throw ModelError("cannot read the file", at: location) }
        defer { try? handle.close() }
        // Read at most one byte past the limit, whatever the size said a moment ago.
        let data = (try? handle.read(upToCount: ModelFileLimits.maxFileBytes + 1)) ?? Data()
        guard data.count <= ModelFileLimits.maxFileBytes else {
            throw ModelError("the file has more than \(ModelFileLimits.maxFileBytes) bytes; a model file may have at most that", at: location)
        }
        return [UInt8](data)
    }
}

// MARK: - Merging

extension ModelDocument {
    /// Merges the mapping `overlay` into the mapping `base` (see the type's doc for the rules).
    /// `notInBase` words the error for a key the base lacks, given its dotted path.
    ///
    /// A key the base lacks gets a suggestion: the closest sibling ("did you mean 'vcpu'?") or,
    /// when none is close, the full paths of keys anywhere in the model with the same leaf name
    /// written another way (`connection_limit` -> `database.pool.connectionLimit`).
    static func merge(
        _ overlay: ModelNode, into base: inout ModelNode, path: [String], open: OpenPaths, keys: KeyIndex,
        errors: inout [ModelError], notInBase: (String) -> String
    ) {
        guard var baseEntries = base.entries, let overlayEntries = overlay.entries else { return }
        for entry in overlayEntries {
            let keyPath = path + [entry.key]
            if let index = baseEntries.firstIndex(where: { $0.key == entry.key }) {
                if baseEntries[index].value.entries != nil, entry.value.entries != nil {
                    merge(entry.value, into: &baseEntries[index].value, path: keyPath, open: open, keys: keys,
                          errors: &errors, notInBase: notInBase)
                } else {
                    baseEntries[index].value = entry.value
                    baseEntries[index].keyLocation = entry.keyLocation
                }
            } else if open.contains(path) {
                baseEntries.append(entry)
            } else {
                let dotted = keyPath.joined(separator: ".")
                var hint = KeySuggestion.closest(to: entry.key, among: baseEntries.map(\.key)).map { " (did you mean '\($0)'?)" } ?? ""
                if hint.isEmpty {
                    let paths = keys.paths(withLeafLike: entry.key, under: path)
                    if !paths.isEmpty {
                        let shown = paths.prefix(3).joined(separator: ", ") + (paths.count > 3 ? ", ..." : "")
                        hint = " (did you mean \(shown)?)"
                    }
                }
                errors.append(ModelError(notInBase(dotted) + hint, at: entry.keyLocation))
            }
        }
        base.content = .mapping(baseEntries)
    }

    /// Turns `a.b.c=VALUE` into the overlay `{a: {b: {c: VALUE}}}`, every node located at the
    /// label `--set a.b.c=VALUE`.
    static func parseOverride(_ text: String) throws -> ModelNode {
        let location = ModelLocation(file: overrideLabel(text))
        guard let equals = text.firstIndex(of: "=") else {
            throw ModelError("expected KEY=VALUE, e.g. --set api.instance.vcpu=4", at: location)
        }
        let key = text[..<equals].trimmingCharacters(in: .whitespaces)
        let segments = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !key.isEmpty, !segments.contains(where: \.isEmpty) else {
            throw ModelError("'\(key)' is not a key path; expected names separated by dots, e.g. api.instance.vcpu", at: location)
        }
        let valueText = String(text[text.index(after: equals)...])
        var node: ModelNode
        do {
            node = try ModelNode.parse(yaml: valueText, file: location.file)?.relocated(to: location)
                ?? ModelNode(.scalar("", plain: true), at: location)
        } catch let error as ModelError {
            throw ModelError("the value '\(valueText)' is not valid YAML: \(error.message)", at: location)
        }
        for segment in segments.reversed() {
            node = ModelNode(.mapping([ModelEntry(key: segment, keyLocation: location, value: node)]), at: location)
        }
        return node
    }
}

/// Dotted key paths under which overlays may add new keys; `*` matches any one key.
struct OpenPaths: Sendable {
    let patterns: [[String]]

    init(_ paths: [String]) {
        patterns = paths.map { $0.split(separator: ".").map(String.init) }
    }

    /// Whether the mapping at `path` (its keys from the root) is open.
    func contains(_ path: [String]) -> Bool {
        patterns.contains { pattern in
            pattern.count == path.count && zip(pattern, path).allSatisfy { $0 == "*" || $0 == $1 }
        }
    }
}

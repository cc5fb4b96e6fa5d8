import Foundation
import ModelFiles

/// Reads an experiment file (`Experiments/*.yaml`) into a validated ``Experiment``, with the
/// same located errors as the model files (`FILE:LINE:COLUMN: error: ...`). The format is
/// described in `Experiments/README.md`.
///
/// Paths in the file (`model`, `pricing`) are relative to the project root: the nearest folder
/// at or above the experiment file's folder that holds `Package.swift` or `.git` (the
/// experiment file's own folder when there is none). Absolute paths are taken as they are.
public enum ExperimentFile {
    public static let maxUsers = UserCount.maximum
    public static let maxReplications = 10_000

    public static func load(_ path: String) throws(ModelErrors) -> Experiment {
        let document = try ModelDocument.load(base: path)
        let root = projectRoot(for: path)
        return try document.validate { r in
            try ExperimentReader(file: path, fileHash: document.sourceHash, root: root).read(r)
        }
    }

    /// The folder relative paths in `file` are resolved against.
    public static func projectRoot(for file: String) -> String {
        let start = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent()
        var folder = start
        while true {
            for marker in ["Package.swift", ".git"]
            where FileManager.default.fileExists(atPath: folder.appendingPathComponent(marker).path) {
                return folder.path
            }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { return start.path }
            folder = parent
        }
    }

    static func resolve(_ path: String, root: String) -> String {
        path.hasPrefix("/") ? path : (root as NSString).appendingPathComponent(path)
    }
}

/// The schema of an experiment file, read key by key.
struct ExperimentReader {
    let file: String
    let fileHash: String
    let root: String

    func read(_ r: ObjectReader) throws -> Experiment? {
        let name = r.collect { try readName(r) }
        let question = r.collect { try r.string("question") }
        let model = r.collect { try readPath(r, "model") }
        let pricing = r.collect { try r.ifPresent("pricing").map { try readPath($0) } }
        let overlays = r.collect { try readOverlays(r) }
        let configurations = r.collect { try readConfigurations(r, modelPath: model?.resolved) }
        let users = r.collect { try readUsers(r) }
        let seeds = r.collect { try readSeeds(r) }
        let window = r.collect { try readWindow(r.object("window")) }
        var locations: [String: ModelLocation] = [:]
        let overrides = r.collect { try r.ifPresent("set").map { try overrideList($0, &locations) } ?? [] }
        let variants = r.collect { try readVariants(r, &locations) }
        let slo = r.collect { try readSLO(r.object("slo")) }
        let cells = r.collect { () throws -> [Experiment.CellOverrides] in
            guard let list = try r.ifPresent("cells")?.list() else { return [] }
            return try list.map { try readCell($0.object(), configurations: configurations ?? [], users: users ?? [],
                                               variants: (variants ?? []).map(\.name), &locations) }
        }
        guard let name, let question, let model, let pricing, let overlays, let configurations, let users, let seeds,
              let window, let overrides, let variants, let slo, let cells else { return nil }
        var experiment = Experiment(name: name, question: question, file: file, fileHash: fileHash, model: model.written,
                                    modelPath: model.resolved, pricing: pricing?.written, pricingPath: pricing?.resolved,
                                    configurations: configurations, users: users, seeds: seeds, window: window,
                                    overrides: overrides, variants: variants, cellOverrides: cells, slo: slo,
                                    overrideLocations: locations)
        experiment.parameterUncertainty = try r.bool("parameterUncertainty", default: false)
        experiment.overlays = overlays.map(\.written)
        experiment.overlayPaths = overlays.map(\.resolved)
        return experiment
    }

    /// `overlays: [FILE, ...]`: extra overlay files (relative to the project root), each of
    /// which must exist; absent or null: none.
    func readOverlays(_ r: ObjectReader) throws -> [(written: String, resolved: String)] {
        guard let v = r.ifPresent("overlays") else { return [] }
        var result: [(written: String, resolved: String)] = []
        for item in try v.list() {
            let path = try readPath(item)
            guard !result.contains(where: { $0.resolved == path.resolved }) else {
                throw item.error("repeats the overlay '\(path.written)'")
            }
            result.append(path)
        }
        return result
    }

    func readName(_ r: ObjectReader) throws -> String {
        let v = try r.value("name")
        let name = try v.string()
        if let problem = NameRule.problem(with: name) { throw v.error("\(problem), got '\(NameRule.shown(name))'") }
        return name
    }

    func readPath(_ r: ObjectReader, _ key: String) throws -> (written: String, resolved: String) {
        try readPath(r.value(key))
    }

    /// A `.yaml` or `.yml` file that exists, relative to the project root or absolute. (Unlike a
    /// model file's overlays it may be anywhere: an experiment file is written by the person who
    /// runs it, as a command line is.)
    func readPath(_ v: ValueReader) throws -> (written: String, resolved: String) {
        let written = try v.string()
        let lower = written.lowercased()
        guard lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") else {
            throw v.error("names '\(NameRule.shown(written))', which is not a .yaml file")
        }
        let resolved = ExperimentFile.resolve(written, root: root)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw v.error("names no file: '\(written)' (looked for \(resolved))")
        }
        return (written, resolved)
    }

    func readConfigurations(_ r: ObjectReader, modelPath: String?) throws -> [String] {
        let items = try r.list("configurations")
        guard !items.isEmpty else { throw r.error("configurations", "must name at least one configuration") }
        let known = try modelPath.map { try PlatformModelFile.configurations(in: $0).map(\.name) }
        var names: [String] = []
        for item in items {
            let name = try item.string()
            if let known, !known.contains(name) {
                throw item.error("is an unknown configuration '\(name)' (the model defines: \(known.joined(separator: ", ")))")
            }
            guard !names.contains(name) else { throw item.error("repeats configuration '\(name)'") }
            names.append(name)
        }
        return names
    }

    func readUsers(_ r: ObjectReader) throws -> [Int] {
        let items = try r.list("users")
        guard !items.isEmpty else { throw r.error("users", "must list at least one user count") }
        var counts: [Int] = []
        for item in items {
            let n = try UserCount.read(item)
            guard !counts.contains(n) else { throw item.error("repeats the user count \(n)") }
            counts.append(n)
        }
        return counts
    }

    /// `seeds: [...]`, or `replications: N` with an optional `seed` (default 1); not both.
    func readSeeds(_ r: ObjectReader) throws -> [Experiment.SeedReplication] {
        let seedRange = Constraint.range(0...9_007_199_254_740_992)  // 2^53: exact in any JSON reader
        if let list = r.ifPresent("seeds") {
            if r.contains("replications") || r.contains("seed") {
                throw r.error("seeds", "and 'replications'/'seed' cannot both be given: list the seeds, or give a count of replications of one seed")
            }
            let items = try list.list()
            guard !items.isEmpty else { throw list.error("must list at least one seed") }
            var seeds: [Experiment.SeedReplication] = []
            for item in items {
                let s = try item.int(seedRange)
                guard !seeds.contains(where: { $0.seed == s }) else { throw item.error("repeats the seed \(s)") }
                seeds.append(.init(seed: s, replication: 0))
            }
            return seeds
        }
        guard r.ifPresent("replications") != nil else {
            throw ModelError("missing required key 'seeds' (or 'replications' with an optional 'seed')", at: r.location)
        }
        let count = try r.int("replications", .range(1...Double(ExperimentFile.maxReplications)))
        let seed = try r.int("seed", seedRange, default: 1)
        return (0..<count).map { .init(seed: seed, replication: $0) }
    }

    func readWindow(_ w: ObjectReader) throws -> Experiment.Window {
        Experiment.Window(warmUpS: try w.double("warmUpS", .range(0...86_400)),
                          durationS: try w.double("durationS", .range(1...604_800)),
                          startHour: try w.ifPresent("startHour")?.double(.range(0...24)))
    }

    func readSLO(_ s: ObjectReader) throws -> Experiment.ServiceLevelObjective {
        // A stored SLO is read back by every later `report`: a day is looser than any real one.
        .init(p99Ms: try s.double("p99Ms", Constraint.positive.atMost(86_400_000, because: "a day; no SLO is looser")),
              errorRate: try s.double("errorRate", .probability),
              countsIntended429s: try s.bool("countIntended429s", default: false))
    }

    /// `variants: {name: [overrides...], ...}`; one `default` variant when absent.
    func readVariants(_ r: ObjectReader, _ locations: inout [String: ModelLocation]) throws -> [Experiment.Variant] {
        guard let v = r.ifPresent("variants") else { return [.init(name: Experiment.defaultVariant, overrides: [])] }
        let entries = try v.dictionary()
        guard !entries.isEmpty else { throw v.error("must name at least one variant (or leave 'variants' out)") }
        var variants: [Experiment.Variant] = []
        for (name, value) in entries {
            if let problem = NameRule.problem(with: name) {
                throw ModelError("variant name '\(NameRule.shown(name))' \(problem)", at: value.keyLocation ?? value.location)
            }
            variants.append(.init(name: name, overrides: try overrideList(value, &locations)))
        }
        return variants
    }

    func readCell(_ c: ObjectReader, configurations: [String], users: [Int], variants: [String],
                  _ locations: inout [String: ModelLocation]) throws -> Experiment.CellOverrides {
        func names(_ key: String, among known: [String], what: String) throws -> [String]? {
            guard let items = try c.ifPresent(key)?.list() else { return nil }
            return try items.map { item in
                let name = try item.string()
                guard known.contains(name) else {
                    throw item.error("names \(what) '\(name)', which the experiment does not run (it runs: \(known.joined(separator: ", ")))")
                }
                return name
            }
        }
        let configs = try names("configurations", among: configurations, what: "the configuration")
        let counts: [Int]? = try c.ifPresent("users")?.list().map { item in
            let n = try UserCount.read(item)
            guard users.contains(n) else {
                throw item.error("names the user count \(n), which the experiment does not run")
            }
            return n
        }
        let vs = try names("variants", among: variants, what: "the variant")
        let overrides = try overrideList(c.value("set"), &locations)
        return .init(configurations: configs, users: counts, variants: vs, overrides: overrides)
    }

    /// A list of `KEY.PATH=VALUE` texts (null or absent: none).
    func overrideList(_ v: ValueReader, _ locations: inout [String: ModelLocation]) throws -> [String] {
        if v.node.isNull { return [] }
        var result: [String] = []
        for item in try v.list() {
            let text = try item.string()
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw item.error("must be KEY.PATH=VALUE, got '\(text)'")
            }
            if locations[text] == nil { locations[text] = item.location }
            result.append(text)
        }
        return result
    }
}

import ArgumentParser
import Foundation
import ModelFiles
import ModelSchema

extension PlatformSim {
    /// `platform-sim model`: what a configuration is once merged, and what `--set` accepts.
    struct ModelCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "model",
            abstract: "Shows a configuration's merged model, or lists the keys --set accepts.",
            subcommands: [Show.self, Keys.self])
    }
}

/// The model, configuration, overrides and extra overlays `model show` and `model keys` read.
struct MergedModelOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The base model file, such as Models/platform.yaml.", valueName: "model"))
    var model: String

    @Option(help: ArgumentHelp("Configuration: current, phase1 ... phase4 (as the model file names them).", valueName: "config"))
    var phase: String = "current"

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one parameter, KEY.PATH=VALUE (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(name: .customLong("overlay"), help: ArgumentHelp("An extra overlay file applied after the configuration's own (repeatable).", valueName: "file"))
    var overlays: [String] = []

    func document() throws -> ModelDocument {
        try PlatformModelFile.merged(model, configuration: phase, overrides: overrides, extraOverlays: overlays)
    }
}

extension PlatformSim.ModelCommand {
    /// `platform-sim model show`: the merged model as YAML, each value with where it was set.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prints a configuration's model (base file, its overlays, extra overlays and --set merged) as YAML, each value followed by the file and line that set it.",
            discussion: """
                The output is a valid model file. A value set by --set is marked with the \
                override. When the merged model has problems, they follow on standard error \
                and the exit status is 1.
                """)

        @OptionGroup var options: MergedModelOptions

        func run() throws {
            let document = try options.document()
            print("# \(options.model) [\(options.phase)]" + options.overrides.map { " --set \($0)" }.joined()
                  + options.overlays.map { " --overlay \($0)" }.joined())
            print(document.root.yaml { $0.description }, terminator: "")
            _ = try PlatformModelFile.load(options.model, configuration: options.phase, overrides: options.overrides,
                                           extraOverlays: options.overlays)
        }
    }

    /// `platform-sim model keys`: every key `--set` can change, with its value, unit, what it
    /// accepts and the comment that gives its source.
    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lists every key --set accepts: its value in the configuration, its unit, the values it accepts and the source the model file gives for it.",
            discussion: """
                A key under a list (a step of an endpoint's path, a size of the Postgres ladder) is \
                not addressable by itself: --set the whole list, as YAML. Sources are the model \
                files' comments; `assumption` marks a number with none.
                """)

        @OptionGroup var options: MergedModelOptions

        @Option(help: ArgumentHelp("Only keys whose path contains this text (case ignored), such as pool or rateLimiters.", valueName: "text"))
        var matching: String?

        func run() throws {
            let document = try options.document()
            let accepted = PlatformModelFile.acceptedValues(document, configuration: options.phase)
            var lines: [String] = []
            for key in ModelKeyList.keys(of: document) {
                if let matching, !key.path.lowercased().contains(matching.lowercased()) { continue }
                var line = "\(key.path) = \(key.value)"
                if let unit = ModelKeyList.unit(of: key.leaf) { line += "   [\(unit)]" }
                lines.append(line)
                if let accepts = accepted[key.path] ?? (key.isList ? "a list, set whole as YAML ([...])" : key.value == "~" ? "~ (unset) or a value: see the source" : nil) {
                    lines.append("    accepts: \(accepts)")
                }
                if let source = key.comment(document) {
                    lines.append("    source: \(source)   (\(key.location))")
                } else {
                    lines.append("    set at \(key.location)")
                }
            }
            print(lines.joined(separator: "\n"))
        }
    }
}

/// The keys of a merged model that `--set` can address, with their values and comments.
enum ModelKeyList {
    struct Key {
        var path: String
        var leaf: String
        var value: String
        var isList: Bool
        var location: ModelLocation
        /// Key locations of the enclosing mappings, innermost first, for an inherited comment.
        var parents: [(path: String, location: ModelLocation)]

        /// The key's own comment, or the nearest enclosing key's, marked as such.
        func comment(_ document: ModelDocument) -> String? {
            if let own = document.comment(at: location) { return own }
            for parent in parents {
                if let inherited = document.comment(at: parent.location) { return "\(inherited) (for all of \(parent.path))" }
            }
            return nil
        }
    }

    /// Every scalar and list under a mapping path (not inside lists), in file order.
    static func keys(of document: ModelDocument) -> [Key] {
        var keys: [Key] = []
        func walk(_ node: ModelNode, _ path: String, _ parents: [(path: String, location: ModelLocation)]) {
            guard let entries = node.entries else { return }
            for entry in entries {
                let keyPath = path.isEmpty ? entry.key : path + "." + entry.key
                switch entry.value.content {
                case .mapping(let inner) where !inner.isEmpty:
                    walk(entry.value, keyPath, [(keyPath, entry.keyLocation)] + parents)
                case .list(let items):
                    let allScalars = items.allSatisfy { if case .scalar = $0.content { return true } else { return false } }
                    let value = allScalars ? ModelNode(.mapping([entry]), at: entry.keyLocation).yaml(origin: { _ in nil })
                        .dropFirst(entry.key.count + 2).trimmingCharacters(in: .whitespacesAndNewlines)
                        : "(a list of \(items.count))"
                    keys.append(Key(path: keyPath, leaf: entry.key, value: value, isList: true, location: entry.keyLocation, parents: parents))
                default:
                    let value = ModelNode(.mapping([entry]), at: entry.keyLocation).yaml(origin: { _ in nil })
                        .dropFirst(entry.key.count + 2).trimmingCharacters(in: .whitespacesAndNewlines)
                    keys.append(Key(path: keyPath, leaf: entry.key, value: value.isEmpty ? "~" : value, isList: false,
                                    location: entry.keyLocation, parents: parents))
                }
            }
        }
        walk(document.root, "", [])
        return keys.filter { !["name", "description", "pricing"].contains($0.path) && !$0.path.hasPrefix("configurations.") }
    }

    /// The unit a key's name states, by the model files' convention (units in key names).
    static func unit(of key: String) -> String? {
        let suffixes: [(String, String)] = [
            ("PerInstancePerS", "per instance per second"), ("PerUserPerDay", "per user per day"),
            ("PerActiveUserPerDay", "per active user per day"), ("PerPageView", "per page view"), ("PerSession", "per session"),
            ("PerCall", "per call"), ("PerS", "per second"), ("PerDay", "per day"),
            ("UsdPerGBMonth", "USD per GB-month"), ("UsdPerVcpuMonth", "USD per vCPU-month"), ("UsdPerMonth", "USD per month"),
            ("usdPerMonth", "USD per month"), ("UsdPer1000", "USD per 1,000"), ("UsdPerError", "USD per error"),
            ("UsdPerTransaction", "USD per transaction"), ("usdPerHour", "USD per hour"), ("usdPerGB", "USD per GB"),
            ("Ms", "ms"), ("Us", "microseconds"), ("Bytes", "bytes"), ("MB", "MB"), ("GB", "GB"),
            ("Fraction", "share, 0 to 1"), ("Probability", "probability"), ("Rate", "share, 0 to 1"),
            ("Vcpu", "vCPU"), ("vcpu", "vCPU"), ("Cpus", "CPUs"), ("Hour", "hour of the day"), ("S", "seconds"),
        ]
        for (suffix, unit) in suffixes where key.hasSuffix(suffix) && key.count > suffix.count {
            // `S` only after a lower-case letter (`timeoutS`, not `CPUS`).
            if suffix == "S", let before = key.dropLast().last, !before.isLowercase { continue }
            return unit
        }
        if key == "users" { return "registered users" }
        return nil
    }
}

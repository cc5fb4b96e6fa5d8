import ArgumentParser
import Formatting
import Foundation
import ModelFiles
import ModelSchema

extension PlatformSim {
    /// `platform-sim validate`: checks model files without running them.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Checks model files and reports every problem as FILE:LINE:COLUMN: error: MESSAGE.",
            discussion: """
                A base model is checked in every configuration it names (each with its overlays and \
                its pricing file); a phase overlay is checked through the base model in its folder or \
                the folder above that names it.
                """)

        @Argument(help: ArgumentHelp("Model files to check.", valueName: "file"))
        var files: [String]

        @Option(name: .customLong("set"), help: ArgumentHelp("Override one parameter, KEY.PATH=VALUE (repeatable).", valueName: "key=value"))
        var overrides: [String] = []

        @Option(name: .customLong("overlay"), help: ArgumentHelp("An extra overlay applied to every configuration checked, such as one written by calibrate or size --write-overlay (repeatable).", valueName: "file"))
        var overlays: [String] = []

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("name at least one model file") }
        }

        func run() throws {
            var failures: [String] = []
            for file in files {
                do {
                    let checked = try ModelValidation.check(file, overrides: overrides, extraOverlays: overlays)
                    print("\(file): ok (\(checked.joined(separator: ", ")))")
                } catch let e as ModelErrors {
                    failures.append(e.description)
                } catch {
                    failures.append(ErrorLine.format(file: file, message: "\(error)"))
                }
            }
            if !failures.isEmpty {
                var stderr = StandardError()
                for f in failures { print(f, to: &stderr) }
                throw ExitCode(1)
            }
        }
    }
}

/// What `validate` does with one file.
enum ModelValidation {
    /// Checks a base model in all its configurations, or an overlay through the base that names it.
    /// Returns the configurations checked.
    ///
    /// Every configuration is checked, and every problem reported once: an error in the base
    /// file shows in each configuration, and is printed the first time only.
    static func check(_ file: String, overrides: [String], extraOverlays: [String] = []) throws -> [String] {
        guard FileManager.default.fileExists(atPath: file) else {
            throw ModelErrors([ModelError("no such file", at: ModelLocation(file: file))])
        }
        let basePath: String
        let configs: [(name: String, overlays: [String])]
        if let base = try baseModel(for: file) {
            basePath = base.path
            configs = try PlatformModelFile.configurations(in: base.path).filter { base.configurations.contains($0.name) }
        } else {
            basePath = file
            configs = try PlatformModelFile.configurations(in: file)
        }
        var errors: [ModelError] = []
        var seen = Set<ModelError>()
        for c in configs {
            do {
                _ = try PlatformModelFile.load(basePath, configuration: c.name, overrides: overrides, extraOverlays: extraOverlays)
            } catch {
                for e in error.errors where seen.insert(e).inserted { errors.append(e) }
            }
        }
        guard errors.isEmpty else { throw ModelErrors(errors) }
        return configs.map(\.name)
    }

    /// For an overlay (a file without `configurations`), the base model nearby that names it.
    static func baseModel(for file: String) throws -> (path: String, configurations: [String])? {
        let document = try ModelDocument.load(base: file)
        if document.root.entries?.contains(where: { $0.key == "configurations" }) == true { return nil }
        let target = URL(fileURLWithPath: file).standardizedFileURL.path
        var folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        for _ in 0..<2 {
            let candidates = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            for name in candidates {
                let path = folder.appendingPathComponent(name).path
                guard let configs = try? PlatformModelFile.configurations(in: path) else { continue }
                let naming = configs.filter { $0.overlays.contains { URL(fileURLWithPath: $0).standardizedFileURL.path == target } }.map(\.name)
                if !naming.isEmpty { return (path, naming) }
            }
            folder = folder.deletingLastPathComponent()
        }
        throw ModelErrors([ModelError("is not a base model (no 'configurations') and no base model in its folder or the one above names it (to check an extra overlay: platform-sim validate BASE --overlay FILE)", at: ModelLocation(file: file))])
    }
}

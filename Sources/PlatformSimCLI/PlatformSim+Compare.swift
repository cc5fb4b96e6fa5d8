import Analysis
import ArgumentParser
import Foundation
import ModelSchema
import PlatformModel
import Reports
import ResultsStore
import SimulationEngine
import Formatting

extension PlatformSim {
    /// `platform-sim compare`: two runs, two configurations or two experiments side by side.
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sets two runs, two configurations or two experiments side by side with their differences and 95% intervals.",
            discussion: """
                Three forms:
                  compare A.json B.json
                      two files written by run --format json (one run each, or --replications R);
                  compare MODEL --phase A --phase B --users N [--replications R]
                  compare MODEL --phase A --users N --what-if KEY=VALUE [--replications R]
                      simulates both sides on the same seeds (common random numbers) and pairs
                      them run by run;
                  compare --db A.sqlite --db B.sqlite [--experiment NAME]
                  compare --db A.sqlite --experiment E1 --experiment E2
                      two experiments of results databases, cell by cell.
                B - A is paired over runs of the same seed and replication, with Student's 95% \
                interval; runs on different seeds get Welch's interval of the means. A difference \
                whose interval excludes zero is marked *.
                """)

        @Argument(help: ArgumentHelp("Two run JSON files, or one model file.", valueName: "input"))
        var inputs: [String] = []

        @Option(name: .customLong("phase"), help: ArgumentHelp("A configuration to run (give two, or one with --what-if).", valueName: "config"))
        var phases: [String] = []

        @Option(parsing: .unconditional, help: ArgumentHelp("Registered users (N), for a model: 300000, 300k or 1M.", valueName: "count"),
                transform: parseUserCount)
        var users: Int?

        @Option(name: .customLong("set"), help: ArgumentHelp("Override one parameter on both sides, KEY.PATH=VALUE (repeatable).", valueName: "key=value"))
        var overrides: [String] = []

        @Option(name: .customLong("what-if"), help: ArgumentHelp("Override one parameter on side B only, KEY.PATH=VALUE (repeatable).", valueName: "key=value"))
        var whatIf: [String] = []

        @Option(help: ArgumentHelp("A pricing catalog instead of the one the model names.", valueName: "file"))
        var pricing: String?

        @Option(name: .customLong("overlay"), help: ArgumentHelp("An extra overlay file applied to both sides (repeatable).", valueName: "file"))
        var overlays: [String] = []

        @Option(parsing: .unconditional, help: "Master seed of both sides (the same seeds: common random numbers).")
        var seed: UInt64 = 1

        @Option(parsing: .unconditional, help: "Replications per side; with 2 or more, differences get 95% intervals.")
        var replications: Int = 3

        @Option(parsing: .unconditional, help: "Runs at once (default: all cores); results do not depend on it.")
        var jobs: Int?

        @OptionGroup var window: WindowOptions

        @OptionGroup var limits: WorkLimitOptions

        @Option(help: ArgumentHelp("An SLO to count runs meeting it, such as \"p99<=500ms,errors<=0.1%\".", valueName: "slo"))
        var slo: String?

        @Option(help: ArgumentHelp("A results database (give two, or one with two --experiment).", valueName: "path"))
        var db: [String] = []

        @Option(help: ArgumentHelp("The experiment to compare in each database (default: the only one, or the one both have).", valueName: "name"))
        var experiment: [String] = []

        enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, md, json, csv }
        @Option(help: "Output format: table (default), md, json, or csv (databases only).")
        var format: OutputFormat = .table

        func validate() throws {
            if !db.isEmpty {
                guard inputs.isEmpty, phases.isEmpty, users == nil else { throw ValidationError("--db compares databases: give no run files, model, --phase or --users with it") }
                guard db.count <= 2 else { throw ValidationError("--db takes one or two databases, got \(db.count)") }
                guard experiment.count <= 2 else { throw ValidationError("--experiment takes one or two names, got \(experiment.count)") }
                if db.count == 1 && experiment.count != 2 { throw ValidationError("one --db needs two --experiment names to compare") }
                return
            }
            guard format != .csv else { throw ValidationError("--format csv is for --db comparisons; runs take table, md or json") }
            if inputs.count == 2 {
                guard phases.isEmpty, users == nil, whatIf.isEmpty, overrides.isEmpty else {
                    throw ValidationError("two run files are compared as they are: --phase, --users, --set and --what-if go with a model")
                }
                return
            }
            guard inputs.count == 1 else {
                throw ValidationError("give two run JSON files, one model file with --phase and --users, or --db (see --help)")
            }
            guard let users else { throw ValidationError("--users is needed to run a model") }
            guard users >= 1 && users <= 100_000_000 else { throw ValidationError("--users must be between 1 and 100000000, got \(users)") }
            guard replications >= 1 && replications <= 1000 else { throw ValidationError("--replications must be between 1 and 1000, got \(replications)") }
            if let jobs, jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be between 1 and 256, got \(jobs)") }
            switch phases.count {
            case 2: break
            case 1: guard !whatIf.isEmpty else { throw ValidationError("with one --phase, give the change to compare with --what-if KEY=VALUE") }
            case 0: throw ValidationError("--phase is needed: two configurations, or one with --what-if")
            default: throw ValidationError("--phase takes one or two configurations, got \(phases.count)")
            }
            if let slo { do { _ = try ServiceLevelObjective(parsing: slo) } catch { throw ValidationError("--slo: \(error)") } }
        }

        func run() throws {
            let objective = try slo.map { try ServiceLevelObjective(parsing: $0) }
            if !db.isEmpty { return try compareDatabases() }
            let a: (runs: [DiagnosedRun], label: String), b: (runs: [DiagnosedRun], label: String)
            if inputs.count == 2 {
                a = try Self.readRuns(inputs[0])
                b = try Self.readRuns(inputs[1])
            } else {
                (a, b) = try simulate()
            }
            let comparison = RunComparison(baseline: a.runs, other: b.runs)
            switch format {
            case .json:
                print(try RunJSON.encode(ComparisonReport.document(comparison, baselineLabel: a.label, otherLabel: b.label, slo: objective)), terminator: "")
            case .table, .md, .csv:
                print(ComparisonReport.render(comparison, baselineLabel: a.label, otherLabel: b.label, slo: objective, markdown: format == .md), terminator: "")
            }
        }

        /// Both sides of a model, replication by replication on the same seeds.
        func simulate() throws -> (a: (runs: [DiagnosedRun], label: String), b: (runs: [DiagnosedRun], label: String)) {
            let model = inputs[0], users = users!
            let phaseB = phases.count == 2 ? phases[1] : phases[0]
            let sideA = try PlatformModelFile.load(model, configuration: phases[0], overrides: overrides, users: users, pricing: pricing, extraOverlays: overlays).0
            let sideB = try PlatformModelFile.load(model, configuration: phaseB, overrides: overrides + whatIf, users: users, pricing: pricing, extraOverlays: overlays).0
            let settings = (0..<replications).map { window.settings(seed: seed, replication: $0) }
            let plans = [PlatformRun.plan(model: sideA, settings: settings[0]).1, PlatformRun.plan(model: sideB, settings: settings[0]).1]
            let models = [sideA, sideB]
            let n = replications
            try limits.check((0..<2 * n).map { (models[$0 / n], settings[$0 % n]) }, what: "these \(2 * n) runs",
                             cores: jobs ?? ParallelRunner.availableCores)
            let progress = RunProgressLine(runs: 2 * n, label: "compare, \(2 * n) runs")
            let runs = ParallelRunner.run(count: 2 * n, jobs: jobs ?? ParallelRunner.availableCores) { k in
                DiagnosedRun.run(model: models[k / n], settings: settings[k % n], plan: plans[k / n], monitor: progress.monitor(run: k))
            }
            progress.finish()
            let shared = overrides.isEmpty ? "" : " with " + overrides.joined(separator: " ")
            let labelA = "\(phases[0]) at \(Format.users(users)) users\(shared)"
            let labelB = "\(phaseB) at \(Format.users(users)) users\(shared)" + (whatIf.isEmpty ? "" : (shared.isEmpty ? " with " : " ") + whatIf.joined(separator: " "))
            return ((Array(runs[0..<n]), labelA), (Array(runs[n...]), labelB))
        }

        /// The runs of a `run --format json` file: one run, or every replication of `--replications R`.
        static func readRuns(_ path: String) throws -> (runs: [DiagnosedRun], label: String) {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw CommandLineFailure("\(path): error: cannot read the file: \((error as NSError).localizedDescription)")
            }
            struct Replicated: Decodable { var replications: [DiagnosedRun] }
            struct Probe: Decodable { var replications: [Ignored]? }
            struct Ignored: Decodable {}
            let decoder = JSONDecoder()
            do {
                let runs: [DiagnosedRun]
                if (try? decoder.decode(Probe.self, from: data))?.replications != nil {
                    runs = try decoder.decode(Replicated.self, from: data).replications
                } else {
                    runs = [try decoder.decode(DiagnosedRun.self, from: data)]
                }
                guard let first = runs.first else { throw CommandLineFailure("\(path): error: the file holds no runs") }
                return (runs, "\(path): \(first.result.config) at \(Format.users(first.result.users)) users")
            } catch let failure as CommandLineFailure {
                throw failure
            } catch {
                throw CommandLineFailure("\(path): error: not the JSON of platform-sim run --format json (\(Self.describe(error)))")
            }
        }

        /// A decoding error in a line: what is missing or wrong, and where.
        static func describe(_ error: Error) -> String {
            guard let e = error as? DecodingError else { return "\(error)" }
            func path(_ c: [CodingKey]) -> String { c.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined() }
            switch e {
            case .keyNotFound(let key, let context): return "no '\(key.stringValue)' at \(path(context.codingPath).isEmpty ? "the top level" : path(context.codingPath))"
            case .typeMismatch(_, let context), .valueNotFound(_, let context): return "a wrong value at \(path(context.codingPath)): \(context.debugDescription)"
            case .dataCorrupted(let context): return context.codingPath.isEmpty ? "not valid JSON" : "a wrong value at \(path(context.codingPath)): \(context.debugDescription)"
            @unknown default: return "\(e)"
            }
        }

        func compareDatabases() throws {
            let pathA = db[0], pathB = db.count == 2 ? db[1] : db[0]
            let databaseA = try ResultsDatabase.open(pathA, access: .read)
            let databaseB = db.count == 2 ? try ResultsDatabase.open(pathB, access: .read) : databaseA
            let namesA = try databaseA.experiments().map(\.name), namesB = try databaseB.experiments().map(\.name)
            func pick(_ names: [String], _ given: String?, _ path: String, other: [String]) throws -> String {
                if let given {
                    guard names.contains(given) else {
                        throw CommandLineFailure("'\(path)' has no experiment '\(given)'" + (names.isEmpty ? "" : " (it has: \(names.joined(separator: ", ")))"))
                    }
                    return given
                }
                if names.count == 1 { return names[0] }
                let common = names.filter(other.contains)
                if common.count == 1 { return common[0] }
                throw CommandLineFailure(names.isEmpty ? "'\(path)' holds no experiments"
                    : "'\(path)' holds several experiments (\(names.joined(separator: ", "))): name one with --experiment")
            }
            let nameA = try pick(namesA, experiment.first, pathA, other: namesB)
            let nameB = try pick(namesB, experiment.count == 2 ? experiment[1] : experiment.first, pathB, other: namesA)
            // Names go into the tables (markdown, CSV): refused as report refuses them.
            try databaseA.checkStoredNames(experiments: [nameA], path: pathA)
            try databaseB.checkStoredNames(experiments: [nameB], path: pathB)
            guard let resultsA = try databaseA.results(experiment: nameA), let resultsB = try databaseB.results(experiment: nameB) else {
                throw CommandLineFailure("the experiment has no runs")
            }
            let a = ExperimentSummary(resultsA), b = ExperimentSummary(resultsB)
            let table = ExperimentComparison.data(a, b)
            guard !table.rows.isEmpty else {
                throw CommandLineFailure("'\(nameA)' in '\(pathA)' and '\(nameB)' in '\(pathB)' have no cell (configuration, variant and user count) in common")
            }
            let labelA = "experiment \(nameA) in \(pathA)", labelB = "experiment \(nameB) in \(pathB)"
            switch format {
            case .csv: print(table.csv(), terminator: "")
            case .json:
                struct Document: Encodable { var a: String; var b: String; var cells: [[String: DataTable.Field]] }
                print(try RunJSON.encode(Document(a: labelA, b: labelB, cells: table.records())), terminator: "")
            case .table, .md:
                print(ExperimentComparison.render(a, b, labelA: labelA, labelB: labelB, markdown: format == .md), terminator: "")
            }
        }
    }
}

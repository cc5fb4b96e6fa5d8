import Analysis
import Foundation
import ModelFiles
import ModelSchema
import PlatformModel
import Reports
import SimulationEngine
import Testing

/// The bounded, in-process version of `Tests/Fuzz/run.sh` (issue 10): every numeric and
/// distribution key of the model at extreme values, and a hundred mutated model files. A value
/// is either refused with located one-line errors, or accepted and then planned, estimated,
/// simulated (when small), analysed and reported without a trap. A trap ends the test process,
/// which fails the suite: that is the point.
@Suite struct ExtremeValueTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var modelPath: String { root.appendingPathComponent("Models/platform.yaml").path }

    static let numbers = ["1e308", "9.3e18", "-1", "0", "1e-100", "nan", ".inf", "99999999999999999999", "0.5", "2147483648", "1e16"]
    static let distributions = [
        "exp:1e308", "exp:1e-100", "det:1e15", "lognormal:1,1e308", "lognormal:1e308,1", "lognormal:1e-100,1", "lognormal:1,100",
        "gamma:1,1e-100", "gamma:1e15,100", "hyperexp:1,1e308", "uniform:0,1e15", "normal:-1e15,1e15", "erlang:10000,1e15",
        "weibull:0.2,1e15", "weibull:1e-100,1", "pareto:1e15,1.0001", "pareto:1,0.5", "empirical:1e15,0", "exp:nan", "1e308",
    ]

    /// Every key `--set` can address whose value is a number or a distribution, from the
    /// merged phase4 model (every section present).
    static func keys() throws -> [(path: String, distribution: Bool)] {
        let document = try PlatformModelFile.merged(modelPath, configuration: "phase4")
        var keys: [(String, Bool)] = []
        func walk(_ node: ModelNode, _ path: String) {
            for entry in node.entries ?? [] {
                let p = path.isEmpty ? entry.key : path + "." + entry.key
                guard !["name", "pricing", "description", "configurations"].contains(p) else { continue }
                if entry.value.entries != nil { walk(entry.value, p); continue }
                guard case .scalar(let text, true) = entry.value.content else { continue }
                if Double(text.replacingOccurrences(of: "_", with: "")) != nil || entry.value.isNull { keys.append((p, false)) }
                else if text.range(of: #"^[a-z0-9]+:[-0-9.e,]+$"#, options: .regularExpression) != nil { keys.append((p, true)) }
            }
        }
        walk(document.root, "")
        return keys
    }

    /// Two values per key, drawn by a fixed-seed generator so that every value meets many
    /// keys and the table is the same every run.
    static func cases() throws -> [String] {
        var rng = Xoshiro256StarStar(seed: 10)
        return try keys().flatMap { key, distribution in
            let pool = distribution ? distributions : numbers
            return (0..<2).map { _ in "\(key)=\(pool[rng.nextInt(below: pool.count)])" }
        }
    }

    /// Loads, and when accepted plans, estimates, runs a short window, analyses and renders.
    static func exercise(_ overrides: [String], configuration: String, model path: String = modelPath) -> String? {
        let model: PlatformModel
        do {
            model = try PlatformModelFile.load(path, configuration: configuration, overrides: overrides, users: 2_000).0
        } catch {
            for e in error.errors {
                #expect(e.location != nil, "\(overrides): \(e)")
                #expect(!e.description.contains("\n"), "\(overrides): \(e)")
            }
            return error.errors.first?.description
        }
        var settings = RunSettings(seed: 1, warmUp: 0, duration: 10)
        settings.replaySeconds = 60
        let (load, plan) = PlatformRun.plan(model: model, settings: settings)
        let estimate = WorkEstimate(model: model, settings: settings, load: load, plan: plan)
        #expect(estimate.events.isFinite && estimate.memoryBytes.isFinite, "\(overrides)")
        _ = AnalyticModel.stations(model: model, plan: plan, load: load)
        // What the command line would refuse (over its default limits) is not run here either.
        guard estimate.events < 2e6, estimate.memoryBytes < 2e9 else { return "refused by the work estimate" }
        let result = DiagnosedRun.run(model: model, settings: settings, plan: plan)
        _ = RunReport.render(result, style: .plain)
        _ = RunReport.render(result, style: .markdown)
        return nil
    }

    /// Every number the model has (in every configuration, main's keys and hardening's alike)
    /// has an upper bound that `model keys` states: a range, or `at most` with its reason.
    @Test(arguments: ["current", "phase4"])
    func everyNumberHasAnUpperBound(configuration: String) throws {
        let document = try PlatformModelFile.merged(Self.modelPath, configuration: configuration)
        let accepted = PlatformModelFile.acceptedValues(document, configuration: configuration)
        let keys = try Self.keys()
        #expect(keys.count > 250)
        for (key, distribution) in keys {
            guard let text = accepted[key] else { continue }  // read only in other configurations
            if distribution {
                #expect(text.contains("at most"), "\(key): \(text)")
            } else {
                #expect(text.contains(" to ") || text.contains("at most"), "\(key): \(text)")
            }
        }
    }

    @Test func everyKeyAtExtremeValuesIsRefusedOrRuns() throws {
        let cases = try Self.cases()
        #expect(cases.count > 400)
        var refused = 0
        for override in cases where Self.exercise([override], configuration: "phase4") != nil { refused += 1 }
        // Most extreme values are refused; a few (0, 1e-100, small distributions) are fine.
        #expect(refused > cases.count / 2)
    }

    @Test func aHundredMutatedModelFilesAreRefusedOrRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("Models"), to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = try String(contentsOf: folder.appendingPathComponent("platform.yaml"), encoding: .utf8)
        var lines = base.components(separatedBy: "\n")
        var rng = Xoshiro256StarStar(seed: 99)
        let inserts = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
                       "*x : 1", "? [a]\n: 1", "k: " + String(repeating: "[", count: 500), "\tkey: 1", "k: &a\n  <<: *a"]
        var accepted = 0
        for _ in 0..<100 {
            var mutated = lines
            let i = rng.nextInt(below: mutated.count)
            switch rng.nextInt(below: 5) {
            case 0: mutated.remove(at: i)
            case 1: mutated.insert(mutated[i], at: i)
            case 2: mutated[i] = mutated[i].replacingOccurrences(of: #"\d+(\.\d+)?"#, with: Self.numbers[rng.nextInt(below: Self.numbers.count)],
                                                               options: .regularExpression)
            case 3: mutated.insert(inserts[rng.nextInt(below: inserts.count)], at: i)
            default: mutated[i] = " " + mutated[i]
            }
            try mutated.joined(separator: "\n").write(to: folder.appendingPathComponent("platform.yaml"), atomically: true, encoding: .utf8)
            if Self.exercise([], configuration: "current", model: folder.appendingPathComponent("platform.yaml").path) == nil { accepted += 1 }
            lines = base.components(separatedBy: "\n")
        }
        #expect(accepted < 100)
    }
}

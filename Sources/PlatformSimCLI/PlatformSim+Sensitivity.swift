import Analysis
import ArgumentParser
import Foundation
import ModelFiles
import ModelSchema
import Notebooks
import PlatformModel
import Reports
import SimulationEngine

extension PlatformSim {
    /// `platform-sim sensitivity`: one-at-a-time sensitivity of every assumption.
    struct SensitivityCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sensitivity",
            abstract: "Moves each assumption-labelled parameter to the low and high end of a range, one at a time, and shows its effect on p99 latency, users to saturation and monthly cost.",
            discussion: """
                The parameters are the numbers the model files label `assumption` (base file and the \
                configuration's overlays); each is scaled by (1 - spread) and (1 + spread), a \
                distribution by its mean. Every run uses the same seed (common random numbers). With \
                --notebook FILE, a markdown notebook with tornado charts is written.
                """)

        @OptionGroup var modelOptions: ModelOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("Registered users (N): 300000, 300k or 1M.", valueName: "count"),
                transform: parseUserCount)
        var users: Int

        @Option(parsing: .unconditional, help: "Relative range: each assumption moves by this fraction down and up.")
        var spread: Double = 0.5

        @Option(parsing: .unconditional, help: "Master seed, the same for every run.")
        var seed: UInt64 = 1

        @Option(parsing: .unconditional, help: ArgumentHelp("Seeds per end (replications 0..R-1 of the master seed, the same for every parameter: common random numbers); the figures are their means.", valueName: "count"))
        var replications: Int = 1

        @Option(parsing: .unconditional, help: ArgumentHelp("Seconds measured per run.", valueName: "seconds"))
        var duration: Double = 300

        @Option(parsing: .unconditional, help: ArgumentHelp("Seconds of warm-up per run.", valueName: "seconds"))
        var warmUp: Double = 120

        @Option(parsing: .unconditional, help: "Runs at once (default: all cores); results do not depend on it.")
        var jobs: Int?

        @Option(parsing: .unconditional, help: ArgumentHelp("The SLO each run is judged against, such as p99<=500ms,errors<=0.1% (the roadmap's).", valueName: "terms"))
        var slo: String = "p99<=500ms,errors<=0.1%"

        @Option(parsing: .unconditional, help: "Parameters per tornado chart (the widest).")
        var top: Int = 15

        @Option(help: ArgumentHelp("Write a markdown notebook to this file (ending in .md), its tornado charts into the folder of the same name without .md.", valueName: "file"))
        var notebook: String?

        @OptionGroup var limits: WorkLimitOptions

        func validate() throws {
            guard spread > 0 && spread < 1 else { throw ValidationError("--spread must be between 0 and 1, got \(shown(spread))") }
            guard duration > 0 && duration <= 86_400 else { throw ValidationError("--duration must be between 0 and 86400 seconds, got \(shown(duration))") }
            guard warmUp >= 0 && warmUp <= 86_400 else { throw ValidationError("--warm-up must be between 0 and 86400 seconds, got \(shown(warmUp))") }
            guard replications >= 1 && replications <= 100 else { throw ValidationError("--replications must be between 1 and 100, got \(replications)") }
            guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
            if let jobs, jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be between 1 and 256, got \(jobs)") }
        }

        func run() throws {
            let objective: ServiceLevelObjective
            do { objective = try ServiceLevelObjective(parsing: slo) } catch { throw CommandLineFailure("--slo: \(error)") }
            if let notebook {
                do { try NotebookWriter.check(markdownPath: notebook) } catch { throw CommandLineFailure("--notebook: \(error)") }
            }
            let (baseModel, _) = try modelOptions.load(users: users)
            let overlays = try PlatformModelFile.configurations(in: modelOptions.model).first { $0.name == modelOptions.phase }?.overlays ?? []
            let files = [modelOptions.model] + overlays + modelOptions.overlays
            let index = try AssumptionIndex(files: files.map { ($0, $0) })
            // Assumption-labelled numbers a --set can address (not list items), moved both ways.
            let overridden = Set(modelOptions.overrides.map { String($0.split(separator: "=", maxSplits: 1)[0]) })
            let candidates = index.parameters.filter { $0.label == .assumption && $0.isNumber && !$0.path.contains("[") && !overridden.contains($0.path) }
                .compactMap { Sensitivity.perturbation(path: $0.path, value: $0.value, spread: spread) }
            // Load every moved model first (a value the model's rules refuse is skipped, with why).
            var prepared: [(perturbation: Sensitivity.Perturbation, low: PlatformModel, high: PlatformModel)] = []
            var skipped: [(path: String, reason: String)] = []
            for p in candidates {
                do {
                    // A whole number that cannot go lower keeps its low end at the baseline: not run again.
                    let low = p.lowIsBaseline ? baseModel : try load(override: "\(p.path)=\(p.low)")
                    let high = try load(override: "\(p.path)=\(p.high)")
                    prepared.append((p, low, high))
                } catch let e as ModelErrors {
                    skipped.append((p.path, e.errors.first.map { $0.message } ?? "\(e)"))
                }
            }
            var stderr = StandardError()
            print("sensitivity of \(baseModel.configuration) at \(users) users: \(prepared.count) assumptions moved both ways, \(skipped.count) skipped", to: &stderr)
            // The baseline, then each parameter's ends; a low end equal to the baseline reuses its run.
            var queue = [baseModel]
            var slots: [(low: Int, high: Int)] = []
            for p in prepared {
                var low = 0
                if !p.perturbation.lowIsBaseline { low = queue.count; queue.append(p.low) }
                slots.append((low, queue.count))
                queue.append(p.high)
            }
            let models = queue
            let (reps, seed, warmUp, duration) = (replications, seed, warmUp, duration)
            let total = models.count * reps
            try limits.check((0..<total).map { i in (models[i / reps], RunSettings(seed: seed, replication: i % reps, warmUp: warmUp, duration: duration)) },
                             what: "the \(total) runs", cores: jobs ?? ParallelRunner.availableCores)
            let runs = ParallelRunner.run(count: total, jobs: jobs ?? ParallelRunner.availableCores,
                                          onFinish: { _, done in if done % 10 == 0 { var e = StandardError(); print("  \(done)/\(total) runs", to: &e) } }) { i in
                let settings = RunSettings(seed: seed, replication: i % reps, warmUp: warmUp, duration: duration)
                return Sensitivity.Outcome(DiagnosedRun.run(model: models[i / reps], settings: settings), slo: objective)
            }
            let outcomes = (0..<models.count).map { m in Sensitivity.Outcome(averaging: Array(runs[(m * reps)..<((m + 1) * reps)])) }
            let effects = prepared.enumerated().map { i, p in
                Sensitivity.Effect(perturbation: p.perturbation, low: outcomes[slots[i].low], high: outcomes[slots[i].high])
            }
            var command = "platform-sim sensitivity \(modelOptions.model) --phase \(modelOptions.phase) --users \(users)"
            if spread != 0.5 { command += " --spread \(shown(spread))" }
            if seed != 1 { command += " --seed \(seed)" }
            if replications != 1 { command += " --replications \(replications)" }
            if duration != 300 { command += " --duration \(shown(duration))" }
            if warmUp != 120 { command += " --warm-up \(shown(warmUp))" }
            if slo != "p99<=500ms,errors<=0.1%" { command += " --slo '\(slo)'" }
            command += modelOptions.overrides.map { " --set \($0)" }.joined() + modelOptions.overlays.map { " --overlay \($0)" }.joined()
            if let notebook { command += " --notebook \(notebook)" }
            let report = SensitivityReport(configuration: baseModel.configuration, users: users, spread: spread, replications: replications, slo: objective, baseline: outcomes[0],
                                           effects: effects, skipped: skipped, command: command)
            print(report.table().plain(), terminator: "")
            if let notebook {
                let folderName = URL(fileURLWithPath: NotebookWriter.chartFolder(for: notebook)).lastPathComponent
                let document = NotebookDocument(markdown: report.markdown(chartFolder: folderName, top: top),
                                                charts: report.charts(top: top).map { ChartFile(name: $0.name, title: $0.name, svg: $0.svg) })
                let written: [String]
                do { written = try NotebookWriter.write(document, to: notebook) } catch { throw CommandLineFailure("\(error)") }
                print("notebook written to \(notebook), \(written.count - 1) charts to \(NotebookWriter.chartFolder(for: notebook))/", to: &stderr)
            }
        }

        func load(override: String) throws -> PlatformModel {
            try PlatformModelFile.load(modelOptions.model, configuration: modelOptions.phase, overrides: modelOptions.overrides + [override],
                                       users: users, pricing: modelOptions.pricing, extraOverlays: modelOptions.overlays).0
        }
    }
}

import Analysis
import ArgumentParser
import FileOutput
import Foundation
import ModelSchema
import PlatformModel
import Reports
import Formatting

extension PlatformSim {
    /// `platform-sim size`: the cheapest capacity that meets an SLO.
    struct Size: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Finds the cheapest capacity (API instances, Postgres size, replicas, shards, workers, pools) that meets an SLO at a user count.",
            discussion: """
                It starts from analytic lower bounds (every station at most 85% busy), simulates, adds \
                capacity where the run shows the bottleneck until the SLO holds, then takes away what \
                is not needed. When no capacity can meet the SLO it says which limit makes it \
                impossible, and exits with status 2. --write-overlay saves the chosen capacity as an overlay file; `run` with \
                --overlay FILE and the same window and seed reproduces the final simulation.
                """)

        @OptionGroup var modelOptions: ModelOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("Registered users (N): 300000, 300k or 1M.", valueName: "count"),
                transform: parseUserCount)
        var users: Int

        @Option(help: ArgumentHelp("The objective, such as \"p99<=300ms,errors<=0.1%\".", valueName: "slo"))
        var slo: String

        @Option(parsing: .unconditional, help: "Master seed (the same for every candidate: common random numbers).")
        var seed: UInt64 = 1

        @Option(parsing: .unconditional, help: ArgumentHelp("Seconds measured per candidate.", valueName: "seconds"))
        var duration: Double = 600

        @Option(parsing: .unconditional, help: ArgumentHelp("Seconds of warm-up per candidate.", valueName: "seconds"))
        var warmUp: Double = 120

        @Option(help: ArgumentHelp("Write the chosen capacity as an overlay file.", valueName: "file"))
        var writeOverlay: String?

        @Option(help: ArgumentHelp("Write the search as a markdown notebook.", valueName: "file"))
        var notebook: String?

        @OptionGroup var limits: WorkLimitOptions

        func validate() throws {
            guard duration > 0 && duration <= 86_400 else { throw ValidationError("--duration must be between 0 and 86400 seconds, got \(shown(duration))") }
            guard warmUp >= 0 && warmUp <= 86_400 else { throw ValidationError("--warm-up must be between 0 and 86400 seconds, got \(shown(warmUp))") }
            let objective: ServiceLevelObjective
            do { objective = try ServiceLevelObjective(parsing: slo) } catch { throw ValidationError("--slo: \(error)") }
            // A day is looser than any real objective; a bound keeps every report of it finite.
            guard objective.p99Ms.isFinite, objective.p99Ms <= 86_400_000 else {
                throw ValidationError("--slo: the p99 bound must be at most a day (86400000ms), got \(shown(objective.p99Ms)) ms")
            }
        }

        func run() throws {
            try checkOutputFile(writeOverlay, option: "--write-overlay")
            try checkOutputFile(notebook, option: "--notebook")
            let objective = try ServiceLevelObjective(parsing: slo)
            let (model, _) = try modelOptions.load(users: users)
            let settings = RunSettings(seed: seed, replication: 0, warmUp: warmUp, duration: duration)
            // The search simulates at most 24 candidates, each about the size of this one.
            try limits.check(model: model, settings: settings, count: 24, what: "the search's up to 24 runs")
            print("Sizing \(model.configuration) at \(Format.grouped(users)) users for \(objective.description) (each candidate: \(shown(warmUp)) s warm-up, \(shown(duration)) s measured, seed \(seed))")
            let outcome = Sizing.search(model: model, slo: objective, settings: settings) { line in print("  " + line) }
            let command = "platform-sim size \(modelOptions.model) --phase \(modelOptions.phase) --users \(users) --slo \"\(slo)\" --seed \(seed)"
                + (warmUp != 120 ? " --warm-up \(shown(warmUp))" : "") + (duration != 600 ? " --duration \(shown(duration))" : "")
                + modelOptions.overrides.map { " --set \($0)" }.joined() + (modelOptions.pricing.map { " --pricing \($0)" } ?? "")
            if let notebook {
                let overlay = outcome.chosen.map { Sizing.overlay($0, model: model, command: command) }
                try writeAtomically(SizingReport.markdown(configuration: model.configuration, users: users, slo: objective,
                                                          command: command + " --notebook \(notebook)", model: model,
                                                          outcome: outcome, overlay: overlay), to: notebook, what: "--notebook")
            }
            guard let chosen = outcome.chosen, let run = outcome.run else {
                print("\nNo capacity meets the SLO: \(outcome.impossible ?? "unknown")")
                throw ExitCode(2)
            }
            print("\nChosen: \(chosen.describe(model))")
            let cost = run.diagnosis.cost
            print("Monthly cost: \(Format.usd(cost.monthlyUSD)) (\(Format.fixed(cost.perThousandUsersUSD, 2)) per 1,000 users, \(cost.provider))")
            let result = run.result, verdict = objective.verdict(result)
            print("Margin: p99 \(Format.number(result.latencyMs.p99)) ms against \(Format.number(objective.p99Ms)) ms (\(Format.number(objective.p99Ms - result.latencyMs.p99)) ms to spare); "
                  + "errors counted by the SLO \(Format.percent(verdict.countedErrorRate, 3)) against \(Format.percent(objective.errorRate, 3)) (\(Format.percent(objective.errorRate - verdict.countedErrorRate, 3)) to spare)"
                  + (verdict.intendedRateLimitedShare > 0 ? "; intended 429s beside them \(Format.percent(verdict.intendedRateLimitedShare, 3))" : ""))
            print("Next limit: \(run.diagnosis.bottleneck.component): \(run.diagnosis.bottleneck.reason)")
            var rerun = "platform-sim run \(modelOptions.model) --phase \(modelOptions.phase) --users \(users) --seed \(seed) --warm-up \(shown(warmUp)) --duration \(shown(duration))"
            rerun += modelOptions.overrides.map { " --set \($0)" }.joined()
            if let pricing = modelOptions.pricing { rerun += " --pricing \(pricing)" }
            if let file = writeOverlay {
                try writeAtomically(Sizing.overlay(chosen, model: model, command: command), to: file, what: "--write-overlay")
                print("Overlay written to \(file); to check it: \(rerun)\(modelOptions.overlays.map { " --overlay \($0)" }.joined()) --overlay \(file)")
            }
        }
    }
}

/// Writes a file through a temporary file and a rename (``OutputFiles/write(_:to:what:)``):
/// a folder is never replaced and a failure leaves the old file as it was.
func writeAtomically(_ text: String, to path: String, what: String = "output") throws {
    do { try OutputFiles.write(text, to: path, what: what) } catch { throw CommandLineFailure("\(error)") }
}

/// Checks an output file option before any work is done (see ``OutputFiles/checkFileDestination(_:what:)``).
func checkOutputFile(_ path: String?, option: String) throws {
    guard let path else { return }
    do { try OutputFiles.checkFileDestination(path, what: option) } catch { throw CommandLineFailure("\(error)") }
}

import ArgumentParser
import ExperimentRunner
import ModelSchema
import Formatting
import Reports

extension PlatformSim {
    /// `platform-sim plan`: how an experiment's grid splits into shards, before running any.
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prints how an experiment's runs split into N shards, with each shard's expected cost, to choose N for a cluster.",
            discussion: """
                Each run goes to exactly one shard, the heaviest first to the shard with the least \
                work so far, so that no shard waits on all the largest runs; every machine computes \
                the same split from the same files. A run's expected cost is users x simulated \
                hours (warm-up and window) plus 2,000 for setting it up: it ranks runs and balances \
                shards, it is not a time. The table gives each shard's runs, cost and share of the \
                work; then how many times sooner N shards can finish than one machine (the total \
                over the largest shard: an upper bound, before start-up and merge), for N up to the \
                number of runs; then the runs of each shard. Run shard K with \
                `platform-sim sweep EXPERIMENT --shard K/N --db shard-K.sqlite` and combine them \
                with `platform-sim merge`. Nothing is run or written.
                """)

        @Argument(help: ArgumentHelp("The experiment file, such as Experiments/roadmap.yaml.", valueName: "experiment"))
        var experiment: String

        @Option(parsing: .unconditional, help: ArgumentHelp("The number of shards.", valueName: "count"))
        var shards: Int

        enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case table, md }
        @Option(help: "Output format: table for a terminal, md for markdown.")
        var format: OutputFormat = .table

        func validate() throws {
            guard shards >= 1 && shards <= ShardSpec.maxCount else {
                throw ValidationError("--shards must be between 1 and \(ShardSpec.maxCount), got \(shards)")
            }
        }

        func run() throws {
            let experiment = try ExperimentFile.load(self.experiment)
            let plan = try SweepPlan.prepare(experiment, programVersion: programVersion)
            print(Self.render(plan, shards: shards, file: self.experiment, markdown: format == .md), terminator: "")
        }

        static func render(_ plan: SweepPlan, shards count: Int, file: String, markdown: Bool) -> String {
            let split = ShardPlan(plan, shards: count)
            func table(_ t: TextTable) -> String { markdown ? t.markdown() : t.plain() }
            func heading(_ s: String) -> String { markdown ? "## \(s)\n\n" : "\(s)\n" }
            var out = markdown ? "# Shards of experiment \(split.experiment)\n\n" : ""
            out += "Experiment \(split.experiment) (\(file)): \(Formatting.Format.grouped(split.runs)) runs in \(count) shard\(count == 1 ? "" : "s"), "
            out += "expected cost \(Formatting.Format.grouped(Int(saturating: split.totalCost.rounded()))) in all "
            out += "(users x simulated hours per run, plus 2,000 for setting each up).\n\n"

            var shards = TextTable(["shard", "runs", "expected cost", "share of the work", "heaviest run"],
                                   alignments: [.left, .right, .right, .right, .left])
            for s in split.shards {
                shards.add([s.spec.description, Formatting.Format.grouped(s.cells.count), Formatting.Format.grouped(Int(saturating: s.cost.rounded())),
                            Formatting.Format.percent(s.share), s.heaviest.map(Self.name) ?? "-"])
            }
            out += heading("Shards") + (markdown ? "\n" : "") + table(shards) + "\n"

            let heaviest = ShardPlan.heaviestRunCost(plan)
            let total = split.totalCost
            out += "The largest shard holds \(Formatting.Format.percent(split.largestCost / max(total, 1))) of the work "
            out += "(\(Formatting.Format.percent(1 / Double(count))) with a perfect split), so \(count) machines like one running "
            out += "the whole sweep finish at best \(Formatting.Format.fixed(split.speedUp, 2))x sooner. No run is split: the heaviest is "
            out += "\(Formatting.Format.percent(heaviest / max(total, 1))) of the work, so no number of shards does better than "
            out += "\(Formatting.Format.fixed(total / max(heaviest, 1), 1))x.\n\n"

            var speed = TextTable(["shards", "largest shard", "sooner than one machine, at best"], alignments: [.right, .right, .right])
            for n in ShardPlan.comparedCounts(runs: split.runs, count: count) {
                let p = n == count ? split : ShardPlan(plan, shards: n)
                speed.add([String(n), Formatting.Format.percent(p.largestCost / max(total, 1)), Formatting.Format.fixed(p.speedUp, 2) + "x"])
            }
            out += heading("Speed-up by number of shards") + (markdown ? "\n" : "") + table(speed) + "\n"

            var runs = TextTable(["shard", "configuration", "variant", "users", "runs (seed/replication)"],
                                 alignments: [.left, .left, .left, .right, .left])
            for s in split.shards {
                var groups: [(cell: SweepCell, runs: [String])] = []
                for c in s.cells {
                    let label = "\(c.key.seed)/\(c.key.replication)"
                    if let last = groups.last, last.cell.key.configuration == c.key.configuration,
                       last.cell.key.variant == c.key.variant, last.cell.key.users == c.key.users {
                        groups[groups.count - 1].runs.append(label)
                    } else {
                        groups.append((c, [label]))
                    }
                }
                for g in groups {
                    runs.add([s.spec.description, g.cell.key.configuration, g.cell.key.variant, Formatting.Format.grouped(g.cell.key.users),
                              g.runs.joined(separator: " ")])
                }
            }
            out += heading("Runs of each shard") + (markdown ? "\n" : "") + table(runs)
            return out
        }

        /// `phase4/default/3M seed 1 rep 0`.
        static func name(_ c: SweepCell) -> String {
            "\(c.key.configuration)/\(c.key.variant)/\(Formatting.Format.users(c.key.users)) seed \(c.key.seed) rep \(c.key.replication)"
        }
    }
}

import Analysis
import ArgumentParser
import ModelSchema
import PlatformModel
import Reports
import SimulationEngine
import Formatting

extension PlatformSim {
    /// `platform-sim capacity`: the largest user count one configuration serves within an SLO.
    struct Capacity: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Finds the largest user count at which one configuration meets an SLO, by bisection over users.",
            discussion: """
                Each user count tried is sized by the configuration's scaling rules (as sweep and run \
                do) and simulated --replications times on the same seeds; it meets the SLO when the \
                means do, as an experiment's cell is judged. The search starts from --low (which \
                must meet the SLO) and --high (which must not), halves the gap geometrically until \
                it is within --precision, and prints every count tried, the answer and what stops \
                the configuration there (the bottleneck of the first failing count). A count's \
                verdict is itself noisy: when the SLO's bound lies inside the 95% interval of p99 or \
                of the errors next to the answer, it says so; more replications narrow it.
                """)

        @OptionGroup var modelOptions: ModelOptions

        @Option(help: ArgumentHelp("The objective, such as \"p99<=500ms,errors<=0.1%\".", valueName: "slo"))
        var slo: String

        @Option(parsing: .unconditional, help: ArgumentHelp("The smallest user count to try (it should meet the SLO): 10000, 10k or 1M.", valueName: "count"),
                transform: parseUserCount)
        var low: Int = 10_000

        @Option(parsing: .unconditional, help: ArgumentHelp("The largest user count to try (it should fail the SLO): 3000000 or 3M.", valueName: "count"),
                transform: parseUserCount)
        var high: Int = 3_000_000

        @Option(parsing: .unconditional, help: ArgumentHelp("Stop when the first failing count is within this share of the last meeting one: 5% or 0.05.", valueName: "share"))
        var precision: String = "5%"

        @Option(parsing: .unconditional, help: "Replications per user count (the same seeds at every count); 3 or more give intervals.")
        var replications: Int = 3

        @Option(parsing: .unconditional, help: "Master seed.")
        var seed: UInt64 = 1

        @Option(parsing: .unconditional, help: "Runs at once (default: all cores); results do not depend on it.")
        var jobs: Int?

        @Option(parsing: .unconditional, help: ArgumentHelp("Seconds measured per run.", valueName: "seconds"))
        var duration: Double = 600

        @Option(parsing: .unconditional, help: ArgumentHelp("Seconds of warm-up per run.", valueName: "seconds"))
        var warmUp: Double = 120

        @Option(parsing: .unconditional, help: ArgumentHelp("Hour of the day (0-24) the measured window starts (default: the busiest hour).", valueName: "hour"))
        var startHour: Double?

        @Option(parsing: .unconditional, help: "Most user counts to try.")
        var maxSteps: Int = 16

        @OptionGroup var limits: WorkLimitOptions

        func validate() throws {
            guard low >= 1 && low <= 100_000_000 else { throw ValidationError("--low must be between 1 and 100000000, got \(low)") }
            guard high >= 1 && high <= 100_000_000 else { throw ValidationError("--high must be between 1 and 100000000, got \(high)") }
            guard high > low else { throw ValidationError("--high (\(high)) must be above --low (\(low))") }
            guard replications >= 1 && replications <= 1000 else { throw ValidationError("--replications must be between 1 and 1000, got \(replications)") }
            if let jobs, jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be between 1 and 256, got \(jobs)") }
            guard duration.isFinite, duration > 0, duration <= 86_400 else { throw ValidationError("--duration must be between 0 and 86400 seconds, got \(shown(duration))") }
            guard warmUp.isFinite, warmUp >= 0, warmUp <= 86_400 else { throw ValidationError("--warm-up must be between 0 and 86400 seconds, got \(shown(warmUp))") }
            if let h = startHour, !(h >= 0 && h <= 24) { throw ValidationError("--start-hour must be between 0 and 24, got \(shown(h))") }
            guard maxSteps >= 2 && maxSteps <= 100 else { throw ValidationError("--max-steps must be between 2 and 100, got \(maxSteps)") }
            _ = try parsedPrecision()
            do { _ = try ServiceLevelObjective(parsing: slo) } catch { throw ValidationError("--slo: \(error)") }
        }

        /// `5%` or `0.05` as a share.
        func parsedPrecision() throws -> Double {
            var text = precision.filter { $0 != " " }, scale = 1.0
            if text.hasSuffix("%") { text.removeLast(); scale = 0.01 }
            guard let v = Double(text), v * scale > 0, v * scale <= 1 else {
                throw ValidationError("--precision must be a share above 0 and at most 100%, such as 5% or 0.05, got '\(precision)'")
            }
            return v * scale
        }

        func run() throws {
            let objective = try ServiceLevelObjective(parsing: slo)
            let m = modelOptions
            // Checks the model files once before any simulation (a bad file: nothing run).
            let configuration = try m.load(users: low).0.configuration
            let n = replications
            // The search's work, bounded before it starts: at most --max-steps counts of n runs,
            // none larger than --high.
            let largest = try m.load(users: high).0
            try limits.check(model: largest, settings: RunSettings(seed: seed, replication: 0, startHour: startHour, warmUp: warmUp, duration: duration),
                             count: maxSteps * n, what: "the search's up to \(maxSteps * n) runs (at most \(Format.users(high)) users each)",
                             cores: jobs ?? ParallelRunner.availableCores)
            let window = "\(shown(warmUp)) s warm-up and \(shown(duration)) s measured" + (startHour.map { " from \(shown($0)) h" } ?? " in the busiest hour")
            print("Largest user count of \(configuration) within \(objective.description)")
            print(TextTable.wrap("Each count: sized by the scaling rules, \(n) replication\(n == 1 ? "" : "s") (seed \(seed)) of \(window); "
                + "it meets the SLO when the means over its replications do (as an experiment's cell). Figures: mean ± 95% half-width.",
                TextTable.defaultWidth).joined(separator: "\n"))
            let outcome = try CapacitySearch.search(low: low, high: high, slo: objective, precision: try parsedPrecision(), maxSteps: maxSteps,
                                                    evaluate: { users in try simulate(users: users) }, log: { step in
                print(Self.describe(step, index: nil))
            })
            print("")
            for line in Self.answer(outcome, slo: objective, configuration: configuration) {
                print(TextTable.wrap(line, TextTable.defaultWidth).joined(separator: "\n"))
            }
        }

        /// The replications of one user count.
        func simulate(users: Int) throws -> [DiagnosedRun] {
            let model = try modelOptions.load(users: users).0
            let settings = (0..<replications).map {
                RunSettings(seed: seed, replication: $0, startHour: startHour, warmUp: warmUp, duration: duration)
            }
            let plan = PlatformRun.plan(model: model, settings: settings[0]).1
            let progress = RunProgressLine(runs: replications, label: "\(Format.users(users)) users")
            defer { progress.finish() }
            return ParallelRunner.run(count: replications, jobs: jobs ?? ParallelRunner.availableCores) { r in
                DiagnosedRun.run(model: model, settings: settings[r], plan: plan, monitor: progress.monitor(run: r))
            }
        }

        /// One line per count tried.
        static func describe(_ s: CapacitySearch.Step, index: Int?) -> String {
            func estimate(_ e: Estimate, _ f: (Double) -> String) -> String {
                e.halfWidth.isFinite ? "\(f(e.mean)) ± \(f(e.halfWidth))" : f(e.mean)
            }
            var line = "  \(Format.users(s.users)) users: p99 \(estimate(s.p99Ms, Format.number)) ms, errors the SLO counts "
                + estimate(s.sloErrors) { Format.percent($0, 3) } + ": "
            if s.meets {
                line += "meets the SLO"
            } else {
                let (cause, runs) = s.bottleneck
                line += "fails on \(s.verdict.shortfall ?? "?") (bottleneck \(cause.component)"
                    + (s.runs.count > 1 ? ", \(runs) of \(s.runs.count) runs" : "") + ")"
            }
            return line
        }

        /// The answer, what stops the configuration, and how sure the verdicts next to it are.
        static func answer(_ o: CapacitySearch.Outcome, slo: ServiceLevelObjective, configuration: String) -> [String] {
            var out: [String] = []
            switch (o.largestMeeting, o.smallestFailing) {
            case (nil, let fail?):
                out.append("Answer: none. \(configuration) fails the SLO already at \(Format.users(fail.users)) users, the lowest count tried (--low): try a lower one.")
            case (let meet?, nil):
                out.append("Answer: at least \(Format.users(meet.users)) users: \(configuration) meets the SLO at the highest count tried (--high): try a higher one.")
            case (let meet?, let fail?):
                out.append("Answer: \(Format.users(meet.users)) users. \(configuration) meets the SLO at \(Format.users(meet.users)) users and fails it at \(Format.users(fail.users)) (on \(fail.verdict.shortfall ?? "?")), \(o.steps.count) counts tried.")
            case (nil, nil):
                break
            }
            if let fail = o.smallestFailing {
                let (cause, runs) = fail.bottleneck
                out.append("What stops it at \(Format.users(fail.users)) users: \(cause.component): \(cause.reason)"
                    + (fail.runs.count > 1 ? " (\(runs) of \(fail.runs.count) runs)" : ""))
            }
            if let meet = o.largestMeeting, o.smallestFailing != nil {
                let next = meet.runs.first?.diagnosis.headroom.map { " The next limit at \(Format.users(meet.users)): \($0.component), about \(Format.roundedUsers($0.saturatesAt)) users to saturation (\($0.limit))." } ?? ""
                out.append("At \(Format.users(meet.users)) users the bottleneck is \(meet.bottleneck.cause.component).\(next)")
            }
            var noisy: [String] = []
            for s in [o.largestMeeting, o.smallestFailing].compactMap({ $0 }) {
                let inside = s.boundsInsideIntervals(slo)
                if !inside.isEmpty { noisy.append("\(Format.users(s.users)) (\(inside.joined(separator: " and ")))") }
            }
            let n = o.steps.first?.runs.count ?? 1
            if !noisy.isEmpty {
                out.append("Noise: the SLO's bound lies inside the 95% interval at \(noisy.joined(separator: ", ")): that count's verdict rests on \(n) replication\(n == 1 ? "" : "s") and could go the other way; rerun with more --replications to settle it.")
            } else if n < 2 {
                out.append("Noise: each count was judged on a single run, without an interval: near the answer its verdict may be noise; use --replications 3 or more.")
            } else {
                out.append("Noise: at the counts on either side of the answer the SLO's bounds lie outside the 95% intervals of p99 and errors over \(n) replications.")
            }
            return out
        }
    }
}

import ArgumentParser
import SimulationEngine

/// Seed, replications and parallelism: shared by every command that runs simulations.
struct ReplicationOptions: ParsableArguments {
    static let maxReplications = 1_000_000
    static let maxJobs = 256

    @Option(parsing: .unconditional, help: "Master seed from which every random stream is derived.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Independent replications to run, each on its own random streams.")
    var replications: Int = 1

    @Option(parsing: .unconditional, help: ArgumentHelp("Replications run at once on separate threads (default: all cores); results do not depend on it.", valueName: "jobs"))
    var jobs: Int?

    /// Threads to use.
    var threads: Int { jobs ?? ParallelRunner.availableCores }

    func validate() throws {
        guard replications >= 1 else {
            throw ValidationError("--replications must be at least 1, got \(replications)")
        }
        guard replications <= Self.maxReplications else {
            throw ValidationError("--replications must be at most \(Self.maxReplications), got \(replications)")
        }
        if let jobs {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
            guard jobs <= Self.maxJobs else { throw ValidationError("--jobs must be at most \(Self.maxJobs), got \(jobs)") }
        }
    }

    /// The random streams of replication `r`.
    func streams(replication r: Int) -> RandomStreams {
        RandomStreams(masterSeed: seed, replication: r)
    }
}

/// How results are written: shared by every command that reports figures.
struct OutputOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        case table, json
    }

    @Option(help: "Output format: an aligned table for people or one JSON object with sorted keys for programs.")
    var format: Format = .table
}

/// Formats a number the way a person typed it: `-1` rather than `-1.0`.
func shown(_ x: Double) -> String {
    if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}

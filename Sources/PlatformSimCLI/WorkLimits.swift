import ArgumentParser
import Foundation
import ModelSchema
import PlatformModel
import Reports
import SimulationEngine

/// The most work a command starts without being asked to: shared by every command that
/// simulates. Before running, the command estimates its events and memory (``WorkEstimate``)
/// and refuses past these limits with one line that says how long and how large the work would
/// be and which flag allows it: values the model's bounds accept can still multiply into a run
/// of days (100 million users, a week-long window, a spike of x1000).
struct WorkLimitOptions: ParsableArguments {
    static let defaultMaxEvents = WorkEstimate.defaultMaxEvents
    static let largestMaxEvents = WorkEstimate.largestMaxEvents

    @Option(name: .customLong("max-events"), parsing: .unconditional,
            help: ArgumentHelp("Refuse work estimated at more simulated events than this (default 1e10, about 40 minutes on one core).", valueName: "count"))
    var maxEventsText: String?

    @Option(name: .customLong("max-memory"), parsing: .unconditional,
            help: ArgumentHelp("Refuse work estimated to need more memory than this, in GB (default: 80% of this machine's memory).", valueName: "GB"))
    var maxMemoryGB: Double?

    /// The event limit in force.
    var maxEvents: Double {
        maxEventsText.flatMap { Self.parseCount($0) } ?? Self.defaultMaxEvents
    }

    /// The memory limit in force, in bytes.
    var maxMemoryBytes: Double {
        if let maxMemoryGB { return maxMemoryGB * 1e9 }
        return Double(ProcessInfo.processInfo.physicalMemory) * 0.8
    }

    func validate() throws {
        if let text = maxEventsText {
            guard let n = Self.parseCount(text), n >= 1, n <= Self.largestMaxEvents else {
                throw ValidationError("--max-events must be a count from 1 to 1e15 such as 5e9, got '\(text)'")
            }
        }
        if let gb = maxMemoryGB {
            guard gb.isFinite, gb > 0, gb <= 1e6 else {
                throw ValidationError("--max-memory must be between 0 and 1000000 GB, got \(shown(gb))")
            }
        }
    }

    /// `5e9`, `5000000000`, `5_000_000_000`.
    static func parseCount(_ text: String) -> Double? {
        guard let x = Double(text.filter { $0 != "_" }), x.isFinite else { return nil }
        return x
    }

    /// Throws the refusal when `work` exceeds a limit. `what` names the work ("this run",
    /// "the sweep's 30 runs"); `cores` is how many run at once, for the time.
    /// `smaller` says how to make the work smaller.
    func check(events: Double, memoryBytes: Double, what: String, cores: Int = 1,
               smaller: String = "simulate fewer users, a shorter window or lighter traffic") throws {
        let events = events.isFinite ? events : .greatestFiniteMagnitude
        let size = "\(what) " + WorkEstimate.describe(events: events, memoryBytes: memoryBytes, cores: cores)
        if events > maxEvents {
            let suggestion = events <= Self.largestMaxEvents ? "pass --max-events \(WorkEstimate.count(events * 1.1)) to run it anyway, or " : ""
            throw CommandLineFailure("\(size); that is more than --max-events \(WorkEstimate.count(maxEvents)): "
                + suggestion + smaller)
        }
        if memoryBytes > maxMemoryBytes {
            let limit = maxMemoryGB == nil ? "80% of this machine's memory (\(WorkEstimate.bytes(maxMemoryBytes)))" : "--max-memory \(shown(maxMemoryGB!)) GB"
            throw CommandLineFailure("\(size); that is more than \(limit): pass --max-memory \(shown((memoryBytes * 1.1 / 1e9).rounded(.up))) "
                + "on a machine that has it, or " + smaller)
        }
    }

    /// Checks `count` runs of one model and window (replications, or a search's candidates).
    /// `bytesPerRecordedRequest`: memory each request takes when the run records them all (a
    /// trace, an access log).
    func check(model: PlatformModel, settings: RunSettings, count: Int, what: String, cores: Int = 1,
               bytesPerRecordedRequest: Double = 0) throws {
        let (load, plan) = PlatformRun.plan(model: model, settings: settings)
        let estimate = WorkEstimate(model: model, settings: settings, load: load, plan: plan)
        let atOnce = Swift.min(Swift.max(1, cores), Swift.max(1, count))
        let memory = estimate.memoryBytes + estimate.requests * bytesPerRecordedRequest
        try check(events: estimate.events * Double(count), memoryBytes: memory * Double(atOnce), what: what, cores: atOnce)
    }

    /// Checks the runs a command is about to make (each with its model and window).
    func check(_ runs: [(model: PlatformModel, settings: RunSettings)], what: String, cores: Int = 1,
               bytesPerRecordedRequest: Double = 0) throws {
        var events = 0.0, memory = 0.0
        for run in runs {
            let (load, plan) = PlatformRun.plan(model: run.model, settings: run.settings)
            let estimate = WorkEstimate(model: run.model, settings: run.settings, load: load, plan: plan)
            events += estimate.events
            // Runs at once each hold their own state.
            memory = Swift.max(memory, estimate.memoryBytes + estimate.requests * bytesPerRecordedRequest)
        }
        try check(events: events, memoryBytes: memory * Double(Swift.min(Swift.max(1, cores), Swift.max(1, runs.count))),
                  what: what, cores: Swift.min(Swift.max(1, cores), Swift.max(1, runs.count)))
    }
}

/// `--users 300000`, `300k`, `1M` (see ``UserCount``).
func parseUserCount(_ text: String) throws -> Int {
    try parseUserCount(text, largest: UserCount.maximum)
}

/// A user count up to `largest` (a command with its own limit: `trace` records every request).
func parseUserCount(_ text: String, largest: Int) throws -> Int {
    switch UserCount.parse(text, largest: largest) {
    case .success(let n): return n
    case .failure(let error): throw ValidationError(error.description)
    }
}

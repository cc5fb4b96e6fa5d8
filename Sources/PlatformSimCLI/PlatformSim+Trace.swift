import ArgumentParser
import FileOutput
import Foundation
import ModelSchema
import PlatformModel
import Validation

extension PlatformSim {
    /// `platform-sim trace`: the requests a run simulates, as a file to replay against a real platform.
    struct Trace: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Writes the requests one run simulates (time, endpoint, user, tier, IP, page size) with the simulator's predicted outcome of each, for replaying against a real platform.",
            discussion: """
                The trace is the run `platform-sim run` makes with the same model, users, seed and \
                window, its arrival rates multiplied by --rate-scale. Time 0 is the start of the \
                warm-up; records after --warm-up seconds are the measured window. The format is \
                described in Testbed/README.md. --users-out writes the registered users (tier, \
                activity weight, IP) that the testbed seeds its database with.
                """)

        @OptionGroup var modelOptions: ModelOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("Registered users (N): 300000, 300k or 1M, at most 10M.", valueName: "count"),
                transform: { try parseUserCount($0, largest: Trace.maxUsers) })
        var users: Int

        @Option(parsing: .unconditional, help: "Master seed from which every random stream is derived.")
        var seed: UInt64 = 1

        @OptionGroup var window: WindowOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("Multiplies every arrival rate of the traffic (users' requests, visitors, webhooks).", valueName: "factor"))
        var rateScale: Double = 1

        @Flag(help: "Start cold: no traffic history before the run, every rate-limit window and cache empty (as servers just started).")
        var coldStart = false

        @Option(help: ArgumentHelp("The trace file to write.", valueName: "file"))
        var out: String

        @Option(help: ArgumentHelp("Also write the registered users (tier, activity weight, IP) to this CSV file.", valueName: "file"))
        var usersOut: String?

        @Option(help: ArgumentHelp("Also write what the testbed needs of this configuration (limiters, caches, pool, steps, providers) as JSON.", valueName: "file"))
        var testbedSettings: String?

        @OptionGroup var limits: WorkLimitOptions

        /// A trace holds every request in memory (the run's record, the trace's and its text):
        /// ten million users are past what a testbed replays.
        static let maxUsers = 10_000_000
        /// Memory per request traced: the run's record (40 bytes), the trace's (64) and its CSV line (about 100).
        static let bytesPerTracedRequest = 200.0

        /// The files this command writes, with their options.
        var destinations: [(path: String, option: String)] {
            [(out, "--out")] + (usersOut.map { [($0, "--users-out")] } ?? []) + (testbedSettings.map { [($0, "--testbed-settings")] } ?? [])
        }

        func validate() throws {
            guard rateScale.isFinite, rateScale > 0, rateScale <= 1_000_000 else {
                throw ValidationError("--rate-scale must be above 0 and at most 1000000, got \(shown(rateScale))")
            }
            guard !out.isEmpty else { throw ValidationError("--out must name a file") }
            let paths = destinations.map { URL(fileURLWithPath: $0.path).standardizedFileURL.path }
            if Set(paths).count < paths.count { throw ValidationError("--out, --users-out and --testbed-settings must name different files") }
        }

        func run() throws {
            // Every destination is checked before anything runs: bad input writes nothing.
            for d in destinations {
                do { try OutputFiles.checkFileDestination(d.path, what: d.option) } catch { throw CommandLineFailure("\(error)") }
            }
            let (model, provenance) = try modelOptions.load(users: users)
            let settings = window.settings(seed: seed, replication: 0)
            var recorded = settings
            if coldStart { recorded.replaySeconds = 0 }
            try limits.check(model: TrafficScaling.scaled(model, by: rateScale), settings: recorded, count: 1, what: "this trace",
                             bytesPerRecordedRequest: Self.bytesPerTracedRequest)
            let header = TraceHeader(
                modelFile: provenance.baseFile, configuration: provenance.configuration, files: provenance.files,
                overlays: modelOptions.overlays, overrides: provenance.overrides, modelHash: provenance.modelHash,
                users: users, seed: seed, rateScale: rateScale, warmUpSeconds: settings.warmUp,
                durationSeconds: settings.duration, windowStart: 0, coldStart: coldStart, endpoints: [], tiers: [], programVersion: programVersion)
            let (trace, _) = TraceRecorder.record(model: model, header: header, settings: settings)
            let text = try trace.csv()
            let population = usersOut.map { _ in UserTable(model: model, seed: seed).csv() }
            let settingsJSON = try testbedSettings.map { _ in try TestbedSettings(model: TrafficScaling.scaled(model, by: rateScale)).json() }
            do {
                try OutputFiles.write(text, to: out, what: "--out")
                if let usersOut, let population { try OutputFiles.write(population, to: usersOut, what: "--users-out") }
                if let testbedSettings, let settingsJSON { try OutputFiles.write(settingsJSON, to: testbedSettings, what: "--testbed-settings") }
            } catch let e as OutputFiles.OutputError {
                throw CommandLineFailure(e.description)
            }
            let measured = trace.measured.count
            let rate = Double(measured) / settings.duration
            print("wrote \(trace.records.count) requests to \(out): \(measured) in the measured \(shown(settings.duration)) s "
                  + "(\(String(format: "%.1f", rate)) per second), \(trace.records.count - measured) in the \(shown(settings.warmUp)) s warm-up")
            if let usersOut { print("wrote \(users) users to \(usersOut)") }
        }
    }
}

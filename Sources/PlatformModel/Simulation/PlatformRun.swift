import SimulationEngine
#if canImport(Glibc)
import Glibc
#endif

/// Runs one configuration at one user count: estimate the offered load, size the capacity by
/// the scaling rules, simulate the window, collect the results.
public enum PlatformRun {
    /// The window a run simulates (seconds into the day): warm-up start, measured start, end.
    public static func window(model: PlatformModel, settings: RunSettings) -> (start: Double, end: Double) {
        let start = settings.windowStart(diurnalWeights: model.traffic.diurnalWeights)
        return (start, start + settings.duration)
    }

    public static func plan(model: PlatformModel, settings: RunSettings) -> (OfferedLoad, CapacityPlan) {
        let load = OfferedLoad(model: model, window: window(model: model, settings: settings))
        return (load, CapacityPlan(model: model, load: load))
    }

    /// Simulates and returns the measured figures (bottleneck and cost are left to the analysis layer).
    public static func run(model: PlatformModel, settings: RunSettings, plan override: CapacityPlan? = nil) -> RunResult {
        run(model: model, settings: settings, plan: override, monitor: nil, recordRequests: false)!.result
    }

    /// Simulates with a monitor that sees the run's progress and may stop it, and optionally
    /// keeps every request's arrival and outcome. Returns nil when the monitor cancelled.
    ///
    /// The monitor is called between slices of `monitor.interval` simulated seconds, never
    /// inside the event loop, so a monitored run processes the same events in the same order
    /// as an unmonitored one and gives the same result, byte for byte.
    public static func run(model: PlatformModel, settings: RunSettings, plan override: CapacityPlan? = nil,
                           monitor: RunMonitor?, recordRequests: Bool) -> (result: RunResult, requests: RequestLog?)? {
        let clock = WallClock()
        let load = OfferedLoad(model: model, window: window(model: model, settings: settings))
        let plan = override ?? CapacityPlan(model: model, load: load)
        var simulation = PlatformSimulation(model: model, plan: plan, settings: settings, load: load)
        if recordRequests {
            var log = RequestLog()
            log.measureStart = simulation.measureStart
            simulation.requestLog = log
        }
        var sim = Simulator(startTime: simulation.origin, reservingCapacity: 4096)
        simulation.start(in: &sim)
        if let monitor {
            let span = simulation.end - simulation.origin
            let step = Swift.max(1e-3, monitor.interval)
            var until = simulation.origin
            while until < simulation.end {
                until = Swift.min(simulation.end, until + step)
                sim.run(&simulation, until: until)
                let progress = RunProgress(simulatedSeconds: until - simulation.origin, totalSeconds: span,
                                           events: sim.processedEvents, wallSeconds: clock.elapsed)
                if !monitor.onProgress(progress) { return nil }
            }
        } else {
            sim.run(&simulation, until: simulation.end)
        }
        simulation.flushLatencies()
        let result = simulation.result(at: sim.now, events: sim.processedEvents, wallSeconds: clock.elapsed)
        return (result, simulation.requestLog)
    }
}

/// Watches a run from outside the event loop: called every `interval` simulated seconds with
/// the progress so far; returning false cancels the run.
public struct RunMonitor {
    public var interval: Double
    public var onProgress: (RunProgress) -> Bool
    public init(interval: Double = 30, onProgress: @escaping (RunProgress) -> Bool) {
        self.interval = interval
        self.onProgress = onProgress
    }
}

/// How far a run has got: simulated seconds done out of the whole span (warm-up included).
public struct RunProgress: Sendable, Equatable {
    public var simulatedSeconds: Double
    public var totalSeconds: Double
    public var events: Int
    public var wallSeconds: Double
    /// Share of the simulated span done (0-1).
    public var fraction: Double { totalSeconds > 0 ? Swift.min(1, simulatedSeconds / totalSeconds) : 1 }
    /// Wall seconds left at the pace so far (nil before any progress).
    public var secondsLeft: Double? {
        guard simulatedSeconds > 0 else { return nil }
        return wallSeconds * (totalSeconds - simulatedSeconds) / simulatedSeconds
    }
}

/// Monotonic wall-clock seconds, for reporting how long a run took (never used inside the model).
public struct WallClock: Sendable {
    let start: Double
    public init() { start = WallClock.now() }
    public var elapsed: Double { WallClock.now() - start }
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
